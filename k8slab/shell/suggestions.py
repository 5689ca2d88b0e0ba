"""`Did you mean ...?` for a mistyped command: one best guess for the shell, cobra's list for kubectl."""

from __future__ import annotations

import difflib
from typing import Iterable, List, Optional


def closest(word: str, names: Iterable[str]) -> Optional[str]:
    """The known name most like `word` (difflib's ratio), or None when nothing is close."""
    matches = difflib.get_close_matches(word, sorted(set(names)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_command(word: str, names: Iterable[str], hosts: Iterable[str]) -> str:
    """The shell's error for a first word that is neither a command nor a host."""
    hosts = list(hosts)
    guess = closest(word, list(names) + hosts)
    if guess is not None:
        return f'error: unknown command "{word}". Did you mean "{guess}"?'
    return (f'error: unknown command "{word}". Type "help" to see the commands, '
            f'or "<node> <shell command>" to run one on a node ({", ".join(hosts)}).')


def cobra_suggestions(word: str, names: Iterable[str]) -> List[str]:
    """What cobra (kubectl's command library) suggests: names within 2 edits, or starting with `word`."""
    typed = word.lower()
    return [n for n in sorted(set(names))
            if levenshtein(typed, n.lower()) <= 2 or (typed and n.lower().startswith(typed))]


def unknown_subcommand(word: str, program: str, names: Iterable[str]) -> str:
    """kubectl's error for an unknown subcommand, with cobra's `Did you mean this?` list."""
    message = f'error: unknown command "{word}" for "{program}"'
    suggestions = cobra_suggestions(word, names)
    if suggestions:
        message += "\n\nDid you mean this?\n" + "\n".join(f"\t{s}" for s in suggestions)
    return message


def levenshtein(a: str, b: str) -> int:
    """Edit distance (insertions, deletions, substitutions) between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
