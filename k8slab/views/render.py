"""The one place that prints a command's Result to the terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import List, Optional, TextIO

from rich.console import Console

from k8slab.shell.results import Result


class Printer:
    """Writes Results: kubectl-style text exactly as produced, errors in red on a terminal."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, *, color: bool = True,
                 pager: Optional[List[str]] = None):
        # Streams are looked up when used, not kept: in the REPL, sys.stdout is replaced while the
        # prompt runs so that background output (the DNS query log) lands above the prompt.
        self._out, self._err = out, err
        self._allow_color = color
        self._color = color and self.err.isatty() and "NO_COLOR" not in os.environ
        self.pager = pager  # argv of the pager for output longer than the screen, or None
        self.at_line_start = True  # did the last thing written end a line? (the prompt must start one)
        self.console = Console(file=err, stderr=err is None, no_color=not self._color, highlight=False,
                               soft_wrap=True)

    @property
    def out(self) -> TextIO:
        """Where stdout text goes now."""
        return self._out or sys.stdout

    @property
    def err(self) -> TextIO:
        """Where stderr text goes now."""
        return self._err or sys.stderr

    @property
    def colored(self) -> bool:
        """Does stdout take colour (a terminal, and NO_COLOR unset)?"""
        return self._allow_color and self.out.isatty() and "NO_COLOR" not in os.environ

    def text(self, text: str, stream: str = "out") -> None:
        """Write text as-is (kubectl output must keep its exact spacing), ending with a newline."""
        f = self.out if stream == "out" else self.err
        f.write(text if text.endswith("\n") else text + "\n")
        f.flush()
        self.at_line_start = True

    def chunk(self, text: str, stream: str = "out") -> None:
        """Write streamed output without adding newlines."""
        f = self.out if stream == "out" else self.err
        f.write(text)
        f.flush()
        if text:
            self.at_line_start = text.endswith("\n")

    def end_line(self) -> None:
        """Finish a line that output left open (`curl` without a final newline), so that the prompt
        starts on a line of its own."""
        if not self.at_line_start:
            self.chunk("\n")

    def error(self, message: str) -> None:
        """One error line (red on a colour terminal)."""
        self.out.flush()
        if self._color:
            self.console.print(message, style="red", markup=False)
        else:
            self.text(message, "err")

    def note(self, message: str) -> None:
        """A dim one-line notice from k8slab itself (not kubectl output)."""
        if self._color:
            self.console.print(message, style="dim", markup=False)
        else:
            self.text(message, "err")

    def result(self, result: Result) -> None:
        """Print a Result's lines in order, then follow its stream (if any) to the end."""
        if self._page(result):
            return
        for stream, text in result.lines:
            if stream == "error":
                self.error(text)
            else:
                self.text(text, stream)
        if result.stream is not None:
            for stream, text in result.stream:
                self.chunk(text, stream)

    def _page(self, result: Result) -> bool:
        """Show a long all-stdout Result through the pager (when the screen is too short for it)."""
        if not self.pager or result.stream is not None or not result.lines or not self.out.isatty():
            return False
        if any(kind != "out" for kind, _ in result.lines):
            return False
        text = result.stdout
        rows = shutil.get_terminal_size().lines
        if text.count("\n") < rows - 1:
            return False
        self.out.flush()
        try:
            pager = subprocess.Popen(self.pager, stdin=subprocess.PIPE, env={**os.environ, "LESSCHARSET": "utf-8"})
        except OSError:
            return False
        try:
            pager.communicate(text.encode())
        except (BrokenPipeError, KeyboardInterrupt):
            pager.wait()
        return True
