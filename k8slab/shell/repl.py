"""The interactive `k8slab>` prompt (prompt_toolkit)."""

from __future__ import annotations

import os
from contextlib import nullcontext

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout

from k8slab.shell.completion import ShellCompleter, tab_bindings
from k8slab.shell.lexer import line_lexer


def history_path() -> str:
    """Where the shell's history lives (XDG state directory)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "k8slab", "history")


def _history():
    path = history_path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a"):
            pass
        return FileHistory(path)
    except OSError:  # no writable home: history for this session only
        return InMemoryHistory()


def run_repl(session, ready_in: float) -> int:
    """Read and run commands until `exit` or Ctrl-D; return the exit status."""
    session.interactive = True
    cluster = session.cluster
    mode = "rootless sandbox" if cluster.sandbox and cluster.sandbox.rootless else "sandbox as root"
    session.printer.note(f"k8slab: {len(cluster.spec.node_plans())} nodes ready in {ready_in:.1f} s ({mode}). "
                         "Type `help` for the commands, `exit` or Ctrl-D to leave.")
    prompt = PromptSession(history=_history(), completer=ShellCompleter(session),
                           auto_suggest=AutoSuggestFromHistory(), complete_while_typing=True, lexer=line_lexer(session),
                           key_bindings=tab_bindings())
    # Background output (the DNS query log) is printed above the prompt, not through it. A dumb
    # terminal gets prompt_toolkit's plain prompt, which must write to the real stdout.
    dumb = os.environ.get("TERM", "dumb") in ("dumb", "unknown")
    with (nullcontext() if dumb else patch_stdout(raw=True)):
        while not session.exit_requested:
            try:
                line = prompt.prompt("k8slab> ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            session.run(line)
    return 0
