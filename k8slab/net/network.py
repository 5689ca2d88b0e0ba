"""The emulated network, built with Mininet: the only module that talks to Mininet.

    s1 (Linux bridge in the sandbox's own netns: the lab network 172.18.0.0/16)
     ├─ node1-eth0  node1 (172.18.0.2)  routes 10.244.1.0/24 to its pods, the other /24s via peers
     ├─ node2-eth0  node2 ...
     └─ ext-eth0    ext   (172.18.0.1)  the learner's laptop: on the lab network, outside the cluster

Every node and `ext` is a Mininet host (its own network and mount namespace, from `mnexec -n`) whose
shell we also put in its own UTS namespace so that `hostname` answers its name. A pod is one more
such host, wired to its node by a veth pair as kind's ptp CNI does: the pod has its IP as a /32 on
eth0 and a default route via the node's gateway address, which the node side of the veth carries.
"""

from __future__ import annotations

import logging
import os
import sys
import sysconfig
import threading
from concurrent.futures import ThreadPoolExecutor
import warnings
from dataclasses import dataclass
from typing import Sequence


def _without_setuptools_shim() -> list:
    """Take setuptools' distutils shim out of the import system, if Python has a distutils of its own.

    mininet.node imports distutils.version. In a venv with setuptools, the shim answers that import
    by loading much of setuptools, about 0.15 s of every start; Python's own distutils (3.11 and
    older) takes a few milliseconds. Returns the finders taken out, to put back after Mininet's import.
    """
    if "distutils" in sys.modules:
        return []
    if not os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "distutils", "__init__.py")):
        return []
    shims = [f for f in sys.meta_path if type(f).__module__ == "_distutils_hack"]
    for shim in shims:
        sys.meta_path.remove(shim)
    return shims


_SHIMS = _without_setuptools_shim()
try:
    with warnings.catch_warnings():  # Python's distutils says it is deprecated: Mininet's choice, not ours
        warnings.simplefilter("ignore", DeprecationWarning)
        from mininet.log import setLogLevel
        from mininet.net import Mininet
        from mininet.node import Host
        from mininet.nodelib import LinuxBridge
finally:
    sys.meta_path[:0] = _SHIMS

from k8slab.net.addresses import (CLUSTER_CIDR, EXT_IP, EXT_NAME, NODE_NETWORK, OUTSIDE_ADDRESSES, WORLD_IP,
                                  WORLD_NAME, ClusterSpec, NodePlan)

log = logging.getLogger(__name__)

SWITCH = "s1"


class NetworkError(RuntimeError):
    """A command that wires the network failed."""


class NamedHost(Host):
    """A Mininet host whose shell also gets its own UTS namespace, so it can have a hostname."""

    def _popen(self, cmd, **params):
        # Mininet starts the node's shell as `mnexec -cdn env PS1=... bash ...`; slip `unshare --uts`
        # in after mnexec's options so bash (and everything we nsenter later) sees its own hostname.
        if not self.shell and cmd and cmd[0] == "mnexec" and "bash" in cmd:
            cmd = cmd[:2] + ["unshare", "--uts"] + cmd[2:]
        return super()._popen(cmd, **params)


class LabBridge(LinuxBridge):
    """The lab network's switch: a Linux bridge that forwards at once.

    Mininet's LinuxBridge keeps the kernel's default 15 s forward delay; the ports then learn for
    about a second before the first packet passes. A lab network should just work.
    """

    def start(self, _controllers):
        script = [f"ip link add name {self.name} type bridge forward_delay 0 stp_state 0"]
        script += [f"ip link set {i} master {self.name}" for i in self.intfList() if self.name in i.name]
        script.append(f"ip link set {self.name} up")
        _run_script(self, script)

    def stop(self, deleteIntfs=True):
        self.cmd(f"ip link del {self.name}")
        super(LinuxBridge, self).stop(deleteIntfs)  # skip LinuxBridge's brctl


def _run_script(host: Host, lines: Sequence[str]) -> None:
    """Run shell lines in `host`'s shell in one round trip; raise NetworkError on the first failure."""
    script = " && ".join(lines) + " && echo __ok__"
    out = host.cmd(script) or ""  # None once the host's shell is gone (the cluster is stopping)
    if "__ok__" not in out:
        raise NetworkError(f"{host.name}: {out.strip() or 'command failed'} (running: {script})")


