"""Pictures as text or SVG: rich renderables drawn for the terminal (colour only when it takes colour)
or recorded for slides, plus the marks and helpers the pictures share."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Tuple

from rich.console import Console, RenderableType
from rich.text import Text

from k8slab.views.podstatus import pod_summary

DEFAULT_WIDTH = 120
_CODE = re.compile(r"\033\[[0-9;]*m")
_TAIL = re.compile(r"(?:\s|\033\[[0-9;]*m)+$")  # spaces and colour codes that end a line
ARROW = "─▶"
# Pod states: a mark that reads without colour, and the colour that helps when there is one.
READY, NOT_READY, WAITING, ENDING, DONE, BROKEN = "ready", "not ready", "waiting", "ending", "done", "broken"
_MARK = {READY: ("●", "green"), NOT_READY: ("○", "yellow"), WAITING: ("◌", "yellow"),
         ENDING: ("◐", "magenta"), DONE: ("✓", "dim"), BROKEN: ("✗", "red")}


@dataclass(frozen=True)
class Look:
    """How a picture is drawn: its width in columns and whether it may use colour."""

    width: int = DEFAULT_WIDTH
    color: bool = False


def _console(look: Look, record: bool = False) -> Console:
    # force_terminal only with colour: a StringIO is never a terminal, and without colour no
    # control code at all may come out (NO_COLOR, pipes, batch logs).
    return Console(file=io.StringIO(), width=look.width, record=record, highlight=False, emoji=False,
                   markup=False, soft_wrap=False, legacy_windows=False,
                   color_system="truecolor" if record else ("standard" if look.color else None),
                   force_terminal=look.color or record, no_color=not (look.color or record))


def to_text(picture: RenderableType, look: Look) -> str:
    """The picture as terminal text: ANSI colour only when `look.color`, never trailing spaces."""
    console = _console(look)
    console.print(picture)
    return "\n".join(_without_trailing_spaces(line) for line in console.file.getvalue().rstrip("\n").splitlines())


def _without_trailing_spaces(line: str) -> str:
    # Keep the colour codes of the tail (a reset must still come), drop its spaces.
    tail = _TAIL.search(line)
    return line if tail is None else line[:tail.start()] + "".join(_CODE.findall(tail.group()))


def to_svg(picture: RenderableType, look: Look, title: str) -> str:
    """The picture as an SVG document (rich's own export), always in colour, for slides."""
    console = _console(look, record=True)
    console.print(picture)
    return console.export_svg(title=title)


def pod_state(pod: dict) -> Tuple[str, str]:
    """(state, word) of a pod: the state picks its mark, the word is kubectl's STATUS when it matters."""
    ready, total, status, _, _ = pod_summary(pod)
    if status == "Terminating":
        return ENDING, status
    if status in ("Running", "NotReady"):
        return (READY, "") if ready == total and _ready_condition(pod) else (NOT_READY, "not ready")
    if status in ("Completed", "Succeeded"):
        return DONE, status
    if status in ("Pending", "ContainerCreating", "PodInitializing", "SchedulingGated") or status.startswith("Init:"):
        return WAITING, status
    return BROKEN, status


def _ready_condition(pod: dict) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def mark(state: str) -> Text:
    """The one-character mark of a state, coloured."""
    glyph, style = _MARK[state]
    return Text(glyph, style=style)


def state_style(state: str) -> str:
    """The colour of a state."""
    return _MARK[state][1]


def shorten(name: str, width: int) -> str:
    """`name` in at most `width` columns, cut in the middle: the end of a pod name is what tells
    replicas apart (web-7957885594-4vtl2 -> web-795…-4vtl2)."""
    if len(name) <= width:
        return name
    if width <= 1:
        return "…"[:width]
    tail = min(len(name) // 2, (width - 1) // 2)
    return name[: width - 1 - tail] + "…" + name[len(name) - tail:]


def plural(n: int, word: str) -> str:
    """`1 pod`, `3 pods`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
