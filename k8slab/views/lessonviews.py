"""Lesson text on the terminal: steps as rendered Markdown, check verdicts, the list of lessons."""

from __future__ import annotations

import io
from typing import List

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text


def _render(renderable, color: bool, width: int) -> str:
    out = io.StringIO()
    Console(file=out, force_terminal=color, no_color=not color, color_system="standard" if color else None,
            width=width, highlight=False, emoji=False).print(renderable)
    # Rich pads Markdown to the full width; trailing spaces are noise in a terminal and in logs.
    return "\n".join(line.rstrip() for line in out.getvalue().rstrip("\n").splitlines())


def render_step(heading: str, text: str, try_label: str, commands, *, color: bool, width: int = 100) -> str:
    """A step: its heading as a rule, its Markdown, and the commands to try."""
    parts = [Rule(Text(heading, style="bold"), align="left", style="cyan"), Markdown(text.strip())]
    if commands:
        tries = Text(try_label + "\n", style="bold")
        for command in commands:
            for line in command.rstrip("\n").splitlines():
                tries.append("  " + line + "\n", style="bold cyan")
        parts.append(Padding(tries.rstrip() or tries, (1, 0, 0, 0)))
    return _render(Group(*parts), color, width)


def render_passed(headline: str, explain: str, *, color: bool, width: int = 100) -> str:
    """A passed step: a green line, then what just happened and why."""
    parts = [Text("✔ " + headline, style="bold green")]
    if explain:
        parts.append(Markdown(explain))
    return _render(Group(*parts), color, width)


def render_verdicts(verdicts, not_yet: str, all_pass: str, *, color: bool, width: int = 100) -> str:
    """The result of `check`: what passed, and the first thing that does not, with why."""
    lines: List[Text] = []
    for v in verdicts:
        if v.ok:
            continue
        lines.append(Text("✘ " + not_yet, style="bold yellow"))
        lines.append(Text("  " + v.message))
        if v.why:
            lines.append(Text("  " + v.why, style="italic"))
    if not lines:
        lines.append(Text("✔ " + all_pass, style="bold green"))
    return _render(Group(*lines), color, width)


def render_markdown(text: str, *, color: bool, width: int = 100) -> str:
    """Some Markdown (a hint, an explanation)."""
    return _render(Markdown(text), color, width)


def render_lesson_list(rows, *, color: bool) -> str:
    """`lesson list`: number, id, title, minutes and status of each lesson."""
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for name in ("#", "LESSON", "TITLE", "MIN", "STATUS"):
        table.add_column(name, no_wrap=name != "TITLE")
    for number, lesson_id, title, minutes, status in rows:
        table.add_row(str(number), lesson_id, title, str(minutes), status)
    return _render(table, color, 120)
