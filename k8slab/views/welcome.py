"""What a learner sees first: the cluster is ready, and what to type."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

FIRST_STEPS = (
    ("lesson start 1", "guided lessons, checked step by step"),
    ("kubectl get nodes", "the machines of your cluster"),
    ("kubectl run web --image=nginx", "a pod running a web server"),
    ("kubectl expose pod web --port=80", "a Service in front of it"),
    ("kubectl run -it --rm box --image=busybox -- sh", "a shell in a pod: try wget -qO- web"),
)


def welcome(cluster, ready_in: float, color: bool = False) -> str:
    """The greeting: how the cluster started, the first commands to try, where help is."""
    sandbox = getattr(cluster, "sandbox", None)
    mode = "rootless sandbox" if sandbox is not None and sandbox.rootless else "sandbox as root"
    nodes = len(cluster.spec.node_plans())
    text = Text()
    text.append(f"k8slab: your {nodes}-node Kubernetes cluster is ready ({ready_in:.1f} s, {mode}).\n", "bold")
    width = max(len(cmd) for cmd, _ in FIRST_STEPS)
    for i, (cmd, what) in enumerate(FIRST_STEPS):
        text.append("Try first:  " if i == 0 else "            ")
        text.append(cmd.ljust(width), "bold cyan")
        text.append(f"  # {what}\n", "dim")
    text.append("`help` lists the commands, Tab completes, `exit` or Ctrl-D leaves.")
    out = io.StringIO()
    Console(file=out, force_terminal=color, no_color=not color, color_system="standard" if color else None,
            width=200, highlight=False).print(text)
    return out.getvalue().rstrip("\n")
