"""Batch-script splitting and kubectl-style flag parsing (pure)."""

from __future__ import annotations

import pytest

from k8slab.errors import UserError
from k8slab.shell.batch import ScriptCommand, split_script
from k8slab.shell.kubectl.pods import parse_duration
from k8slab.shell.registry import Command, Flag


def test_split_script_on_semicolons_newlines_comments_and_heredocs():
    script = ("kubectl run web --image=nginx; kubectl get pods  # list\n"
              "# a comment line\n"
              "kubectl exec web -- sh -c 'a; b' ; node1 ip route\n"
              "kubectl apply -f - <<EOF\nkind: Pod\n  # kept\nEOF\n"
              "ext curl http://node1:30080/#frag\n")
    assert split_script(script) == [
        ScriptCommand("kubectl run web --image=nginx", None, 1),
        ScriptCommand("kubectl get pods", None, 1),
        ScriptCommand("kubectl exec web -- sh -c 'a; b'", None, 3),
        ScriptCommand("node1 ip route", None, 3),
        ScriptCommand("kubectl apply -f -", "kind: Pod\n  # kept\n", 4),
        ScriptCommand("ext curl http://node1:30080/#frag", None, 8),
    ]


def test_unterminated_heredoc_is_an_error():
    with pytest.raises(UserError, match="not terminated"):
        split_script("kubectl apply -f - <<EOF\nkind: Pod\n")


CMD = Command("get", "s", "kubectl get", handler=None,
              flags=(Flag(("-n", "--namespace"), "ns", value="NS"), Flag(("-o", "--output"), "o", value="F"),
                     Flag(("-A", "--all-namespaces"), "all"), Flag(("--for",), "cond", value="C")))


def test_flags_parse_like_kubectl():
    ns = CMD.parse(["pods", "-n", "dev", "web", "-owide", "--for=delete"])
    assert (ns.args, ns.namespace, ns.output, ns.for_, ns.all_namespaces) == (["pods", "web"], "dev", "wide", "delete", False)
    ns = CMD.parse(["-A", "pods", "--", "sh", "-c", "x"])
    assert ns.all_namespaces and ns.command_words == ["sh", "-c", "x"]


@pytest.mark.parametrize("words,message", [
    (["--bogus"], "error: unknown flag: --bogus"),
    (["-z"], "error: unknown shorthand flag: 'z' in -z"),
    (["-n"], "error: flag needs an argument"),
])
def test_flag_errors_read_like_kubectl(words, message):
    with pytest.raises(UserError, match=message):
        CMD.parse(words)


@pytest.mark.parametrize("text,seconds", [("30s", 30), ("1m30s", 90), ("2m", 120), ("500ms", 0.5), ("1h", 3600), ("5", 5)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_bad_duration():
    with pytest.raises(UserError, match='invalid duration "soon"'):
        parse_duration("soon")


def test_split_unquoted_pipes():
    from k8slab.shell.batch import split_unquoted

    assert split_unquoted("kubectl get pods | grep 'a|b' | wc -l", "|") == ["kubectl get pods ", " grep 'a|b' ", " wc -l"]
