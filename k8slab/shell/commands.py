"""The shell's own commands (help, nodes, net, exit), `<host> <command>`, and the kubectl entry."""

from __future__ import annotations

import os
import subprocess
from typing import Iterator, Optional

from k8slab.errors import UserError
from k8slab.runtime import processes
from k8slab.shell import helptext
from k8slab.shell.registry import Command, Flag, Registry
from k8slab.shell.results import Result
from k8slab.shell.suggestions import closest


def build_registry() -> Registry:
    """Every top-level command of the shell."""
    from k8slab.shell.kubectl import run_kubectl

    reg = Registry()
    reg.add(Command("kubectl", "run a kubectl command against the cluster", "kubectl COMMAND [ARGS]",
                    run_kubectl, aliases=("k",), program="k8slab", group="kubectl"))
    reg.add(Command("nodes", "list the nodes and hosts of the lab network", "nodes", _nodes, program="k8slab",
                    group="Cluster"))
    reg.add(Command("net", "show the lab network: addresses, pod CIDRs, links", "net", _net, program="k8slab",
                    group="Network"))
    from k8slab.shell.network import proxy_command, trace_command

    reg.add(Command("proxy", "show a node's kube-proxy rules (iptables-save), or one Service's",
                    "proxy rules [NODE] [SERVICE] [--counters]", proxy_command, program="k8slab", group="Network",
                    flags=(Flag(("--counters", "-c"), "show each rule's packet and byte counters"),
                           Flag(("-n",), "the SERVICE's namespace", value="NS")),
                    positional=("proxy-what",)))
    reg.add(Command("trace", "follow a new connection through kube-proxy's rules and the network",
                    "trace FROM TO[:PORT] [--udp] [--diagram] [--svg FILE]", trace_command, program="k8slab",
                    group="Network",
                    flags=(Flag(("--udp",), "a UDP connection (default TCP)"),
                           Flag(("--diagram",), "draw the path as boxes and arrows"),
                           Flag(("--svg",), "write the diagram to FILE as SVG (for slides)", value="FILE")),
                    positional=("source", "destination"),
                    examples=("trace client svc/web", "trace ext node2:30080", "trace node1 10.96.0.1:443",
                              "trace ext node2:30080 --diagram", "trace client svc/web --svg trace.svg")))
    from k8slab.shell.pictures import TOPO_FLAGS, TOPO_SYNTAX, topo_command

    reg.add(Command("topo", "draw the cluster: nodes, pods, Services and their endpoints (or one Service's map)",
                    TOPO_SYNTAX, topo_command, program="k8slab", group="Network", flags=TOPO_FLAGS,
                    positional=("service-ref",),
                    examples=("topo", "topo -A", "topo svc/web", "topo svc/web --svg web.svg")))
    from k8slab.shell.dns import dns_command

    reg.add(Command("dns", "what the cluster DNS answers; its live query log",
                    "dns records [NAMESPACE/SERVICE] | dns log on|off", dns_command, program="k8slab", group="Network",
                    positional=("dns-what",),
                    examples=("dns records default/web", "dns log on")))
    reg.add(Command("node", "make a node fail (stop) or come back (start), as a real machine would",
                    "node stop|start NODE", _node_power, program="k8slab", group="Cluster", positional=("node-what",),
                    examples=("node stop node2", "node start node2")))
    from k8slab.shell.lessons import check_command, hint_command, lesson_command, solution_command

    reg.add(Command("lesson", "guided lessons: list them, start one, move through its steps",
                    "lesson list|start N|status|next|back|reset|resume|stop", lesson_command, program="k8slab",
                    group="Lessons", positional=("lesson-what",),
                    examples=("lesson list", "lesson start 1", "lesson next", "lesson resume")))
    reg.add(Command("hint", "one more hint for the lesson's current step", "hint", hint_command, program="k8slab",
                    group="Lessons"))
    reg.add(Command("solution", "the reference solution of the current step", "solution", solution_command,
                    program="k8slab", group="Lessons"))
    reg.add(Command("check", "check the current step now and say what is missing", "check", check_command,
                    program="k8slab", group="Lessons"))
    from k8slab.shell.labs import lab_command

    reg.add(Command("lab", "classroom labs: start one, see its tasks and clock, take hints, submit",
                    "lab list | start N [--student NAME] [--code CODE] | status | hint TASK | answer TASK TEXT | "
                    "submit [DIR] | stop | resume", lab_command, program="k8slab", group="Lessons", positional=("lab-what",),
                    examples=("lab list", "lab start 1 --student alice --code 1f2e3d...", "lab status",
                              "lab hint 2", "lab answer node-port 30080", "lab submit")))
    reg.add(Command("help", "show the commands (help COMMAND for one)", "help [COMMAND]", _help,
                    aliases=("?",), program="k8slab", group="Session", positional=("command",)))
    reg.add(Command("clear", "clear the screen (Ctrl-L does too)", "clear", _clear, program="k8slab",
                    group="Session"))
    reg.add(Command("exit", "leave k8slab (the cluster goes with it)", "exit", _exit, aliases=("quit",),
                    program="k8slab", group="Session"))
    return reg


