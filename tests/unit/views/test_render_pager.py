"""Long output goes through the pager; short output, errors and streams do not."""

from __future__ import annotations

import io

from k8slab.shell.results import Result
from k8slab.views.render import Printer


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _printer(tmp_path, monkeypatch, rows=10):
    monkeypatch.setenv("LINES", str(rows))
    monkeypatch.setenv("COLUMNS", "80")
    paged = tmp_path / "paged.txt"
    out = FakeTerminal()
    return Printer(out=out, err=io.StringIO(), pager=["sh", "-c", f"cat > {paged}"]), out, paged


def test_output_longer_than_the_screen_is_paged(tmp_path, monkeypatch):
    printer, out, paged = _printer(tmp_path, monkeypatch)
    text = "\n".join(f"line {i}" for i in range(30))
    printer.result(Result().say(text))
    assert paged.read_text() == text + "\n"
    assert out.getvalue() == ""


def test_output_that_fits_is_printed(tmp_path, monkeypatch):
    printer, out, paged = _printer(tmp_path, monkeypatch)
    printer.result(Result().say("one\ntwo"))
    assert out.getvalue() == "one\ntwo\n" and not paged.exists()


def test_errors_streams_and_pipes_are_never_paged(tmp_path, monkeypatch):
    printer, out, paged = _printer(tmp_path, monkeypatch)
    long = "\n".join("x" * 5 for _ in range(30))
    printer.result(Result().say(long).fail("error: something"))
    streamed = Result()
    streamed.stream = iter([("out", long)])
    printer.result(streamed)
    assert not paged.exists()
    piped = Printer(out=io.StringIO(), err=io.StringIO(), pager=["sh", "-c", f"cat > {paged}"])
    piped.result(Result().say(long))
    assert not paged.exists()


def test_no_colour_when_asked_or_when_not_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert Printer(out=FakeTerminal(), err=FakeTerminal()).colored
    assert not Printer(out=FakeTerminal(), err=FakeTerminal(), color=False).colored
    assert not Printer(out=io.StringIO(), err=io.StringIO()).colored
    monkeypatch.setenv("NO_COLOR", "1")
    assert not Printer(out=FakeTerminal(), err=FakeTerminal()).colored


def test_output_left_mid_line_is_ended_before_the_prompt():
    out = io.StringIO()
    printer = Printer(out=out, err=io.StringIO())
    streamed = Result()
    streamed.stream = iter([("out", "web-abc12")])  # curl -s prints no final newline
    printer.result(streamed)
    printer.end_line()
    printer.end_line()  # only once
    printer.result(Result().say("done"))
    printer.end_line()
    assert out.getvalue() == "web-abc12\ndone\n"
