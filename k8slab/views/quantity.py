"""Resource quantities (`100m`, `128Mi`, `2`) parsed, summed and printed in canonical form.

kubectl prints a `resource.Quantity` with `String()`, which canonicalises it: `0.5` becomes
`500m`, `1024Ki` becomes `1Mi`, `2000` becomes `2k`. Describe's resource columns and node totals
need the same arithmetic, so this is a small exact (Fraction-based) port of that behaviour.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

BINARY_SI, DECIMAL_SI, DECIMAL_EXPONENT = "BinarySI", "DecimalSI", "DecimalExponent"

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$")


@dataclass(frozen=True)
class Quantity:
    """An exact quantity and the format it prints in."""

    value: Fraction
    format: str = DECIMAL_SI

    def __add__(self, other: "Quantity") -> "Quantity":
        # Go's Quantity.Add keeps the receiver's format unless the receiver is zero.
        fmt = other.format if self.value == 0 else self.format
        return Quantity(self.value + other.value, fmt)

    def milli_value(self) -> int:
        """`MilliValue()`: thousandths, rounded up."""
        return math.ceil(self.value * 1000)

    def int_value(self) -> int:
        """`Value()`: whole units, rounded up."""
        return math.ceil(self.value)

    def __str__(self) -> str:
        return canonical(self)


ZERO = Quantity(Fraction(0), DECIMAL_SI)


def parse_quantity(text: Union[str, int, float]) -> Quantity:
    """Parse `500m`, `1.5`, `128Mi`, `1e3`; numbers are accepted as their decimal spelling."""
    if isinstance(text, (int, float)):
        text = repr(text) if isinstance(text, float) else str(text)
    m = _QUANTITY.match(text.strip())
    if not m:
        raise ValueError(f"quantities must match the regular expression: {text!r}")
    number, suffix = Fraction(m.group(1)), m.group(2)
    if suffix in _BINARY:
        value, fmt = number * (1024 ** _BINARY[suffix]), BINARY_SI
    elif suffix in _DECIMAL:
        value, fmt = number * Fraction(10) ** _DECIMAL[suffix], DECIMAL_SI
    elif re.fullmatch(r"[eE][+-]?\d+", suffix):
        value, fmt = number * Fraction(10) ** int(suffix[1:]), DECIMAL_EXPONENT
    else:
        raise ValueError(f"unable to parse quantity's suffix: {text!r}")
    # The API server keeps nano precision at most, rounding away from zero.
    nanos = value * 10**9
    nanos = math.ceil(nanos) if nanos >= 0 else math.floor(nanos)
    return Quantity(Fraction(nanos, 10**9), fmt)


def canonical(q: Quantity) -> str:
    """`Quantity.String()`: the canonical spelling (`500m`, `1Mi`, `2k`, `0`)."""
    value, fmt = q.value, q.format
    if fmt == BINARY_SI and (-1024 < value < 1024 or value.denominator != 1):
        fmt = DECIMAL_SI  # small or fractional binary amounts print in decimal, like Go
    if fmt == BINARY_SI:
        amount, exp = int(value), 0
        while amount != 0 and amount % 1024 == 0 and exp < 6:
            amount //= 1024
            exp += 1
        return f"{amount}{_BINARY_SUFFIX.get(exp, '')}"
    if value == 0:
        return "0"
    # mantissa * 10**exp with the exponent a multiple of 3 and the mantissa an integer.
    exp = -9
    mantissa = int(value * 10**9)
    while mantissa % 10 == 0:
        mantissa //= 10
        exp += 1
    while exp % 3 != 0:
        mantissa *= 10
        exp -= 1
    if fmt == DECIMAL_EXPONENT:
        return f"{mantissa}" + (f"e{exp}" if exp else "")
    if exp > 18:
        mantissa *= 10 ** (exp - 18)
        exp = 18
    return f"{mantissa}{_DECIMAL_SUFFIX[exp]}"
