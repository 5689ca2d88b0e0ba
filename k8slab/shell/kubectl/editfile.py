"""The text of a `kubectl edit` file: its header, its reasons to reopen, and comparing saved versions.

These follow kubectl's `cmd/util/editor` byte for byte: the header kubectl writes, how it comments
multi-line errors, and how it decides that two saves are the same (as data when the text parses,
as text without comment lines when it does not).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence, Tuple

import yaml

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n"
          "#\n")


@dataclass(frozen=True)
class Reason:
    """Why the file is reopened: a headline and, for an invalid object, each field error."""

    head: str
    causes: Tuple[str, ...] = ()


def header(reasons: Sequence[Reason]) -> str:
    """kubectl's comment block: the instructions, then each reason as `# head:` and `# * cause`."""
    text = HEADER
    for r in reasons:
        text += f"# {hash_on_line_break(r.head)}{':' if r.causes else ''}\n"
        text += "".join(f"# * {hash_on_line_break(c)}\n" for c in r.causes)
        text += "#\n"
    return text


def hash_on_line_break(text: str) -> str:
    """Continue a multi-line message as comments: `\\n` becomes `\\n# ` unless a `#` follows."""
    out = []
    for i, ch in enumerate(text):
        if ch == "\n" and i + 1 < len(text) and text[i + 1] != "#":
            out.append("\n# ")
        else:
            out.append(ch)
    return "".join(out)


def manual_strip(text: str) -> str:
    """The text without its comment lines (`#!` lines stay), as kubectl's ManualStrip."""
    lines = text.split("\n")
    kept = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("#!"):
            continue
        kept.append(line + ("\n" if i < len(lines) - 1 else ""))
    return "".join(kept)


def strip_comments(text: str) -> Tuple[str, str]:
    """What two saves are compared by: their data when the YAML parses, else their uncommented text."""
    try:
        data = list(yaml.safe_load_all(text))
    except yaml.YAMLError:
        return "text", manual_strip(text)
    return "data", json.dumps(data, sort_keys=True, default=str)


def has_lines(text: str) -> bool:
    """Does the file hold anything but blank and comment lines?"""
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())
