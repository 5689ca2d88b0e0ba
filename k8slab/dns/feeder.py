"""The control plane's side of cluster DNS: keep every DNS server process fed with the current state.

Each DNS pod's server listens on a Unix socket under STATE_DIR/dns/ (the pods share the sandbox's
filesystem). On every change to Services, EndpointSlices or Namespaces the feeder sends the whole
state, coalescing bursts, to every server it can reach; a server that (re)starts gets it at once.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import select
import socket
import threading
import time
from typing import Dict, Mapping, Optional, Tuple

from k8slab.dns.snapshot import state_from_store

log = logging.getLogger(__name__)

COALESCE = 0.005  # seconds: one push for a burst of changes


def socket_dir(state_dir: str) -> str:
    """Where DNS servers put their state sockets."""
    return os.path.join(state_dir, "dns")


class DnsFeeder:
    """Pushes DNS state to the servers; remembers whether query logging is on."""

    def __init__(self, store, state_dir: str, external: Mapping[str, Tuple[str, ...]],
                 external_cnames: Mapping[str, str] = ()):
        self.store = store
        self.dir = socket_dir(state_dir)
        self.external = dict(external)
        self.external_cnames = dict(external_cnames)
        self.log_queries = False
        self._conns: Dict[str, socket.socket] = {}
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._watch = None
        self.pushed_rv = 0  # the store version the servers last got
        self.wanted_rv = 0  # the store version of the latest change that concerns DNS

    def start(self) -> None:
        """Follow the store and keep the servers fed."""
        os.makedirs(self.dir, exist_ok=True)
        self._watch = self.store.watch(["Service", "EndpointSlice", "Namespace"])
        threading.Thread(target=self._pump, name="dns-feeder-watch", daemon=True).start()
        threading.Thread(target=self._loop, name="dns-feeder", daemon=True).start()
        self._dirty.set()

    def stop(self) -> None:
        """Stop feeding."""
        self._stop.set()
        self._dirty.set()
        if self._watch is not None:
            self._watch.close()

    def wait_pushed(self, timeout: float) -> bool:
        """Wait until the servers have every change that concerns DNS so far (False on timeout)."""
        deadline = time.monotonic() + timeout
        while self.pushed_rv < self.wanted_rv:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def set_logging(self, on: bool) -> None:
        """Turn the servers' query log on or off."""
        self.log_queries = on
        self._send_all({"log": on})

    def add_external(self, name: str, addresses: Tuple[str, ...]) -> None:
        """Give the outside world one more name (lessons and labs add their own)."""
        self.external[name.lower().rstrip(".")] = tuple(addresses)
        self._dirty.set()

    def _pump(self) -> None:
        for event in self._watch:
            if event is None:
                return
            self.wanted_rv = self.store.resource_version
            self._dirty.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            # Wake at least every 100 ms: a server may have appeared (a DNS pod started) and needs the state.
            self._dirty.wait(0.1)
            if self._stop.is_set():
                return
            if self._dirty.is_set():
                time.sleep(COALESCE)
                self._dirty.clear()
                self._push(force=True)
            else:
                self._push(force=False)

    def _push(self, force: bool) -> None:
        new = self._connect_new()
        if not force and not new:
            return
        rv = self.store.resource_version
        state = state_from_store(self.store, self.external, self.external_cnames)
        message = {"state": json.loads(state.to_json()), "log": self.log_queries}
        if force:
            self._send_all(message)
        else:
            for path in new:
                self._send(path, message)
        self.pushed_rv = rv

    def _drop_closed(self) -> None:
        # A server that exited closes its end: the connection reads as EOF (its replacement, at the same
        # path, must be connected to afresh).
        with self._lock:
            conns = list(self._conns.items())
        readable = select.select([c for _, c in conns], [], [], 0)[0] if conns else []
        for path, conn in conns:
            if conn in readable:
                try:
                    if conn.recv(4096):
                        continue
                except OSError:
                    pass
                with self._lock:
                    conn.close()
                    self._conns.pop(path, None)

    def _connect_new(self) -> list:
        self._drop_closed()
        fresh = []
        for path in glob.glob(os.path.join(self.dir, "*.sock")):
            if path in self._conns:
                continue
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
            except OSError:
                s.close()
                continue
            with self._lock:
                self._conns[path] = s
            fresh.append(path)
        return fresh

    def _send_all(self, message: dict) -> None:
        for path in list(self._conns):
            self._send(path, message)

    def _send(self, path: str, message: dict) -> None:
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode()
        with self._lock:
            conn: Optional[socket.socket] = self._conns.get(path)
            if conn is None:
                return
            try:
                conn.sendall(data)
            except OSError:  # that server went away (its pod was deleted or restarted)
                conn.close()
                del self._conns[path]
