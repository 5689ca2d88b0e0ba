"""The parser half of kubectl's JSONPath (client-go `util/jsonpath/parser.go`).

Text outside `{}` is copied as is; each `{...}` action becomes a chain of steps (`.field`, `[0]`,
`[1:3]`, `[*]`, `..name`, `['a','b']` unions, `[?(@.x=="y")]` filters, quoted text, numbers);
`{range X}...{end}` spans become RangeBlocks. Error texts are client-go's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple, Union



class JSONPathError(Exception):
    """A template that does not parse (client-go's message)."""


class JSONPathExecError(JSONPathError):
    """A template that parsed but failed while evaluated (client-go's message)."""


# ---------------------------------------------------------------------------------------------
# Nodes

@dataclass
class Text:
    text: str


@dataclass
class Field:
    name: str


@dataclass
class Wildcard:
    pass


@dataclass
class Recursive:
    pass


@dataclass
class Array:
    start: Optional[int]
    end: Optional[int]
    step: Optional[int]
    derived_end: bool = False  # `[i]` is `[i:i+1]`; a derived end of 0 (from `[-1]`) means len


@dataclass
class Union_:
    branches: List["Action"]


@dataclass
class Filter:
    left: "Action"
    op: str
    right: "Action"


@dataclass
class Literal:
    value: Union[int, float, bool]


@dataclass
class Ident:
    name: str


@dataclass
class Action:
    steps: List[Any] = field(default_factory=list)


@dataclass
class RangeBlock:
    expr: Action
    body: List[Any]


_DICT_KEY = re.compile(r"^'([^']*)'$")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=]+)(.+?)$")
_TERMINATORS = set(" \t\r\n.,[]$@{}")


# ---------------------------------------------------------------------------------------------
# Parser

