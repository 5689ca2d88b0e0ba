"""The lesson commands (lesson, hint, solution, check) and the check that follows every command."""

from __future__ import annotations

import re
import shutil
import threading
from typing import Iterator, List, Optional, Tuple

from k8slab.errors import UserError
from k8slab.learning.progress import ProgressStore
from k8slab.learning.tutor import BUILTIN_LESSONS, Tutor
from k8slab.shell.results import Result
from k8slab.views import lessonviews

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
QUIET_TIMEOUT = 10.0  # seconds a check's command may take
LESSON_COMMANDS = {"lesson", "hint", "solution", "check", "help", "?", "clear", "exit", "quit"}


def tutor_of(session) -> Tutor:
    """The session's tutor, made on first use (lessons from the repository and --lessons folders)."""
    if getattr(session, "tutor", None) is None:
        roots = [BUILTIN_LESSONS] + list(getattr(session, "lesson_dirs", []))
        session.tutor = Tutor(roots, ProgressStore())
        session.status_providers.append(session.tutor.status_line)
        session.after_command.append(lambda line, result: _after(session, line))
    return session.tutor


def quiet(session, line: str, stdin: Optional[str] = None) -> Tuple[int, str]:
    """Run a command line without showing it: (exit code, stdout and stderr as plain text)."""
    with session.without_terminal():
        result = session.execute(line, stdin)
    text = "".join(t if t.endswith("\n") else t + "\n" for _, t in result.lines if t)
    if result.stream is not None:
        text += "".join(_drain(result, QUIET_TIMEOUT))  # chunks join as they came (curl writes bytewise)
    return result.exit_code, ANSI.sub("", text)


def _drain(result: Result, timeout: float) -> List[str]:
    chunks: List[str] = []

    def consume() -> None:
        for _, text in result.stream:
            chunks.append(text)

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        result.exit_code = 124  # as timeout(1) says it
        chunks.append(f"(no answer within {timeout:g} s)")
    return list(chunks)


def _settle(session) -> None:
    """Let kube-proxy and the cluster DNS catch up with the last command (a light cluster has none)."""
    settle = getattr(session.cluster, "settle", None)
    if settle is not None:
        settle()


def _checked(session, tutor: Tutor):
    """The current step's verdicts, once the network has caught up with the last command."""
    _settle(session)
    return tutor.check(lambda cmd: quiet(session, cmd))


def _color(session) -> bool:
    return session.printer.colored if session.printer is not None else False


def _width() -> int:
    # The terminal's width (up to 140): a command shown in the text must not wrap, or a learner who
    # copies it from the screen pastes two broken lines.
    return min(shutil.get_terminal_size((100, 40)).columns, 140)


def _step_text(session, tutor: Tutor) -> str:
    lesson, step = tutor.lesson, tutor.step
    heading = tutor.say("step.heading", number=tutor.number(lesson), lesson=lesson.title,
                        step=tutor.progress.step + 1, steps=len(lesson.steps), title=step.title)
    return lessonviews.render_step(heading, step.text, tutor.say("step.try"), step.try_commands,
                                   color=_color(session), width=_width())


def _after(session, line: str) -> Optional[Result]:
    """After a learner's command: if the step's checks now pass, say why and move on."""
    tutor = session.tutor
    words = line.split()
    if tutor.lesson is None or not words or words[0] in LESSON_COMMANDS:
        return None
    # Most checks take a fraction of a second; one that waits on the network says so.
    slow = threading.Timer(1.0, lambda: session.printer.note(tutor.say("step.checking", step=tutor.progress.step + 1)))
    slow.daemon = True
    slow.start()
    try:
        verdicts = _checked(session, tutor)
    finally:
        slow.cancel()
    if not verdicts or not all(v.ok for v in verdicts):
        return None
    return _advance(session, tutor)


def _advance(session, tutor: Tutor) -> Result:
    lesson, step = tutor.lesson, tutor.step
    number, index = tutor.number(lesson), tutor.progress.step
    result = Result()
    headline = tutor.say("step.passed", step=index + 1, steps=len(lesson.steps), title=step.title)
    result.say(lessonviews.render_passed(headline, step.explain, color=_color(session), width=_width()))
    if tutor.passed():
        following = tutor.next_lesson(lesson)
        key = "lesson.done" if following else "lesson.done_last"
        result.say(tutor.say(key, number=number, lesson=lesson.title, next=following.id if following else ""))
    else:
        following = _step_text(session, tutor)
        shown = sum(text.count("\n") + 1 for _, text in result.lines)
        if shown + following.count("\n") + 1 > _rows() - 2:  # the explanation would scroll away unread
            step = tutor.step
            result.say(tutor.say("step.next_short", step=tutor.progress.step + 1, steps=len(lesson.steps),
                                 title=step.title))
        else:
            result.say(following)
    return result


