"""What the prompt makes of typed and pasted input: heredocs, `-f -`, several commands, manifests."""

from __future__ import annotations

import pytest

from k8slab.errors import UserError
from k8slab.shell.batch import ScriptCommand
from k8slab.shell.repl import read_commands, reads_stdin


def feeder(*lines):
    """A `more()` that returns these lines, then Ctrl-D (EOFError)."""
    queue = list(lines)

    def more():
        if not queue:
            raise EOFError
        return queue.pop(0)
    return more


def test_a_plain_line_is_one_command():
    assert read_commands("kubectl get pods", feeder()) == [ScriptCommand("kubectl get pods", None, 1)]


def test_a_heredoc_reads_more_lines_up_to_its_word():
    more = feeder("kind: Pod", "metadata: {name: a}", "EOF", "never read")
    commands = read_commands("kubectl apply -f - <<EOF", more)
    assert commands == [ScriptCommand("kubectl apply -f -", "kind: Pod\nmetadata: {name: a}\n", 1)]
    assert more() == "never read"


def test_ctrl_d_ends_a_heredoc_as_in_bash():
    commands = read_commands("kubectl apply -f - <<END", feeder("kind: Pod"))
    assert commands == [ScriptCommand("kubectl apply -f -", "kind: Pod\n", 1)]


def test_f_dash_alone_reads_up_to_ctrl_d_and_says_so():
    notes = []
    commands = read_commands("kubectl create -f -", feeder("kind: Service", "spec: {}"), notes.append)
    assert commands == [ScriptCommand("kubectl create -f -", "kind: Service\nspec: {}\n", 1)]
    assert "Ctrl-D" in notes[0]


def test_a_pasted_block_runs_its_commands_in_order():
    pasted = "kubectl get pods\nkubectl apply -f - <<X\nkind: Pod\nX\nkubectl get svc; nodes"
    commands = read_commands(pasted, feeder())
    assert [c.text for c in commands] == ["kubectl get pods", "kubectl apply -f -", "kubectl get svc", "nodes"]
    assert commands[1].stdin == "kind: Pod\n"


def test_a_pasted_manifest_is_explained_not_run():
    with pytest.raises(UserError, match="kubectl apply -f -"):
        read_commands("apiVersion: v1\nkind: Pod", feeder())


@pytest.mark.parametrize("line, reads", [
    ("kubectl apply -f -", True), ("kubectl apply --filename=-", True), ("k delete -f=-", True),
    ("kubectl apply -f web.yaml", False), ("kubectl apply -f - | grep x", False), ("kubectl apply -f 'unclosed", False),
])
def test_which_commands_read_standard_input(line, reads):
    assert reads_stdin(line) is reads
