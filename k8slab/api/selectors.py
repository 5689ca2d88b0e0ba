"""Label selectors: kubectl's `-l` syntax (apimachinery `labels.Parse`) and matching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from k8slab.api import naming
from k8slab.api.errors import FieldError
from k8slab.errors import UserError

# Operators as the parser names them; the text is what str() prints.
EXISTS, DOES_NOT_EXIST = "exists", "!"
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
IN, NOT_IN, GREATER, LESS = "in", "notin", "gt", "lt"

_SYMBOLS = ("!=", "==", "=", "!", "(", ")", ",", ">", "<")
_BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"


class SelectorError(UserError):
    """A label selector kubectl would refuse to parse."""

    def __init__(self, detail: str, in_requirement: bool = True):
        # apimachinery prefixes only errors raised inside one requirement.
        prefix = "unable to parse requirement: " if in_requirement else ""
        super().__init__(f"error: {prefix}{detail}")
        self.detail = detail


@dataclass(frozen=True)
class Requirement:
    """One `key op values` term of a selector."""

    key: str
    operator: str
    values: Tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.operator in (IN, NOT_IN):
            # A set: order and repeats do not matter, so keep one canonical form for equality.
            object.__setattr__(self, "values", tuple(sorted(set(self.values))))

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a label set satisfies this term."""
        has = self.key in labels
        value = labels.get(self.key)
        if self.operator == EXISTS:
            return has
        if self.operator == DOES_NOT_EXIST:
            return not has
        if self.operator in (EQUALS, DOUBLE_EQUALS, IN):
            return has and value in self.values
        if self.operator in (NOT_EQUALS, NOT_IN):
            return not has or value not in self.values
        # gt/lt compare integers; a label that is not an integer never matches.
        try:
            left, right = int(str(value)), int(self.values[0])
        except (TypeError, ValueError):
            return False
        return has and (left > right if self.operator == GREATER else left < right)

    def __str__(self) -> str:
        if self.operator == EXISTS:
            return self.key
        if self.operator == DOES_NOT_EXIST:
            return "!" + self.key
        if self.operator in (IN, NOT_IN):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        symbol = {GREATER: ">", LESS: "<"}.get(self.operator, self.operator)
        return f"{self.key}{symbol}{self.values[0]}"


class Selector:
    """An AND of requirements; the empty selector matches everything."""

    def __init__(self, requirements: Iterable[Requirement] = ()):
        self.requirements: Tuple[Requirement, ...] = tuple(sorted(requirements, key=lambda r: r.key))

    @classmethod
    def parse(cls, text: str) -> "Selector":
        """Parse kubectl's `-l` syntax; SelectorError says what was expected."""
        return cls(_Parser(text).parse())

    @classmethod
    def from_match_labels(cls, labels: Mapping[str, str]) -> "Selector":
        """The selector `k1=v1,k2=v2` for a map (Service selector, matchLabels)."""
        return cls(Requirement(k, EQUALS, (v,)) for k, v in labels.items())

    @property
    def empty(self) -> bool:
        """True when the selector has no requirement (matches every object)."""
        return not self.requirements

    def matches(self, labels: Optional[Mapping[str, str]]) -> bool:
        """Whether every requirement holds for `labels`."""
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)

    def __repr__(self) -> str:
        return f"Selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Selector) and self.requirements == other.requirements

    def __hash__(self) -> int:
        return hash(self.requirements)


def parse_selector(text: str) -> Selector:
    """Shorthand for Selector.parse."""
    return Selector.parse(text)


