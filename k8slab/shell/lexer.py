"""Highlighting of the line being typed: commands, kubectl subcommands, kinds, flags, values, strings.

`highlight` is pure: it reads the line as completion does (cmdline.py) and names each piece; the
Lexer gives prompt_toolkit a style per name (`class:line.<name>`, so that a theme can restyle it).
With NO_COLOR set there is no highlighting at all.
"""

from __future__ import annotations

import os
from typing import Callable, List, Optional, Tuple

from prompt_toolkit.lexers import Lexer

from k8slab.shell.cmdline import VERB_ALIASES, VERBS, Slot, Tables, Token, read_line, tokenize

STYLES = {
    "command": "bold ansigreen",
    "unknown": "ansired",
    "subcommand": "bold ansicyan",
    "kind": "ansimagenta",
    "flag": "ansiyellow",
    "value": "ansicyan",
    "string": "ansigreen",
    "pipe": "bold",
    "separator": "bold",
}
Piece = Tuple[str, str]  # (what it is: a key of STYLES, or "" for plain text; the text)


def highlight(text: str, tables: Tables) -> List[Piece]:
    """The line cut into pieces that cover it exactly, each named for its style."""
    tokens = tokenize(text)
    line = read_line(tokens, tables)
    pieces: List[Piece] = []
    at = 0
    for i, (tok, slot) in enumerate(zip(tokens, line.slots)):
        if tok.start > at:
            pieces.append(("", text[at:tok.start]))
        partial = i == len(tokens) - 1 and tok.end == len(text)  # still being typed
        pieces += _token_pieces(tok, slot, tables, partial)
        at = tok.end
    if at < len(text):
        pieces.append(("", text[at:]))
    return [p for p in pieces if p[1]]


def _token_pieces(tok: Token, slot: Slot, tables: Tables, partial: bool) -> List[Piece]:
    raw, role = tok.raw, slot.role
    if role == "flag":
        name = "flag" if slot.flag is not None or (partial and _flag_prefix(slot, raw)) else "unknown"
        if slot.attached:
            rest = "string" if tok.quoted else "value"
            return [(name, raw[:slot.attached]), (rest, raw[slot.attached:])]
        return [(name, raw)]
    if tok.quoted:
        return [("string", raw)]
    if role in ("command", "host"):
        return [("command", raw)]
    if role == "unknown":
        names = _names_for(slot, tables)
        return [("" if partial and any(n.startswith(raw) for n in names) else "unknown", raw)]
    simple = {"subcommand": "subcommand", "value": "value", "pipe": "pipe", "dashdash": "separator"}
    if role in simple:
        return [(simple[role], raw)]
    if role == "arg":
        return _arg_pieces(raw, slot.hint, partial)
    return [("", raw)]


def _arg_pieces(raw: str, hint: str, partial: bool) -> List[Piece]:
    from k8slab.api import kinds

    if hint in VERBS:
        verbs = VERBS[hint]
        if VERB_ALIASES.get(raw, raw) in verbs:
            return [("subcommand", raw)]
        return [("" if partial and any(v.startswith(raw) for v in verbs) else "unknown", raw)]
    if hint not in ("kind", "pod", "source", "destination", "service-ref") or (hint != "kind" and "/" not in raw):
        return [("", raw)]
    head, slash, rest = raw.partition("/")
    parts = head.split(",")
    known = all(kinds.try_resolve(p) or (p == "all" and hint == "kind") for p in parts if p)
    style = "kind" if known else ("" if partial and not slash else "unknown")
    return [(style, head), ("", slash + rest)]


def _names_for(slot: Slot, tables: Tables) -> List[str]:
    registry = tables.kubectl if slot.hint == "subcommand" else tables.registry
    names = list(registry.commands)
    return names + list(tables.hosts) if slot.hint == "command" else names


def _flag_prefix(slot: Slot, raw: str) -> bool:
    flags = slot.command.flags if slot.command else ()
    return any(n.startswith(raw) for f in flags for n in f.names)


class LineLexer(Lexer):
    """prompt_toolkit's view of `highlight`."""

    def __init__(self, tables: Callable[[], Tables]):
        self.tables = tables

    def lex_document(self, document):
        """Style each line of the document on its own."""
        tables = self.tables()
        lines = [[(_style(kind), text) for kind, text in highlight(line, tables)] for line in document.lines]
        return lambda n: lines[n] if n < len(lines) else []


def _style(kind: str) -> str:
    # The default colours first, then the class: a theme that styles `line.<kind>` wins.
    return f"{STYLES[kind]} class:line.{kind}" if kind else ""


def line_lexer(session) -> Optional[LineLexer]:
    """The lexer for a session's prompt, or None when NO_COLOR asks for no colour (https://no-color.org)."""
    if "NO_COLOR" in os.environ:
        return None
    from k8slab.shell.completion import tables_of

    return LineLexer(lambda: tables_of(session))
