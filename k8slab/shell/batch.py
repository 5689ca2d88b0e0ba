"""Batch mode: run a script of commands (`-c`, `-f`, standard input), stopping at the first failure.

Scripts are split like a shell would: at newlines and unquoted `;`. A command ending in `<<WORD`
takes the following lines, up to a line that is exactly WORD, as its standard input (a heredoc), so
a script can carry its own YAML for `kubectl apply -f -`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from k8slab.errors import UserError

HEREDOC_START = re.compile(r"""\s*<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1\s*$""")


@dataclass(frozen=True)
class ScriptCommand:
    """One command of a script, with its heredoc input if it has one."""

    text: str
    stdin: Optional[str] = None
    line: int = 1


def split_script(script: str) -> List[ScriptCommand]:
    """Split a script into commands (see the module docstring)."""
    lines = script.splitlines()
    commands: List[ScriptCommand] = []
    i = 0
    while i < len(lines):
        lineno = i + 1
        parts = split_unquoted(lines[i], ";", comments=True)
        i += 1
        for j, part in enumerate(parts):
            text = part.strip()
            if not text or text.startswith("#"):
                continue
            stdin = None
            m = HEREDOC_START.search(text)
            if m and j == len(parts) - 1:
                text = text[:m.start()].rstrip()
                word, body = m.group(2), []
                while i < len(lines) and lines[i].strip() != word:
                    body.append(lines[i])
                    i += 1
                if i >= len(lines):
                    raise UserError(f"error: line {lineno}: here-document is not terminated by {word!r}")
                i += 1
                stdin = "\n".join(body) + "\n"
            commands.append(ScriptCommand(text=text, stdin=stdin, line=lineno))
    return commands


def split_unquoted(line: str, sep: str, comments: bool = False) -> List[str]:
    """Split a line at `sep` outside quotes (as sh would); with `comments`, `#` starting a word ends it."""
    parts, cur, quote, k = [], [], None, 0
    while k < len(line):
        ch = line[k]
        if quote:
            cur.append(ch)
            if ch == "\\" and quote == '"' and k + 1 < len(line):
                cur.append(line[k + 1])
                k += 1
            elif ch == quote:
                quote = None
        elif ch == "\\" and k + 1 < len(line):
            cur.append(ch + line[k + 1])
            k += 1
        elif ch in "'\"":
            quote = ch
            cur.append(ch)
        elif ch == sep:
            parts.append("".join(cur))
            cur = []
        elif comments and ch == "#" and (not cur or cur[-1].isspace()):
            break  # a comment, as in sh: `#` starting a word
        else:
            cur.append(ch)
        k += 1
    parts.append("".join(cur))
    return parts


def run_batch(session, script: str, keep_going: bool = False) -> int:
    """Run each command, printing its output; return the exit status of the run."""
    status = 0
    for cmd in split_script(script):
        result = session.run(cmd.text, stdin=cmd.stdin)
        if result.exit_code:
            status = result.exit_code
            if not keep_going:
                return status
    return status
