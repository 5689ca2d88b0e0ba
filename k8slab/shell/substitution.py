"""`$(kubectl ...)` in a command line: replaced by what that kubectl command prints, as a shell would.

Only kubectl is substituted by k8slab; any other `$(...)` is left for the shell of the node or pod
that runs the command (`node1 echo $(hostname)` is node1's hostname). Inside single quotes nothing
is substituted, as in sh.
"""

from __future__ import annotations

import re
from typing import Callable, Optional, Tuple

from k8slab.errors import UserError

KUBECTL = re.compile(r"\s*(kubectl|k)\s")


def expand(line: str, run: Callable[[str], Tuple[int, str, str]]) -> str:
    """`line` with each `$(kubectl ...)` replaced by its output (trailing newlines removed)."""
    if "$(" not in line:
        return line
    out, i, quote = [], 0, None
    while i < len(line):
        ch = line[i]
        if quote == "'":
            quote = None if ch == "'" else quote
        elif ch == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])
            i += 2
            continue
        elif ch in "'\"":
            quote = None if quote == ch else (quote or ch)
        elif line.startswith("$(", i):
            end = _closing(line, i + 2)
            inner = line[i + 2:end] if end is not None else ""
            if end is not None and KUBECTL.match(inner):
                code, stdout, stderr = run(inner.strip())
                if code:
                    raise UserError(stderr.strip() or f"error: `{inner.strip()}` failed")
                out.append(stdout.rstrip("\n"))
                i = end + 1
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _closing(line: str, start: int) -> Optional[int]:
    """The index of the `)` that closes a `$(` whose contents start at `start` (quotes respected)."""
    depth, quote = 1, None
    for j in range(start, len(line)):
        ch = line[j]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return j
    return None
