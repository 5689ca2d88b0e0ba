"""`k8slab doctor`: check this machine for what k8slab needs, and say how to fix what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, List, Optional

# command -> the Debian/Ubuntu package that provides it
REQUIRED_COMMANDS = {
    "mnexec": "mininet", "ip": "iproute2", "iptables": "iptables", "iptables-restore": "iptables",
    "ifconfig": "net-tools", "bash": "bash", "nsenter": "util-linux", "unshare": "util-linux",
    "mount": "mount", "sysctl": "procps", "conntrack": "conntrack",
}
POD_TOOLS = {
    "curl": "curl", "wget": "wget", "dig": "bind9-dnsutils", "nslookup": "bind9-dnsutils",
    "getent": "libc-bin", "nc": "netcat-openbsd", "ping": "iputils-ping", "sh": "dash",
}


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, whether it is fine, and how to fix it if not."""

    name: str
    ok: bool
    detail: str = ""
    fix: str = ""


def check_commands(table: dict, what: str) -> List[Check]:
    """Is each command on PATH?"""
    out = []
    for cmd, pkg in table.items():
        path = shutil.which(cmd, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
        out.append(Check(f"{cmd} ({what})", path is not None, path or "not found",
                         f"sudo apt-get install {pkg}"))
    return out


def check_python() -> Check:
    """Is this Python new enough?"""
    ok = sys.version_info >= (3, 9)
    return Check("Python >= 3.9", ok, sys.version.split()[0], "install Python 3.9 or newer")


def check_sandbox(probe: Callable[[], Optional[str]]) -> Check:
    """Can k8slab create its namespaces?"""
    why = probe()
    mode = "as root" if os.getuid() == 0 else "rootless (user namespace)"
    return Check(f"sandbox namespaces, {mode}", why is None, why or "ok",
                 "see the message above" if why else "")


def network_selftest() -> List[Check]:
    """Inside a throwaway sandbox: veth pairs, a bridge and an iptables NAT rule must work."""
    from k8slab import sandbox

    steps = [
        ("veth pair", "ip link add k8sdoc0 type veth peer name k8sdoc1"),
        ("Linux bridge", "ip link add k8sdocbr type bridge"),
        ("iptables nat table", "iptables -t nat -A POSTROUTING -o k8sdoc0 -j MASQUERADE"),
        ("iptables statistic match", "iptables -t nat -A OUTPUT -m statistic --mode random --probability 0.5 -j RETURN"),
    ]
    r, w = os.pipe()

    def inner(_info) -> int:
        os.close(r)
        lines = []
        for name, cmd in steps:
            p = subprocess.run(cmd.split(), capture_output=True, text=True)
            lines.append(f"{name}\t{p.returncode}\t{(p.stderr or p.stdout).strip()}")
        os.write(w, "\n".join(lines).encode())
        return 0

    try:
        sandbox.run_in_sandbox(inner)
    except Exception as e:  # noqa: BLE001 - reported as a failed check
        os.close(w)
        os.close(r)
        return [Check("network self-test", False, str(e), "fix the sandbox first")]
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    checks = []
    for line in text.splitlines():
        name, code, err = (line.split("\t") + ["", ""])[:3]
        checks.append(Check(f"{name} in the sandbox", code == "0", err or "ok",
                            "the kernel lacks this feature (k8slab needs veth, bridge and iptables NAT)"))
    return checks or [Check("network self-test", False, "no result", "run with --debug")]


def run_checks() -> List[Check]:
    """Every check, in order."""
    from k8slab import sandbox

    checks = [check_python()]
    checks += check_commands(REQUIRED_COMMANDS, "cluster")
    checks += check_commands(POD_TOOLS, "tools inside pods")
    sb = check_sandbox(sandbox.probe)
    checks.append(sb)
    if sb.ok:
        checks += network_selftest()
    return checks


def main() -> int:
    """Print the checks; exit status 0 when everything is fine."""
    from k8slab.views.doctor import render_checks

    checks = run_checks()
    sys.stdout.write(render_checks(checks))
    return 0 if all(c.ok for c in checks) else 1
