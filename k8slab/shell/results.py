"""What a command handler returns: text for stdout and stderr, an exit code, maybe a live stream.

Handlers never print; `k8slab.views.render` prints a Result. Tests inspect Results directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, List, Optional, Tuple

# A stream yields ("out" | "err", text) chunks as they happen (logs -f, exec of a long command); a
# stream that knows the final exit code sets `result.exit_code` before it ends.
Chunk = Tuple[str, str]


@dataclass
class Result:
    """The outcome of one command."""

    exit_code: int = 0
    stream: Optional[Iterator[Chunk]] = None
    # ("out"|"err"|"error", text) in the order they were said: the order of stdout and stderr lines
    # matters (apply of a directory with one bad file); "error" is stderr shown as an error.
    lines: List[Chunk] = field(default_factory=list)
    # A terminal session to hold after the lines are shown (`exec -it`, `node1 sh`): it lends the
    # learner's terminal to a program in the cluster and returns the Result of what follows.
    attach: Optional[Callable[[], "Result"]] = None

    def say(self, text: str) -> "Result":
        """Add a stdout line (or block)."""
        self.lines.append(("out", text))
        return self

    def warn(self, text: str) -> "Result":
        """Add a stderr line (or block)."""
        self.lines.append(("err", text))
        return self

    def fail(self, text: str, code: int = 1) -> "Result":
        """Add an error line (stderr, red on a terminal) and set a failing exit code."""
        self.lines.append(("error", text))
        self.exit_code = code
        return self

    @property
    def out(self) -> List[str]:
        """The stdout parts, in order."""
        return [t for kind, t in self.lines if kind == "out"]

    @property
    def err(self) -> List[str]:
        """The stderr parts (warnings and errors), in order."""
        return [t for kind, t in self.lines if kind != "out"]

    @property
    def stdout(self) -> str:
        """All stdout text, each part ending in a newline."""
        return "".join(t if t.endswith("\n") else t + "\n" for t in self.out)

    @property
    def stderr(self) -> str:
        """All stderr text, each part ending in a newline."""
        return "".join(t if t.endswith("\n") else t + "\n" for t in self.err)

