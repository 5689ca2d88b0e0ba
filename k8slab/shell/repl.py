"""The interactive `k8slab>` prompt (prompt_toolkit)."""

from __future__ import annotations

import os
import re
import shlex
from contextlib import nullcontext
from typing import Callable

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.filters import is_searching
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.search import accept_search

from k8slab.errors import UserError
from k8slab.shell.batch import HEREDOC_START, ScriptCommand, split_script
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


def run_repl(session, ready_in: float, config=None) -> int:
    """Read and run commands until `exit` or Ctrl-D; return the exit status."""
    from k8slab.config import Config
    from k8slab.views.welcome import welcome

    config = config or Config()
    session.interactive = True
    session.printer.text(welcome(session.cluster, ready_in, color=session.printer.colored), "err")
    from k8slab.shell.lessons import resume_offer

    from k8slab.shell.labs import resume_offer as lab_resume_offer

    for offer in (resume_offer(session), lab_resume_offer(session)):
        if offer:
            session.printer.note(offer)
    prompt = _prompt_session(session, config)
    # Continuation lines are YAML, not commands: a plain prompt with no completion or highlighting.
    more = PromptSession(history=InMemoryHistory(), editing_mode=prompt.editing_mode)
    while not session.exit_requested:
        try:
            with _above_prompt():
                line = prompt.prompt(PROMPT)
                commands = read_commands(line, lambda: more.prompt(CONTINUATION), session.printer.note)
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        except UserError as e:
            session.printer.error(str(e))
            continue
        for command in commands:
            result = session.run(command.text, command.stdin)
            session.printer.end_line()
            if session.exit_requested or result.exit_code == 130:
                break
    return 0


MANIFEST_START = re.compile(r"\s*(---|apiVersion:|kind:)")
def _above_prompt():
    """While the prompt waits, background output (the DNS query log) is printed above it.

    Only then: a command's own output goes straight to the terminal, in order, and is all out
    before a program inside the cluster is lent the terminal. A dumb terminal gets prompt_toolkit's
    plain prompt, which must write to the real stdout.
    """
    dumb = os.environ.get("TERM", "dumb") in ("dumb", "unknown")
    return nullcontext() if dumb else patch_stdout(raw=True)


PROMPT = "k8slab> "
CONTINUATION = "> "


def _prompt_session(session, config) -> PromptSession:
    from prompt_toolkit.enums import EditingMode

    from k8slab.shell.style import color_depth, prompt_style
    from k8slab.shell.toolbar import toolbar

    mode = EditingMode.VI if config.key_mode == "vi" else EditingMode.EMACS
    return PromptSession(history=_history(), completer=ShellCompleter(session),
                         auto_suggest=AutoSuggestFromHistory(), complete_while_typing=True, lexer=line_lexer(session),
                         key_bindings=merge_key_bindings([tab_bindings(), _search_bindings()]),
                         editing_mode=mode, style=prompt_style(config.theme),
                         color_depth=color_depth(config.color, config.theme),
                         bottom_toolbar=(lambda: toolbar(session)) if config.toolbar else None,
                         refresh_interval=1.0 if config.toolbar else 0)


def _search_bindings() -> KeyBindings:
    """Enter in a Ctrl-R search runs the line found, as in bash (prompt_toolkit only leaves the search)."""
    kb = KeyBindings()

    @kb.add("enter", filter=is_searching)
    def _(event) -> None:
        accept_search()
        event.app.current_buffer.validate_and_handle()

    return kb


def read_commands(line: str, more: Callable[[], str], note: Callable[[str], None] = lambda _: None) -> list:
    """The commands of what was typed (or pasted): heredocs are completed with `more()` lines.

    `kubectl apply -f -` with nothing to read from gets its manifest the way a shell gives it:
    the lines that follow, up to Ctrl-D (EOF) on a line of its own.
    """
    text = line
    if MANIFEST_START.match(text):
        raise UserError("error: that is a manifest, not a command: type `kubectl apply -f -`, paste it, then "
                        "press Ctrl-D (or give it as a heredoc: kubectl apply -f - <<EOF ... EOF)")
    while True:
        try:
            commands = split_script(text)
            break
        except UserError as e:
            if "not terminated" not in str(e):
                raise
            try:
                text += "\n" + more()
            except EOFError:  # Ctrl-D ends a heredoc too, as in bash (with a warning there)
                text += "\n" + _unterminated_word(text)
    if len(commands) == 1 and commands[0].stdin is None and reads_stdin(commands[0].text):
        note("Reading the manifest from standard input: type or paste it, then Ctrl-D on a line of its own "
             "(Ctrl-C cancels).")
        body = []
        while True:
            try:
                body.append(more())
            except EOFError:
                break
        commands = [ScriptCommand(commands[0].text, "\n".join(body) + "\n", commands[0].line)]
    return commands


def reads_stdin(text: str) -> bool:
    """Does this command read a manifest from standard input (`-f -`, `--filename=-`)?"""
    try:
        words = shlex.split(text)
    except ValueError:
        return False
    if "|" in words:
        return False
    pairs = zip(words, words[1:] + [""])
    return any((w in ("-f", "--filename") and nxt == "-") or w in ("-f=-", "--filename=-") for w, nxt in pairs)


def _unterminated_word(text: str) -> str:
    for line in reversed(text.splitlines()):
        match = HEREDOC_START.search(line)
        if match:
            return match.group(2)
    return "EOF"
