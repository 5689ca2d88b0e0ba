"""Go's `text/tabwriter` column layout, which is what gives kubectl output its exact spacing.

kubectl writes cells separated by `\\t` and lets tabwriter align them: `get` tables use
minwidth 6 / padding 3, `describe` uses minwidth 0 / padding 2. A general table library cannot
reproduce tabwriter's rule that a column only aligns across *consecutive* lines that have a cell
in it (which is why describe's `QoS Class:` lines up with the `Volumes:` block above it), so
this is a faithful port of the algorithm (`Writer.format` / `writeLines`) with padchar ' ' and
no flags.
"""

from __future__ import annotations

from typing import List

GET_MINWIDTH, GET_PADDING = 6, 3  # cli-runtime printers.GetNewTabWriter
DESCRIBE_MINWIDTH, DESCRIBE_PADDING = 0, 2  # kubectl describe's tabbedString


def _format(lines: List[List[str]], minwidth: int, padding: int) -> str:
    out: List[str] = []
    widths: List[int] = []

    def write_lines(line0: int, line1: int) -> None:
        for i in range(line0, line1):
            cells = lines[i]
            text = []
            for j, cell in enumerate(cells):
                text.append(cell)
                if j < len(widths):
                    # Every cell except a line's last one is padded to its column's width.
                    text.append(" " * (widths[j] - len(cell)))
            out.append("".join(text))
            if i + 1 < len(lines):
                out.append("\n")

    def fmt(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            # A cell exists in this column: lines before it are laid out with the known widths.
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, len(lines[this][column]) + padding)
                this += 1
            widths.append(width)
            fmt(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    fmt(0, len(lines))
    return "".join(out)


def tabify(text: str, *, minwidth: int = GET_MINWIDTH, padding: int = GET_PADDING) -> str:
    """Align tab-separated `text` the way Go's tabwriter does (one flush at the end)."""
    if not text:
        return ""
    lines = [line.split("\t") for line in text.split("\n")]
    return _format(lines, minwidth, padding)


class TabWriter:
    """An incremental tabwriter: `write()` text, `flush()` to close the current alignment block."""

    def __init__(self, *, minwidth: int = GET_MINWIDTH, padding: int = GET_PADDING):
        self._minwidth = minwidth
        self._padding = padding
        self._pending: List[str] = []
        self._done: List[str] = []

    def write(self, text: str) -> None:
        """Buffer `text`; nothing is laid out until the next flush."""
        self._pending.append(text)

    def flush(self) -> None:
        """Lay out everything buffered since the last flush, as Go's `Writer.Flush` does."""
        text = "".join(self._pending)
        self._pending = []
        self._done.append(tabify(text, minwidth=self._minwidth, padding=self._padding))

    def getvalue(self) -> str:
        """Flush and return all output so far."""
        self.flush()
        return "".join(self._done)