class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def parse(self) -> List[Any]:
        nodes: List[Any] = []
        while self.pos < len(self.text):
            brace = self.text.find("{", self.pos)
            if brace < 0:
                nodes.append(Text(self.text[self.pos:]))
                break
            if brace > self.pos:
                nodes.append(Text(self.text[self.pos:brace]))
            self.pos = brace + 1
            action = Action()
            self._inside(action)
            nodes.append(action)
        return nodes

    def _inside(self, cur: Action) -> None:
        text = self.text
        while True:
            rest = text[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                return
            if rest.startswith("[?("):
                self._filter(cur)
                continue
            if rest.startswith(".."):
                if cur.steps and isinstance(cur.steps[-1], Recursive):
                    raise JSONPathError("invalid multiple recursive descent")
                self.pos += 2
                cur.steps.append(Recursive())
                if self.pos < len(text) and _alnum(text[self.pos]):
                    self._field(cur)
                continue
            if not rest or rest[0] in "\r\n":
                raise JSONPathError("unclosed action")
            ch = rest[0]
            self.pos += 1
            if ch in " @$":
                continue  # `@` and `$` both name the current object
            if ch == "[":
                self._array(cur)
            elif ch in "\"'":
                self._quote(cur, ch)
            elif ch == ".":
                self._field(cur)
            elif ch in "+-" or ch.isdigit():
                self.pos -= 1
                self._number(cur)
            elif _alnum(ch):
                self.pos -= 1
                self._identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: U+{ord(ch):04X} '{ch}'")

    def _field(self, cur: Action) -> None:
        start = self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\":
                self.pos += 2
                continue
            if ch in _TERMINATORS:
                break
            self.pos += 1
        value = self.text[start:self.pos]
        cur.steps.append(Wildcard() if value == "*" else Field(value.replace("\\", "")))

    def _identifier(self, cur: Action) -> None:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _TERMINATORS:
            self.pos += 1
        value = self.text[start:self.pos]
        cur.steps.append(Literal(value == "true") if value in ("true", "false") else Ident(value))

    def _number(self, cur: Action) -> None:
        start = self.pos
        if self.text[self.pos] in "+-":
            self.pos += 1
        while self.pos < len(self.text) and (self.text[self.pos] == "." or self.text[self.pos].isdigit()):
            self.pos += 1
        value = self.text[start:self.pos]
        try:
            cur.steps.append(Literal(int(value)))
        except ValueError:
            try:
                cur.steps.append(Literal(float(value)))
            except ValueError:
                raise JSONPathError(f"cannot parse number {value}") from None

    def _quote(self, cur: Action, quote: str) -> None:
        start = self.pos - 1
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise JSONPathError("unterminated quoted string")
            ch = self.text[self.pos]
            self.pos += 1
            if ch == quote and self.text[self.pos - 2] != "\\":
                break
        raw = self.text[start:self.pos]
        cur.steps.append(Text(_unquote(raw)))

    def _array(self, cur: Action) -> None:
        start = self.pos - 1
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise JSONPathError("unterminated array")
            self.pos += 1
            if self.text[self.pos - 1] == "]":
                break
        inner = self.text[start + 1:self.pos - 1]
        if inner == "*":
            inner = ":"
        parts = inner.split(",")
        if len(parts) > 1:
            cur.steps.append(Union_([_parse_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.match(inner)
        if key:
            # `['a.b']` is parsed as `.a.b`: dots inside must be escaped (`['a\\.b']`), as in kubectl.
            cur.steps.extend(_parse_action("." + key.group(1)).steps)
            return
        m = _SLICE.match(inner)
        if not m:
            raise JSONPathError(f"invalid array index {inner}")
        g0, g1, g2 = m.group(1), m.group(2), m.group(3)
        start_i = _index(g0) if g0 else None
        step_i = _index(g2[1:]) if g2 and g2[1:] else None
        if g1 is None:
            # `[i]` means `[i:i+1]`; kubectl remembers that the end was derived (see Array).
            cur.steps.append(Array(start_i, (start_i or 0) + 1, step_i, derived_end=True))
        else:
            cur.steps.append(Array(start_i, _index(g1[1:]) if g1[1:] else None, step_i))

    def _filter(self, cur: Action) -> None:
        self.pos += 3
        start = self.pos
        begin = end = False
        pair = ""
        while True:
            if self.pos >= len(self.text) or self.text[self.pos] == "\n":
                raise JSONPathError("unterminated filter")
            ch = self.text[self.pos]
            self.pos += 1
            if ch in "\"'":
                if not begin:
                    begin, pair = True, ch
                    continue
                if self.text[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self.pos >= len(self.text) or self.text[self.pos] != "]":
            raise JSONPathError("unclosed array expect ]")
        self.pos += 1
        expr = self.text[start:self.pos - 2]
        m = _FILTER.match(expr)
        if m is None:
            cur.steps.append(Filter(_parse_action(expr), "exists", Action()))
        else:
            cur.steps.append(Filter(_parse_action(m.group(1)), m.group(2), _parse_action(m.group(3))))


def _index(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise JSONPathError(f"array index {text} is not a number") from None


def _alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdigit()


def _unquote(raw: str) -> str:
    quote, body = raw[0], raw[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == quote:
            out.append(quote)
            i += 2
        elif nxt in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[nxt]
            out.append(chr(int(body[i + 2:i + 2 + size], 16)))
            i += 2 + size
        elif nxt.isdigit():
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise JSONPathError(f"unquote string {raw} error invalid syntax")
    return "".join(out)


def _parse_action(text: str) -> Action:
    p = _Parser("{" + text + "}")
    nodes = p.parse()
    return nodes[0] if nodes and isinstance(nodes[0], Action) else Action()


def _nest_ranges(nodes: List[Any]) -> List[Any]:
    """Turn `{range X}...{end}` spans of the flat node list into RangeBlocks."""
    out: List[Any] = []
    stack: List[Tuple[List[Any], Action]] = []
    for node in nodes:
        if isinstance(node, Action) and node.steps and isinstance(node.steps[0], Ident):
            name = node.steps[0].name
            if name == "range":
                stack.append((out, Action(node.steps[1:])))
                out = []
                continue
            if name == "end":
                if not stack:
                    raise JSONPathExecError("not in range, nothing to end")
                parent, expr = stack.pop()
                parent.append(RangeBlock(expr, out))
                out = parent
                continue
        out.append(node)
    while stack:  # a range without `end` runs to the end of the template
        parent, expr = stack.pop()
        parent.append(RangeBlock(expr, out))
        out = parent
    return out


def parse(template: str) -> List[Any]:
    """Parse a template into nodes; raises JSONPathError with client-go's message."""
    return _nest_ranges(_Parser(template).parse())