def _help(session, words, _stdin) -> Result:
    from k8slab.shell.kubectl import KUBECTL

    if not words:
        return Result().say(helptext.overview(session.registry.unique(), KUBECTL.unique(),
                                              session.cluster.network.host_names()))
    kubectl = session.registry.find("kubectl")
    if session.registry.find(words[0]) is kubectl:  # help kubectl [COMMAND], help k get
        if len(words) == 1:
            return Result().say(helptext.kubectl_help(kubectl, KUBECTL.unique()))
        cmd = KUBECTL.find(words[1])
    else:
        cmd = session.registry.find(words[0]) or KUBECTL.find(words[0])
    if cmd is None:
        name = words[-1]
        guess = closest(name, list(session.registry.commands) + list(KUBECTL.commands))
        hint = f' Did you mean "{guess}"?' if guess else ' Type "help" to see the commands.'
        raise UserError(f'error: no help for "{name}": unknown command.{hint}')
    return Result().say(helptext.command_help(cmd))


def _node_power(session, words, _stdin) -> Result:
    cluster = session.cluster
    if len(words) != 2 or words[0] not in ("stop", "start") or words[1] not in cluster.network.plans:
        raise UserError(f"error: usage: node stop|start NODE  (nodes: {', '.join(cluster.network.plans)})")
    action, name = words
    lifecycle = cluster.node_lifecycle
    if action == "stop":
        if not cluster.kubelets[name].alive.is_set():
            raise UserError(f"error: {name} is already stopped")
        cluster.stop_node(name)
        return Result().say(
            f"{name} is down: its processes and pods stopped and its network link is unplugged. The control plane "
            f"marks it NotReady after {lifecycle.grace:g} s without news (real clusters: 40 s) and evicts its pods "
            f"{lifecycle.eviction:g} s later (real clusters: 5 min), so that their controllers recreate them elsewhere.")
    if cluster.kubelets[name].alive.is_set():
        raise UserError(f"error: {name} is already running")
    cluster.start_node(name)
    return Result().say(f"{name} is back: its kubelet reports Ready again and restarts the pods still bound to it.")


def _clear(session, _words, _stdin) -> Result:
    # Only a terminal gets the escape sequence; a batch log gets nothing.
    return Result().say("\033[H\033[2J") if session.interactive else Result()


def _exit(session, _words, _stdin) -> Result:
    session.exit_requested = True
    return Result()