def nsenter_argv(pid: int, workdir: str = "/") -> list[str]:
    """The argv prefix that runs a program in the namespaces (net, mount, UTS) of process `pid`."""
    return ["nsenter", "-t", str(pid), "-n", "-m", "-u", f"--wd={workdir}", "--"]


@dataclass
class PodSandbox:
    """A pod's network: the holder process (a Mininet host shell) whose namespaces the pod uses."""

    key: str
    node: str
    ip: str
    pid: int
    host_veth: str
    host: Host


class ClusterNetwork:
    """Nodes, `ext` and the lab switch; pods are added and removed while it runs."""

    def __init__(self, spec: ClusterSpec):
        self.spec = spec
        self.plans: dict[str, NodePlan] = {p.name: p for p in spec.node_plans()}
        self.net: Mininet | None = None
        self.hosts: dict[str, Host] = {}  # nodes and ext
        self.pods: dict[str, PodSandbox] = {}
        self._lock = threading.Lock()
        # A Mininet host's shell serves one caller at a time.
        self._node_locks = {name: threading.Lock() for name in list(self.plans) + [EXT_NAME, WORLD_NAME]}

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        """Build and start the lab network with its nodes and `ext`."""
        setLogLevel("critical" if not log.isEnabledFor(logging.DEBUG) else "info")
        prefix = NODE_NETWORK.prefixlen
        net = Mininet(switch=LabBridge, host=NamedHost, controller=None, build=False,
                      autoSetMacs=False, waitConnected=False)
        switch = net.addSwitch(SWITCH)
        addresses = {plan.name: f"{plan.ip}/{prefix}" for plan in self.plans.values()}
        addresses.update({EXT_NAME: f"{EXT_IP}/{prefix}", WORLD_NAME: f"{WORLD_IP}/{prefix}"})
        # Each host's shell takes a while to start and then to be configured, mostly waiting for
        # bash: all hosts at once (each has its own shell) rather than one after another.
        with ThreadPoolExecutor(len(addresses), thread_name_prefix="host-start") as pool:
            started = dict(zip(addresses, pool.map(lambda item: NamedHost(item[0], ip=item[1]), addresses.items())))
            for name, address in addresses.items():
                self.hosts[name] = net.addHost(name, cls=lambda n, **_: started[n], ip=address)
            for host in self.hosts.values():
                net.addLink(host, switch)
            net.build()
            net.start()
            self.net = net
            list(pool.map(self._configure_host, self.hosts))

    def _configure_host(self, name: str) -> None:
        host = self.hosts[name]
        _run_script(host, [f"hostname {name}", "ip link set lo up"])
        if name in self.plans:
            self._configure_node(self.plans[name])
        elif name == EXT_NAME:
            _run_script(host, [f"ip route add default via {WORLD_IP}"])
        elif name == WORLD_NAME:
            _run_script(host, [f"ip addr add {a}/32 dev lo" for a in OUTSIDE_ADDRESSES])

    def _configure_node(self, plan: NodePlan) -> None:
        node = self.hosts[plan.name]
        lines = [
            "sysctl -qw net.ipv4.ip_forward=1",
            # Routed pod traffic enters on one veth and leaves on another: strict reverse-path
            # filtering would drop it.
            "sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0",
        ]
        lines += self._node_routes(plan)
        lines += [
            # What kind's CNI does too: pod traffic leaving the pod network takes the node's address,
            # so hosts outside (ext, the world) can answer without routes to every pod CIDR.
            f"iptables -t nat -A POSTROUTING -s {CLUSTER_CIDR} ! -d {CLUSTER_CIDR} "
            '-m comment --comment "k8slab CNI: pod egress leaves with the node\'s address" -j MASQUERADE',
        ]
        _run_script(node, lines)

    def _node_routes(self, plan: NodePlan) -> list:
        """A node's routes over the lab network: the other nodes' pod CIDRs, and the way out."""
        lines = [f"ip route replace {other.pod_cidr} via {other.ip} dev {plan.name}-eth0"
                 for other in self.plans.values() if other.name != plan.name]
        return lines + [f"ip route replace default via {WORLD_IP}"]

    def set_node_link(self, node: str, up: bool) -> None:
        """Unplug (or plug back) a node's cable to the lab network: what a failed machine looks like."""
        lines = [f"ip link set {node}-eth0 {'up' if up else 'down'}"]
        if up:  # the kernel dropped the routes through the link when it went down
            lines += self._node_routes(self.plans[node])
        with self._node_locks[node]:
            _run_script(self.hosts[node], lines)

    def add_outside_address(self, ip: str) -> None:
        """Give the outside world one more address (nodes and ext already route there)."""
        with self._node_locks[WORLD_NAME]:
            _run_script(self.hosts[WORLD_NAME], [f"ip addr replace {ip}/32 dev lo"])

    def announce(self, node: str, ip: str) -> None:
        """Answer ARP for a LoadBalancer IP on `node`, as MetalLB's layer-2 speaker does."""
        with self._node_locks[node]:
            _run_script(self.hosts[node], [f"ip addr replace {ip}/32 dev {node}-eth0"])
        self._forget_neighbour(ip)

    def withdraw(self, node: str, ip: str) -> None:
        """Stop answering for a LoadBalancer IP on `node`."""
        with self._node_locks[node]:
            self.hosts[node].cmd(f"ip addr del {ip}/32 dev {node}-eth0 2>/dev/null")
        self._forget_neighbour(ip)

    def _forget_neighbour(self, ip: str) -> None:
        # MetalLB sends gratuitous ARP when an IP moves; flushing the lab hosts' caches has the same effect.
        for name in [EXT_NAME, WORLD_NAME] + list(self.plans):
            with self._node_locks[name]:
                self.hosts[name].cmd(f"ip neigh flush to {ip} 2>/dev/null")

    def stop(self) -> None:
        """Stop every pod holder and the Mininet hosts (the sandbox's end would do it anyway)."""
        for sandbox in list(self.pods.values()):
            sandbox.host.terminate()
        if self.net is not None:
            for host in self.net.hosts + self.net.switches:
                host.terminate()
            self.net = None

    # -- queries -------------------------------------------------------------------------------

    def pid_of(self, name: str) -> int:
        """The pid whose namespaces are node or host `name`'s."""
        return self.hosts[name].pid

    def host_names(self) -> list[str]:
        """Nodes first, then `ext`."""
        return list(self.hosts)

    def links(self) -> list[tuple[str, str]]:
        """(interface, peer) pairs of the lab network, for `net`."""
        assert self.net is not None
        return [(str(link.intf1), str(link.intf2)) for link in self.net.links]

    # -- pods ----------------------------------------------------------------------------------

    def add_pod(self, key: str, node: str, ip: str, hostname: str,
                hosts_file: str, resolv_file: str) -> PodSandbox:
        """Create a pod's namespaces on `node` with `ip`, hostname and resolver files."""
        plan = self.plans[node]
        host = NamedHost(f"p-{key}", inNamespace=True)
        veth = f"veth{key[:8]}"
        try:
            with self._node_locks[node]:
                _run_script(self.hosts[node], [
                    f"ip link add {veth} type veth peer name eth0 netns {host.pid}",
                    f"ip addr add {plan.gateway}/32 dev {veth}",
                    f"ip link set {veth} up",
                    f"ip route add {ip}/32 dev {veth} scope link",
                ])
            _run_script(host, [
                "ip link set lo up",
                f"ip addr add {ip}/32 dev eth0",
                "ip link set eth0 up",
                f"ip route add {plan.gateway} dev eth0 scope link src {ip}",
                f"ip route add default via {plan.gateway} dev eth0 src {ip}",
                f"hostname {hostname}",
                f"mount --bind {hosts_file} /etc/hosts",
                f'mount --bind {resolv_file} "$(realpath /etc/resolv.conf)"',
            ])
        except Exception:
            host.terminate()
            raise
        sandbox = PodSandbox(key=key, node=node, ip=ip, pid=host.pid, host_veth=veth, host=host)
        with self._lock:
            self.pods[key] = sandbox
        return sandbox

    def remove_pod(self, key: str) -> None:
        """Tear down a pod's namespaces; its veth pair and the node's route go with them."""
        with self._lock:
            sandbox = self.pods.pop(key, None)
        if sandbox is None:
            return
        # The veth would vanish with the namespace once the kernel gets round to it; delete it now
        # so the node's route to this pod IP is gone before the IP can be handed out again.
        with self._node_locks[sandbox.node]:
            self.hosts[sandbox.node].cmd(f"ip link del {sandbox.host_veth} 2>/dev/null")
        sandbox.host.terminate()