def _rows() -> int:
    return shutil.get_terminal_size((100, 40)).lines


def lesson_command(session, words, _stdin) -> Result:
    """lesson list|start N|status|next|back|reset|resume|stop"""
    tutor = tutor_of(session)
    verb = words[0] if words else "status"
    attempt = getattr(session, "attempt", None)
    if verb in ("start", "resume", "play", "next", "reset") and attempt is not None and attempt.ended is None:
        raise UserError("error: a lab is running: `lab submit` hands it in, `lab stop` leaves it; "
                        "then lessons are there again")
    if verb in ("list", "start", "play") and tutor.lesson is None:
        tutor.reload()  # an edited lesson is taken as it is now
    if verb == "list":
        return _list(session, tutor)
    if verb == "start":
        if len(words) != 2:
            raise UserError("error: usage: lesson start NUMBER|ID  (see `lesson list`)")
        lesson = tutor.find(words[1])
        if lesson is None:
            raise UserError(f'error: no lesson "{words[1]}": `lesson list` shows them')
        return _streamed(_start(session, tutor, lesson, 0))
    if verb == "resume":
        saved = tutor.saved()
        if saved is None:
            raise UserError("error: " + tutor.say("lesson.nothing_to_resume"))
        return _streamed(_start(session, tutor, *saved))
    if verb == "play":
        lesson = tutor.find(words[1]) if len(words) == 2 else None
        if lesson is None:
            raise UserError("error: usage: lesson play NUMBER|ID  (for authors: see `lesson list`)")
        return _streamed(_play(session, tutor, lesson))
    if verb == "status":
        if tutor.lesson is None:
            return Result().say(tutor.say("lesson.none"))
        return Result().say(_step_text(session, tutor))
    if tutor.lesson is None:
        raise UserError("error: " + tutor.say("lesson.none"))
    if verb == "next":
        return _streamed(_next(session, tutor))
    if verb == "back":
        if not tutor.back():
            raise UserError("error: this is the lesson's first step")
        return Result().say(_step_text(session, tutor))
    if verb == "reset":
        return _streamed(_start(session, tutor, tutor.lesson, 0))
    if verb == "stop":
        tutor.stop()
        return Result().say(tutor.say("lesson.stopped"))
    raise UserError("error: usage: lesson list|start N|status|next|back|reset|resume|stop|play N")


def resume_offer(session) -> Optional[str]:
    """The line offering to resume a saved lesson, if the progress file has one."""
    tutor = tutor_of(session)
    saved = tutor.saved()
    if saved is None:
        return None
    lesson, step = saved
    return tutor.say("lesson.resume", number=tutor.number(lesson), lesson=lesson.title, step=step + 1,
                     steps=len(lesson.steps))


def _streamed(chunks: Iterator) -> Result:
    result = Result()
    result.stream = _tracking(chunks, result)
    return result


def _tracking(chunks: Iterator, result: Result) -> Iterator:
    for kind, text in chunks:
        if kind == "exit":
            result.exit_code = int(text)
            continue
        yield kind, text if text.endswith("\n") else text + "\n"


def _start(session, tutor: Tutor, lesson, step: int) -> Iterator:
    """Reset the cluster, prepare it for `lesson` (up to `step`), and show the step."""
    number = tutor.number(lesson)
    yield "err", tutor.say("lesson.resetting", number=number, lesson=lesson.title)
    if not session.cluster.reset():
        yield "err", "warning: the cluster took long to reset; some objects may still be going"
    for line in lesson.setup:
        code, out = quiet(session, *split_heredoc(line))
        if code:
            yield "error", f"error: the lesson's setup failed at `{line.splitlines()[0]}`:\n{out.rstrip()}"
            yield "exit", "1"
            return
    if step:
        yield "err", tutor.say("lesson.resuming", step=step + 1)
        for earlier in lesson.steps[:step]:
            for line in earlier.solution:
                _settle(session)
                quiet(session, *split_heredoc(line))
    tutor.start(lesson, step)
    yield "err", tutor.say("lesson.ready")
    yield "out", _step_text(session, tutor)