def _nodes(session, _words, _stdin) -> Result:
    net = session.cluster.network
    rows = [("NAME", "ROLE", "IP", "POD CIDR")]
    for plan in net.plans.values():
        rows.append((plan.name, "node", plan.ip, plan.pod_cidr))
    from k8slab.net.addresses import EXT_IP, EXT_NAME, OUTSIDE_ADDRESSES, WORLD_IP, WORLD_NAME

    rows.append((EXT_NAME, "outside the cluster (your laptop)", EXT_IP, "-"))
    rows.append((WORLD_NAME, "the outside world: " + ", ".join(OUTSIDE_ADDRESSES), WORLD_IP, "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    text = "\n".join("   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
    return Result().say(text)


def _net(session, _words, _stdin) -> Result:
    net = session.cluster.network
    lines = ["lab network 172.18.0.0/16 on switch s1 (a Linux bridge)"]
    for a, b in net.links():
        lines.append(f"  {a} <-> {b}")
    lines.append("pod networks (routed, one /24 per node; each pod has a veth to its node):")
    for plan in net.plans.values():
        pods = [p for p in net.pods.values() if p.node == plan.name]
        lines.append(f"  {plan.name}: {plan.pod_cidr} gateway {plan.gateway}, {len(pods)} pod(s)")
        for p in sorted(pods, key=lambda p: p.ip):
            lines.append(f"    {p.host_veth} <-> eth0 {p.ip}")
    return Result().say("\n".join(lines))


def run_on_host(session, host: str, command: str, stdin: Optional[str]) -> Result:
    """Mininet style: run a shell command on a node or on `ext`, streaming its output."""
    if not command:
        raise UserError(f"error: what should {host} run? e.g. `{host} ip route`, or `{host} sh` for a shell")
    pid = session.cluster.host_pid(host)
    if stdin is None and session.can_attach():
        # At a terminal the command gets one of its own (top, vi, ping's Ctrl-C summary, a shell).
        argv = processes.nsenter_argv(pid) + ["sh", "-c", command]
        return Result(attach=lambda: attach_terminal(argv, {**_host_env(host), "PS1": f"{host}:$PWD# "}))
    if command.split()[0] in INTERACTIVE_SHELLS and len(command.split()) == 1 and stdin is None:
        raise UserError(f"error: `{host} {command}` needs a terminal: start k8slab in one, or give the shell "
                        f"a command: {host} sh -c 'ip route; ip addr'")
    return stream_process(processes.popen_in(pid, ["sh", "-c", command], env=_host_env(host),
                                             stdin_data=stdin))


INTERACTIVE_SHELLS = ("sh", "bash", "dash", "ash", "zsh")


def attach_terminal(argv, env, failure: Optional[str] = None) -> Result:
    """Run argv on a terminal of its own, lent the learner's, until it exits; report a failure."""
    from k8slab.runtime.tty import PtyProcess
    from k8slab.shell.terminal import relay, terminal_size

    rows, cols = terminal_size()
    try:
        proc = PtyProcess(argv, env, rows=rows, cols=cols)
    except OSError as e:
        raise UserError(f"error: cannot open a terminal: {e.strerror}")
    result = Result()
    result.exit_code = relay(proc, replay=True)  # what it printed before the relay began (its prompt)
    if result.exit_code and failure:
        result.fail(failure.format(code=result.exit_code), result.exit_code)
    return result


def local_shell(command: str, stdin: str) -> Result:
    """Run the right-hand side of a pipe with the sandbox's own shell tools (grep, head, wc...)."""
    popen = subprocess.Popen(["sh", "-c", command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=_host_env("k8slab"), start_new_session=True)
    processes.feed_stdin(popen, stdin)
    return stream_process(popen)


def _host_env(host: str) -> dict:
    return {"PATH": processes.DEFAULT_PATH, "HOME": "/root", "HOSTNAME": host, "TERM": os.environ.get("TERM", "dumb")}


def stream_process(popen: subprocess.Popen, failure: Optional[str] = None) -> Result:
    """A Result that streams a process's output and ends with its exit status."""
    result = Result()

    def chunks() -> Iterator:
        try:
            fd = popen.stdout.fileno()
            while True:
                data = os.read(fd, 65536)
                if not data:
                    break
                yield "out", data.decode(errors="replace")
            code = popen.wait()
            result.exit_code = code if code >= 0 else 128 - code
            if code and failure:
                yield "err", failure.format(code=result.exit_code) + "\n"
        finally:
            if popen.poll() is None:
                processes.signal_group(popen, 9)
                popen.wait()
            popen.stdout.close()

    result.stream = chunks()
    return result
