"""Help generated from the declarations, --help for every command, and `did you mean` for typos."""

from __future__ import annotations

import pytest

from k8slab.shell.helptext import command_help, wants_help
from k8slab.shell.kubectl import KUBECTL
from k8slab.shell.registry import Command, Flag
from k8slab.shell.suggestions import closest, cobra_suggestions, levenshtein, unknown_subcommand
from tests.unit.shell.light_session import light_session


@pytest.fixture(scope="module")
def session():
    return light_session()


def test_help_fits_one_screen_grouped(session):
    text = session.execute("help").stdout
    lines = text.rstrip("\n").split("\n")
    assert len(lines) <= 35 and max(len(line) for line in lines) <= 120, (len(lines), text)
    heads = [line.split(":")[0] for line in lines if line and not line.startswith(" ")]
    assert heads[:5] == ["Lessons", "Cluster", "Network", "kubectl COMMAND [ARGS] (also k)", "Session"]
    assert lines[-1].startswith("More: `help COMMAND` or `COMMAND --help`")
    for cmd in session.registry.unique():  # every command is on the screen
        assert any(line.lstrip().startswith(cmd.name) or f" {cmd.name}" in line for line in lines), cmd.name
    for cmd in KUBECTL.unique():
        assert any(line.startswith(f"  {cmd.name} ") for line in lines), cmd.name
    assert "  <host> <shell command>" in text and "node1, node2, node3, ext, world" in text


def test_command_help_reads_like_cobra():
    cmd = Command("scale", "set the number of replicas", "kubectl scale KIND NAME --replicas=N", handler=None,
                  aliases=("sc",), flags=(Flag(("--replicas",), "how many", value="N"),
                                          Flag(("-n", "--namespace"), "the namespace", value="NS")),
                  examples=("kubectl scale deploy web --replicas=3",))
    assert command_help(cmd) == (
        "Set the number of replicas.\n"
        "\n"
        "Usage:\n"
        "  kubectl scale KIND NAME --replicas=N\n"
        "\n"
        "Aliases:\n"
        "  scale, sc\n"
        "\n"
        "Flags:\n"
        "      --replicas N     how many\n"
        "  -n, --namespace NS   the namespace\n"
        "\n"
        "Examples:\n"
        "  kubectl scale deploy web --replicas=3")


@pytest.mark.parametrize("line", ["help get", "help kubectl get", "help k get", "kubectl help get",
                                  "kubectl get --help", "kubectl get pods -h", "k get --help"])
def test_the_ways_to_ask_for_kubectl_get_help_agree(session, line):
    r = session.execute(line)
    assert r.exit_code == 0 and r.stdout == session.execute("help get").stdout
    assert r.stdout.startswith("List resources") and "\nFlags:\n  -n, --namespace NS" in r.stdout


@pytest.mark.parametrize("line", ["kubectl", "kubectl --help", "help kubectl", "k -h"])
def test_kubectl_alone_lists_its_commands(session, line):
    r = session.execute(line)
    assert r.exit_code == 0 and "\nCommands:\n  get " in r.stdout and "  edit " in r.stdout
    assert r.stdout.rstrip().endswith('Use "kubectl <command> --help" for more information about a given command.')


def test_shell_commands_answer_help_instead_of_running(session):
    r = session.execute("exit --help")
    assert not session.exit_requested and r.stdout.startswith("Leave k8slab") and "\nAliases:\n  exit, quit" in r.stdout
    assert session.execute("node stop -h").stdout.startswith("Make a node fail")
    assert session.execute("trace client svc/web --help").stdout == session.execute("help trace").stdout


def test_help_after_dashdash_belongs_to_the_program():
    assert wants_help(["pod", "--help"]) and wants_help(["-h"])
    assert not wants_help(["web", "--", "ls", "--help"]) and not wants_help(["--helpful"])


def test_unknown_shell_command_suggests_the_closest(session):
    assert session.execute("kubeclt get pods").stderr == 'error: unknown command "kubeclt". Did you mean "kubectl"?\n'
    assert session.execute("halp").stderr == 'error: unknown command "halp". Did you mean "help"?\n'
    assert session.execute("nod1 ip route").stderr == 'error: unknown command "nod1". Did you mean "node1"?\n'
    r = session.execute("zzzz")
    assert r.exit_code == 1 and r.stderr.startswith('error: unknown command "zzzz". Type "help" to see the commands')


def test_unknown_kubectl_command_reads_like_kubectl(session):
    assert session.execute("kubectl gte pods").stderr == \
        'error: unknown command "gte" for "kubectl"\n\nDid you mean this?\n\tget\n'
    assert session.execute("kubectl rollot status deploy/web").stderr.endswith("Did you mean this?\n\trollout\n")
    assert session.execute("kubectl frobnicate").stderr == 'error: unknown command "frobnicate" for "kubectl"\n'


def test_unknown_kinds_keep_kubectls_words(session):
    assert session.execute("kubectl get podz").stderr == 'error: the server doesn\'t have a resource type "podz"\n'


def test_help_for_an_unknown_command(session):
    r = session.execute("help gte")
    assert r.exit_code == 1 and r.stderr == 'error: no help for "gte": unknown command. Did you mean "get"?\n'


def test_suggestion_algorithms():
    assert levenshtein("gte", "get") == 2 and levenshtein("", "abc") == 3 and levenshtein("kitten", "sitting") == 3
    assert cobra_suggestions("descibe", ["delete", "describe", "get"]) == ["describe"]
    assert cobra_suggestions("roll", ["rollout", "run"]) == ["rollout"]  # a prefix, however far
    assert cobra_suggestions("de", ["delete", "get", "scale"]) == ["delete", "get"]  # cobra: 2 edits for any word
    assert cobra_suggestions("LOGS", ["logs", "label"]) == ["logs"]
    assert closest("nodez", ["node", "nodes", "net"]) == "node" and closest("xyz", ["node"]) is None
    assert unknown_subcommand("x", "kubectl", []) == 'error: unknown command "x" for "kubectl"'


def test_overview_shortens_long_syntaxes_and_groups_by_declaration():
    from k8slab.shell.helptext import overview

    def cmd(name, syntax, group="", aliases=()):
        return Command(name, f"what {name} does", syntax, handler=None, group=group, aliases=aliases, program="k8slab")

    text = overview([cmd("kubectl", "kubectl COMMAND [ARGS]", "kubectl", ("k",)),
                     cmd("topo", "topo [svc/NAME] [-n NAMESPACE | -A] [--svg FILE]", "Network"),
                     cmd("dns", "dns records [NAMESPACE/SERVICE] | dns log on|off", "Network"),
                     cmd("new", "new THING"), cmd("exit", "exit", "Session", ("quit",))],
                    [Command("get", "list things", "kubectl get", handler=None)], ["node1", "ext"])
    assert text.split("\nExamples:")[0] == (
        "Cluster:\n"
        "  new THING                    what new does\n"  # no group: Cluster
        "Network:\n"
        "  topo [svc/NAME] ...          what topo does\n"
        "  dns records ...              what dns does\n"
        "  <host> <shell command>       run a command on a node or host: node1, ext\n"
        "kubectl COMMAND [ARGS] (also k): what kubectl does\n"
        "  get  list things\n"
        "Session: exit (also quit)\n")