def format_labels(labels: Optional[Mapping[str, str]]) -> str:
    """`k1=v1,k2=v2` sorted by key, `<none>` when empty (kubectl's LABELS/SELECTOR cells)."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


class _Parser:
    """Hand-written lexer+parser following apimachinery's, so errors name the same tokens."""

    def __init__(self, text: str):
        self.tokens = self._lex(text)
        self.pos = 0

    @staticmethod
    def _lex(text: str) -> List[str]:
        tokens: List[str] = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch.isspace():
                i += 1
                continue
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol:
                tokens.append(symbol)
                i += len(symbol)
                continue
            start = i
            while i < len(text) and not text[i].isspace() and not any(text.startswith(s, i) for s in _SYMBOLS):
                i += 1
            tokens.append(text[start:i])
        return tokens

    def _peek(self) -> str:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ""

    def _next(self) -> str:
        token = self._peek()
        self.pos += 1
        return token

    @staticmethod
    def _is_identifier(token: str) -> bool:
        return bool(token) and token not in _SYMBOLS

    def parse(self) -> List[Requirement]:
        out: List[Requirement] = []
        while True:
            token = self._peek()
            if token == "":
                return out
            if not (self._is_identifier(token) or token == "!"):
                raise SelectorError(f"found '{token}', expected: !, identifier, or 'end of string'", False)
            out.append(self._requirement())
            token = self._next()
            if token == "":
                return out
            if token != ",":
                raise SelectorError(f"found '{token}', expected: ',' or 'end of string'", False)
            following = self._peek()
            if not (self._is_identifier(following) or following == "!"):
                raise SelectorError(f"found '{following}', expected: identifier after ','", False)

    def _requirement(self) -> Requirement:
        negate = False
        token = self._next()
        if token == "!":
            negate = True
            token = self._next()
        if not self._is_identifier(token) or token in (IN, NOT_IN):
            raise SelectorError(f"found '{token}', expected: identifier")
        key = token
        _check_key(key)
        if negate:
            return Requirement(key, DOES_NOT_EXIST)
        if self._peek() in ("", ","):
            return Requirement(key, EXISTS)
        op = self._next()
        operator = {"=": EQUALS, "==": DOUBLE_EQUALS, "!=": NOT_EQUALS, "in": IN, "notin": NOT_IN,
                    ">": GREATER, "<": LESS}.get(op)
        if operator is None:
            raise SelectorError(f"found '{op}', expected: {_BINARY_OPERATORS}")
        values = self._set_values() if operator in (IN, NOT_IN) else self._exact_value()
        _check_values(key, operator, values)
        return Requirement(key, operator, values)

    def _exact_value(self) -> Tuple[str, ...]:
        token = self._peek()
        if token in ("", ","):
            return ("",)  # `a=` selects an empty value
        self._next()
        if not self._is_identifier(token):
            raise SelectorError(f"found '{token}', expected: identifier")
        return (token,)

    def _set_values(self) -> Tuple[str, ...]:
        token = self._next()
        if token != "(":
            raise SelectorError(f"found '{token}', expected: '('")
        values: List[str] = []
        expect_value = True
        while True:
            token = self._next()
            if token == ")":
                if expect_value and values:
                    values.append("")  # a trailing comma means an empty value
                return tuple(values)
            if token == ",":
                if expect_value:
                    values.append("")
                expect_value = True
                continue
            if self._is_identifier(token) and expect_value:
                values.append(token)
                expect_value = False
                continue
            expected = "',' or ')'" if not expect_value else "',', or identifier"
            raise SelectorError(f"found '{token}', expected: {expected}")


def _aggregate(path: str, value: str, problems: List[str]) -> str:
    # utilerrors.NewAggregate: one error bare, several inside [...].
    errors = [str(FieldError.invalid(path, value, msg)) for msg in problems]
    return errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"


def _check_key(key: str) -> None:
    problems = naming.is_qualified_name(key)
    if problems:
        raise SelectorError(_aggregate("key", key, problems))


def _check_values(key: str, operator: str, values: Tuple[str, ...]) -> None:
    if operator in (IN, NOT_IN) and not values:
        raise SelectorError("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty")
    for i, value in enumerate(values):
        if operator in (GREATER, LESS):
            if not value.lstrip("-").isdigit():
                detail = "for 'Gt', 'Lt' operators, the value must be an integer"
                raise SelectorError(f'values[{i}]: Invalid value: "{value}": {detail}')
            continue
        problems = naming.is_valid_label_value(value)
        if problems:
            raise SelectorError(_aggregate(f"values[{i}][{key}]", value, problems))


def selector_from_dict(labels: Optional[Dict[str, str]]) -> Selector:
    """Alias of Selector.from_match_labels that accepts None."""
    return Selector.from_match_labels(labels or {})