def _play(session, tutor: Tutor, lesson) -> Iterator:
    """For authors: each step's checks must fail before its reference solution and pass after it."""
    import time

    failures = 0
    for kind, text in _start(session, tutor, lesson, 0):
        if kind in ("error", "exit"):
            yield kind, text
            return
    for i, step in enumerate(lesson.steps):
        t0 = time.monotonic()
        before = _checked(session, tutor)
        for line in step.solution:
            _settle(session)
            code, out = quiet(session, *split_heredoc(line))
            if code:
                yield "err", f"  step {i + 1}: solution line failed ({code}): {line.splitlines()[0]}\n    {out.strip()}"
        after = _checked(session, tutor)
        ok_before = bool(before) and all(v.ok for v in before)
        ok_after = bool(after) and all(v.ok for v in after)
        status = "ok" if ok_after and not ok_before else "FAIL"
        failures += status == "FAIL"
        yield "out", f"step {i + 1} {status} ({time.monotonic() - t0:.1f} s): {step.title}"
        if ok_before:
            yield "out", "  its checks already pass before the solution"
        if not ok_after:
            yield "out", "  after the solution: " + next(v.message for v in after if not v.ok)
        tutor.passed()
    yield "out", f"{lesson.id}: {len(lesson.steps) - failures}/{len(lesson.steps)} steps ok"
    if failures:
        yield "exit", "1"


def _next(session, tutor: Tutor) -> Iterator:
    """Move on: run the step's reference solution if its checks do not pass yet."""
    verdicts = _checked(session, tutor)
    if not all(v.ok for v in verdicts):
        yield "err", tutor.say("next.running", step=tutor.progress.step + 1)
        for line in tutor.step.solution:
            text, stdin = split_heredoc(line)
            yield "out", f"k8slab> {line.splitlines()[0]}"
            _settle(session)
            _, out = quiet(session, text, stdin)
            if out.strip():
                yield "out", out.rstrip("\n")
    result = _advance(session, tutor)
    for _, text in result.lines:
        yield "out", text


def split_heredoc(line: str) -> Tuple[str, Optional[str]]:
    """A solution line may carry its heredoc: (the command, its standard input)."""
    from k8slab.shell.batch import split_script

    commands = split_script(line)
    if len(commands) != 1:
        return line, None
    return commands[0].text, commands[0].stdin


def _list(session, tutor: Tutor) -> Result:
    rows = []
    current = tutor.lesson.id if tutor.lesson else None
    for lesson in tutor.lessons:
        status = tutor.say("list.done") if lesson.id in tutor.progress.completed else ""
        if lesson.id == current:
            status = tutor.say("list.current")
        rows.append((tutor.number(lesson), lesson.id, lesson.title, lesson.minutes, status))
    result = Result().say(lessonviews.render_lesson_list(rows, color=_color(session)))
    for problem in tutor.problems:
        result.warn(f"warning: {problem}")
    return result


def hint_command(session, _words, _stdin) -> Result:
    """hint: one more hint for the current step."""
    tutor = tutor_of(session)
    if tutor.lesson is None:
        raise UserError("error: " + tutor.say("lesson.none"))
    n, total, text = tutor.hint()
    if "\n" in text.strip() and "```" not in text:  # several lines are commands: keep them as lines
        text = "```\n" + text.strip() + "\n```"
    result = Result().say(tutor.say("hint.heading", n=n, total=total))
    result.say(lessonviews.render_markdown(text, color=_color(session), width=_width()))
    if n == total:
        result.say(tutor.say("hint.last"))
    return result


def solution_command(session, _words, _stdin) -> Result:
    """solution: the current step's reference solution."""
    tutor = tutor_of(session)
    if tutor.lesson is None:
        raise UserError("error: " + tutor.say("lesson.none"))
    result = Result().say(tutor.say("solution.heading", step=tutor.progress.step + 1))
    for line in tutor.step.solution:
        result.say("  " + line.replace("\n", "\n  "))
    return result.say(tutor.say("solution.next"))


def check_command(session, _words, _stdin) -> Result:
    """check: run the current step's checks and say what is missing (or move on)."""
    tutor = tutor_of(session)
    if tutor.lesson is None:
        raise UserError("error: " + tutor.say("lesson.none"))
    verdicts = _checked(session, tutor)
    if verdicts and all(v.ok for v in verdicts):
        return _advance(session, tutor)
    lesson = tutor.lesson
    not_yet = tutor.say("step.not_yet", step=tutor.progress.step + 1, steps=len(lesson.steps), title=tutor.step.title)
    text = lessonviews.render_verdicts(verdicts, not_yet, "", color=_color(session), width=_width())
    result = Result().say(text)
    result.exit_code = 1
    return result
