"""kube-proxy for every node: watch Services and EndpointSlices, render each node's rules, apply them.

One watcher coalesces bursts of changes; each sync takes one store snapshot, renders every node's
`iptables-restore` text (pure) and applies the nodes whose text changed, in parallel. The last text
applied per node is kept: it is what `proxy rules` highlights and what `trace` walks.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Optional

from k8slab.proxy import apply as iptables
from k8slab.proxy.model import NodeConfig
from k8slab.proxy.render import render
from k8slab.proxy.sources import service_ports

log = logging.getLogger(__name__)

SERVICE_CIDR = "10.96.0.0/12"
COALESCE = 0.005  # seconds to gather a burst of events (an apply of many objects) into one sync


class KubeProxy:
    """The iptables proxier of every node in the cluster."""

    def __init__(self, store, nodes: List[NodeConfig], pid_of: Callable[[str], int]):
        self.store = store
        self.nodes = {n.name: n for n in nodes}
        self.pid_of = pid_of
        self.rendered: Dict[str, str] = {}
        self._udp_backends: Dict[tuple, frozenset] = {}  # UDP service port -> its endpoints at the last sync
        self._chains: Dict[str, Optional[set]] = {n.name: None for n in nodes}
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._synced = threading.Condition()
        self.generation = 0  # store resourceVersion the rules reflect
        self.wanted = 0  # store resourceVersion of the latest change that concerns the rules
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(nodes)), thread_name_prefix="kube-proxy")
        self._watch = None
        self.last_error: Optional[str] = None

    def start(self) -> None:
        """Program every node once, then follow changes."""
        self._watch = self.store.watch(["Service", "EndpointSlice"])
        self.sync()
        threading.Thread(target=self._pump, name="kube-proxy-watch", daemon=True).start()
        threading.Thread(target=self._loop, name="kube-proxy", daemon=True).start()

    def stop(self) -> None:
        """Stop following changes."""
        self._stop.set()
        self._dirty.set()
        if self._watch is not None:
            self._watch.close()
        self._pool.shutdown(wait=False)

    def _pump(self) -> None:
        for event in self._watch:
            if event is None:
                return
            self.wanted = self.store.resource_version
            self._dirty.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.is_set():
                return
            time.sleep(COALESCE)
            self._dirty.clear()
            try:
                self.sync()
            except RuntimeError:
                if self._stop.is_set():
                    return  # shutting down: the pool is gone
                raise
            except Exception as e:  # keep proxying; the error is shown by `proxy rules`
                self.last_error = str(e)
                log.exception("kube-proxy sync failed")

    def sync(self) -> None:
        """Render every node's rules from one snapshot and apply those that changed."""
        rv = self.store.resource_version
        ports = service_ports(self.store.list("Service"), self.store.list("EndpointSlice"))
        texts = {name: render(node, ports) for name, node in self.nodes.items()}
        changed = [name for name, text in texts.items() if self.rendered.get(name) != text]
        results = list(self._pool.map(lambda name: self._apply(name, texts[name]), changed))
        for name, ok in zip(changed, results):
            if ok:
                self.rendered[name] = texts[name]
        stale = self._stale_udp(ports)
        if changed and not iptables.atomic():
            # Applied in pieces: a datagram that slipped through while a chain was being rewritten
            # left a conntrack entry without DNAT, which would keep its flow from ever being proxied.
            stale = [(SERVICE_CIDR, None)]
        if stale:
            list(self._pool.map(lambda name: iptables.flush_udp_conntrack(self.pid_of(name), stale), self.nodes))
        with self._synced:
            self.generation = rv
            self._synced.notify_all()

    def _stale_udp(self, ports) -> list:
        """UDP destinations whose backends changed: their conntrack entries would keep the old choice.

        UDP has no connection to end, so a conntrack entry made before the rules existed (or for an
        endpoint that is gone) would keep steering a client's datagrams; kube-proxy deletes them.
        """
        current = {}
        for sp in ports:
            if sp.protocol == "UDP":
                current[(sp.namespace, sp.name, sp.port_name)] = (sp, frozenset(str(e) for e in sp.endpoints))
        stale = []
        for key, (sp, backends) in current.items():
            if self._udp_backends.get(key) != backends:
                stale.append((sp.cluster_ip, sp.port))
                stale += [(ip, sp.port) for ip in sp.external_ips + sp.load_balancer_ips]
                if sp.node_port:
                    stale.append((None, sp.node_port))
        self._udp_backends = {k: v for k, (_, v) in current.items()}
        return stale

    def _apply(self, node: str, text: str) -> bool:
        try:
            self._chains[node] = iptables.apply(self.pid_of(node), text, self._chains[node])
            self.last_error = None
            return True
        except Exception as e:
            self.last_error = f"{node}: {e}"
            log.error("kube-proxy on %s: %s", node, e)
            return False

    def wait_current(self, timeout: float = 2.0) -> bool:
        """Block until the rules reflect every change that concerns them so far (False on timeout)."""
        return self.wait_synced(self.wanted, timeout)

    def wait_synced(self, resource_version: int, timeout: float = 2.0) -> bool:
        """Block until the rules reflect the store at `resource_version` (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._synced:
            while self.generation < resource_version:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._synced.wait(left)
        return True
