"""Commands declared once, as data: name, aliases, syntax, summary, flags and handler.

Help text and completion are generated from these declarations (as Mininet's `do_<cmd>` and
pgspecial's registry do), so a command cannot exist without being documented.
"""

from __future__ import annotations

import argparse
import keyword
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Sequence, Tuple

from k8slab.errors import UserError


@dataclass(frozen=True)
class Flag:
    """One option: its spellings, whether it takes a value, and a one-line description."""

    names: Tuple[str, ...]
    help: str
    value: Optional[str] = None  # metavar when the flag takes a value; None for a boolean
    default: object = None
    repeat: bool = False  # may be given several times (collected into a list)
    choices: Tuple[str, ...] = ()  # values offered by completion

    @property
    def integer(self) -> bool:
        """Does the flag take a whole number? (Declared by its metavar: N for counts, PORT for ports.)"""
        return self.value in ("N", "PORT")

    @property
    def spelling(self) -> str:
        """How cobra names the flag in errors: `-r, --replicas` or `--replicas`."""
        short = [n for n in self.names if not n.startswith("--")]
        long = [n for n in self.names if n.startswith("--")]
        return ", ".join(short[:1] + long[:1])

    @property
    def dest(self) -> str:
        """The attribute name argparse stores it under."""
        long = [n for n in self.names if n.startswith("--")]
        name = (long[0] if long else self.names[0]).lstrip("-").replace("-", "_")
        return name + "_" if keyword.iskeyword(name) else name  # --for -> args.for_


@dataclass(frozen=True)
class Command:
    """A shell command (or a kubectl subcommand)."""

    name: str
    summary: str
    syntax: str
    handler: Callable
    aliases: Tuple[str, ...] = ()
    flags: Tuple[Flag, ...] = ()
    positional: Tuple[str, ...] = ()  # what positional words mean, for completion ("kind", "pod"...)
    examples: Tuple[str, ...] = ()
    program: str = "kubectl"
    group: str = ""  # where `help` lists a shell command: Cluster (the default), Network, Session

    def parse(self, words: Sequence[str]) -> argparse.Namespace:
        """Parse this command's words with kubectl's conventions; raise UserError like kubectl."""
        parser = _Parser(prog=f"{self.program} {self.name}", add_help=False, allow_abbrev=False)
        for f in self.flags:
            if f.value is None:
                parser.add_argument(*f.names, dest=f.dest, action="store_true", default=bool(f.default))
            elif f.repeat:
                parser.add_argument(*f.names, dest=f.dest, action="append", default=None)
            else:
                parser.add_argument(*f.names, dest=f.dest, default=f.default)
        parser.add_argument("args", nargs="*")
        before, after = _split_dashdash(words)
        ns, unknown = parser.parse_known_args(before)
        for word in unknown:
            if word.startswith("--"):
                raise UserError(f"error: unknown flag: {word.split('=')[0]}\n"
                                f"See '{self.program} {self.name} --help' for usage.")
            if word.startswith("-") and len(word) > 1:
                raise UserError(f"error: unknown shorthand flag: '{word[1]}' in {word}\n"
                                f"See '{self.program} {self.name} --help' for usage.")
            ns.args.append(word)
        for f in self.flags:
            self._check_integer(f, getattr(ns, f.dest))
        ns.command_words = after  # what followed `--`, or None
        return ns

    def _check_integer(self, flag: Flag, value) -> None:
        """Counts and ports are cobra int flags: a word that is not a number is kubectl's flag error."""
        for item in (value if isinstance(value, list) else [value]):
            if flag.integer and isinstance(item, str) and not _INTEGER.match(item):
                raise UserError(f'error: invalid argument "{item}" for "{flag.spelling}" flag: strconv.ParseInt: '
                                f'parsing "{item}": invalid syntax\nSee \'{self.program} {self.name} --help\' for usage.')


_INTEGER = re.compile(r"^[+-]?[0-9]+$")  # what Go's strconv.ParseInt accepts in base 10


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit the whole program
        if "expected one argument" in message:
            flag = message.split("argument ")[1].split(":")[0].split("/")[-1]
            raise UserError(f"error: flag needs an argument: {flag}")
        raise UserError(f"error: {message}")


def _split_dashdash(words: Sequence[str]) -> Tuple[list, Optional[list]]:
    if "--" in words:
        i = list(words).index("--")
        return list(words[:i]), list(words[i + 1:])
    return list(words), None


@dataclass
class Registry:
    """A set of commands looked up by name or alias."""

    commands: Dict[str, Command] = field(default_factory=dict)

    def add(self, command: Command) -> Command:
        """Register a command under its name and aliases."""
        for key in (command.name,) + command.aliases:
            self.commands[key] = command
        return command

    def find(self, name: str) -> Optional[Command]:
        """The command called `name`, or None."""
        return self.commands.get(name)

    def unique(self) -> list:
        """Each command once, in registration order."""
        seen: Dict[str, Command] = {}
        for c in self.commands.values():
            seen.setdefault(c.name, c)
        return list(seen.values())
