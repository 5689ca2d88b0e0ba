"""A shell session: the current namespace, the command table, and running one command line."""

from __future__ import annotations

import logging
import shlex
from contextlib import contextmanager
from typing import Iterator, Optional

from k8slab.errors import UserError
from k8slab.shell import helptext
from k8slab.shell.batch import split_unquoted
from k8slab.shell.results import Result
from k8slab.shell.substitution import expand
from k8slab.shell.suggestions import unknown_command

log = logging.getLogger(__name__)
EXIT_INTERNAL = 70  # EX_SOFTWARE, as k8slab.app: a bug in k8slab, not something the learner did


class Session:
    """One learner's session in front of one cluster."""

    def __init__(self, cluster, printer=None):
        from k8slab.shell.commands import build_registry

        self.cluster = cluster
        self.printer = printer
        self.namespace = "default"
        self.registry = build_registry()
        self.exit_requested = False
        self.interactive = False
        self._piping = False
        self.status_providers = []  # callables giving a short status for the toolbar (a lesson's step)
        self.before_command = []  # callables (line) -> Result or None, run before each command (a lab's clock)
        self.after_command = []  # callables (line, result) -> Result or None, run after each command
        self.tutor = None  # the lessons (made by shell.lessons on first use)
        self.lesson_dirs = []  # instructors' lesson folders (--lessons)
        self.lab_dirs = []  # instructors' lab folders (--labs)
        self.lab = None  # the running lab and the student's attempt at it (made by shell.labs)
        self.attempt = None

    def execute(self, line: str, stdin: Optional[str] = None) -> Result:
        """Run one command line and return its Result (printing nothing)."""
        text = line.strip()
        if not text:
            return Result()
        try:
            text = expand(text, self._substitute)
            if not text:
                return Result()
            first = text.split(None, 1)[0]
            if first in self.cluster.network.hosts:
                from k8slab.shell.commands import run_on_host

                return run_on_host(self, first, text[len(first):].strip(), stdin)
            stages = split_unquoted(text, "|")
            if len(stages) > 1:
                return self._pipeline(stages[0], "|".join(stages[1:]), stdin)
            try:
                words = shlex.split(text)
            except ValueError as e:
                raise UserError(f"error: cannot parse the command line: {e}")
            command = self.registry.find(words[0])
            if command is None:
                raise UserError(unknown_command(words[0], self.registry.commands, self.cluster.network.hosts))
            # kubectl answers --help itself: it knows its subcommands (`kubectl get --help`).
            if command.name != "kubectl" and helptext.wants_help(words[1:]):
                return Result().say(helptext.command_help(command))
            return command.handler(self, words[1:], stdin)
        except UserError as e:
            return Result().fail(str(e), e.exit_code)
        except Exception as e:  # a bug in k8slab: one line for the learner, the traceback with --debug
            log.debug("command %r failed", line, exc_info=True)
            return Result().fail(f"k8slab: internal error: {type(e).__name__}: {e} (run with --debug for details)",
                                 EXIT_INTERNAL)

    def _substitute(self, line: str):
        """Run the kubectl command of a `$(...)`: (exit code, stdout, stderr)."""
        with self.without_terminal():
            result = self.execute(line)
        stdout = result.stdout
        if result.stream is not None:
            stdout += "".join(text for kind, text in result.stream if kind == "out")
        return result.exit_code, stdout, result.stderr

    def _pipeline(self, first: str, rest: str, stdin: Optional[str]) -> Result:
        """`kubectl get pods | grep web`: k8slab runs the first command, the machine's shell the rest."""
        from k8slab.shell.commands import local_shell

        if not rest.strip():
            raise UserError("error: nothing after `|`: e.g. kubectl get pods | grep web")
        if not first.strip():
            raise UserError("error: nothing before `|`: e.g. kubectl get pods | grep web")
        with self.without_terminal():  # the left side's output goes to the pipe, not to a terminal
            left = self.execute(first, stdin)
        text = left.stdout
        if left.stream is not None:
            text += "".join(chunk for kind, chunk in left.stream if kind == "out")
        result = local_shell(rest, text)
        for kind, line in left.lines:
            if kind != "out":
                result.lines.insert(0, (kind, line))
        return result

    @contextmanager
    def without_terminal(self) -> Iterator[None]:
        """Run commands whose output is captured (a pipe, a `$(...)`, a lesson's check): none of
        them may take the learner's terminal."""
        before, self._piping = self._piping, True
        try:
            yield
        finally:
            self._piping = before

    def can_attach(self) -> bool:
        """May a command lend the learner's terminal to a program (an interactive session, not a pipe)?"""
        from k8slab.shell.terminal import terminal_fds

        return self.interactive and not self._piping and terminal_fds() is not None

    def run(self, line: str, stdin: Optional[str] = None) -> Result:
        """Run one command line and print its Result; Ctrl-C stops a waiting or streaming command."""
        for hook in list(self.before_command):  # a lab whose time is up is submitted first
            early = hook(line)
            if early is not None:
                self.printer.result(early)
        try:
            result = self.execute(line, stdin)
        except KeyboardInterrupt:  # `kubectl wait`, `rollout status`: the learner stopped waiting
            self.printer.chunk("\n")
            return Result(exit_code=130)
        try:
            self.printer.result(result)
        except KeyboardInterrupt:
            if result.stream is not None:
                result.stream.close()
            self.printer.chunk("\n")
            result.exit_code = 130
            return result
        except Exception as e:  # a bug in a streaming command: the shell carries on
            log.debug("streaming %r failed", line, exc_info=True)
            self.printer.error(f"k8slab: internal error: {type(e).__name__}: {e} (run with --debug for details)")
            result.exit_code = EXIT_INTERNAL
            return result
        if result.attach is not None:
            try:
                after = result.attach()
            except UserError as e:
                after = Result().fail(str(e), e.exit_code)
            self.printer.result(after)
            result.exit_code = after.exit_code
        for hook in list(self.after_command):  # a running lesson checks its step
            try:
                extra = hook(line, result)
            except UserError as e:
                extra = Result().fail(str(e), e.exit_code)
            except KeyboardInterrupt:  # the learner would rather type than wait for the check
                extra = None
            if extra is not None:
                self.printer.result(extra)
        return result
