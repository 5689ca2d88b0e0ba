"""Highlighting of the typed line: each piece named for what it is, the whole line covered."""

from __future__ import annotations

import pytest
from prompt_toolkit.document import Document

from k8slab.shell.completion import tables_of
from k8slab.shell.lexer import STYLES, LineLexer, highlight, line_lexer
from tests.unit.shell.test_completion import fake_session, odd_lines


@pytest.fixture(scope="module")
def tables():
    return tables_of(fake_session())


def named(line, tables):
    """The non-blank pieces as (name, text)."""
    pieces = highlight(line, tables)
    assert "".join(t for _, t in pieces) == line
    return [(n, t) for n, t in pieces if t.strip()]


def test_a_kubectl_line(tables):
    assert named("kubectl get pods -n dev -o wide --show-labels", tables) == [
        ("command", "kubectl"), ("subcommand", "get"), ("kind", "pods"), ("flag", "-n"), ("value", "dev"),
        ("flag", "-o"), ("value", "wide"), ("flag", "--show-labels")]


def test_flag_with_its_value_attached_strings_pipes_and_the_separator(tables):
    assert named("k run web --image=nginx -l 'app=web' -- sh -c \"echo hi\" | grep x", tables) == [
        ("command", "k"), ("subcommand", "run"), ("", "web"), ("flag", "--image="), ("value", "nginx"),
        ("flag", "-l"), ("string", "'app=web'"), ("separator", "--"), ("", "sh"), ("", "-c"),
        ("string", '"echo hi"'), ("pipe", "|"), ("", "grep"), ("", "x")]
    assert named("kubectl get pods -l='a b'", tables)[-2:] == [("flag", "-l="), ("string", "'a b'")]


def test_kinds_in_their_forms(tables):
    assert named("kubectl describe svc/web", tables)[2:] == [("kind", "svc"), ("", "/web")]
    assert named("kubectl get pods,svc,deploy", tables)[2:] == [("kind", "pods,svc,deploy")]
    assert named("kubectl get all", tables)[2:] == [("kind", "all")]
    assert named("kubectl get pots ", tables)[2:] == [("unknown", "pots")]
    assert named("kubectl exec pod/web", tables)[2:] == [("kind", "pod"), ("", "/web")]
    assert named("topo svc/web -A", tables) == [("command", "topo"), ("kind", "svc"), ("", "/web"), ("flag", "-A")]


def test_unknown_words_are_marked_once_they_cannot_become_known(tables):
    assert named("kubeclt get", tables)[0] == ("unknown", "kubeclt")
    assert named("kube", tables) == [("", "kube")]  # still being typed: may become kubectl
    assert named("kube ", tables) == [("unknown", "kube")]
    assert named("kubectl gte pods", tables)[1] == ("unknown", "gte")
    assert named("kubectl ge", tables)[1] == ("", "ge")
    assert named("kubectl get pods --bogus", tables)[-1] == ("unknown", "--bogus")
    assert named("kubectl get pods --sho", tables)[-1] == ("flag", "--sho")
    assert named("kubectl get po", tables)[-1] == ("kind", "po")
    assert named("kubectl get xyz", tables)[-1] == ("", "xyz")


def test_shell_commands_and_hosts(tables):
    assert named("node1 ip route | grep 10.244", tables) == [
        ("command", "node1"), ("", "ip"), ("", "route"), ("", "|"), ("", "grep"), ("", "10.244")]
    assert named("node stop node2", tables) == [("command", "node"), ("subcommand", "stop"), ("", "node2")]
    assert named("node halt node2", tables)[1] == ("unknown", "halt")
    assert named("kubectl rollout status deploy/shop", tables)[2:4] == [("subcommand", "status"), ("kind", "deploy")]
    assert named("trace web svc/web --udp", tables) == [
        ("command", "trace"), ("", "web"), ("kind", "svc"), ("", "/web"), ("flag", "--udp")]


def test_any_line_is_covered_exactly(tables):
    for line, _ in odd_lines(3000):
        assert "".join(text for _, text in highlight(line, tables)) == line


def test_the_lexer_styles_each_line(tables):
    lexer = LineLexer(lambda: tables)
    line = lexer.lex_document(Document("kubectl get pods"))(0)
    assert line[0] == (STYLES["command"] + " class:line.command", "kubectl")
    assert lexer.lex_document(Document("x"))(3) == []


def test_no_color_means_no_highlighting(monkeypatch):
    session = fake_session()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert line_lexer(session) is not None
    monkeypatch.setenv("NO_COLOR", "")  # set at all, as the Printer reads it
    assert line_lexer(session) is None


def test_short_switches_written_together_are_flags():
    from k8slab.shell.lexer import highlight
    from k8slab.shell.completion import tables_of
    from tests.unit.shell.light_session import light_session

    pieces = dict((text, kind) for kind, text in highlight("kubectl exec -it web -- sh", tables_of(light_session())))
    assert pieces["-it"] == "flag"
    pieces = dict((text, kind) for kind, text in highlight("kubectl exec -iz web -- sh", tables_of(light_session())))
    assert pieces["-iz"] == "unknown"
