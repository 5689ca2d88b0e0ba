"""apply() without a kernel: the restore inputs it builds, with iptables replaced by a recorder."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest
from proxy_cases import NODE1, WEB_EPS, web

from k8slab.proxy import apply as A
from k8slab.proxy.batches import split_restore_input
from k8slab.proxy.render import render

EMPTY_SAVE = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n" \
             "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"


class FakeIptables:
    """Records every command; iptables-save answers `saved`, restore answers `restore_rc`."""

    def __init__(self, saved=EMPTY_SAVE):
        self.saved = saved
        self.calls = []
        self.fail_next = None

    def __call__(self, pid, argv, stdin=None):
        self.calls.append((pid, list(argv), stdin))
        if self.fail_next and "restore" in argv[0]:
            stderr, self.fail_next = self.fail_next, None
            return subprocess.CompletedProcess(argv, 1, "", stderr)
        return subprocess.CompletedProcess(argv, 0, self.saved if "save" in " ".join(argv) else "", "")

    def restores(self):
        return [stdin for _, argv, stdin in self.calls if argv[0].endswith("-restore")]


@pytest.fixture
def ipt(monkeypatch):
    fake = FakeIptables()
    monkeypatch.setattr(A, "_run", fake)
    monkeypatch.setattr(A, "_batch_limited", lambda iptables: iptables in A._LIMITED)
    monkeypatch.setattr(A, "_LIMITED", set())
    return fake


def test_commands_run_in_the_nodes_netns():
    assert A.in_netns(42, ["iptables-restore", "--noflush"]) == ["nsenter", "-t", "42", "-n", "iptables-restore",
                                                                 "--noflush"]


def test_first_apply_reads_once_and_ensures_jumps_in_the_same_restore(ipt):
    text = render(NODE1, [web()])
    chains = A.apply(7, text, None)
    assert [argv[0] for _, argv, _ in ipt.calls] == ["sh", "iptables-restore"]
    assert "route_localnet" in ipt.calls[0][1][2] and "exec iptables-save" in ipt.calls[0][1][2]
    assert ipt.calls[1][1] == ["iptables-restore", "-w", "5", "--noflush", "--counters"]
    sent = ipt.restores()[0]
    assert all(line in sent.splitlines() for line in text.splitlines())
    assert sent.startswith("*filter\n:KUBE-PROXY-CANARY - [0:0]\n:KUBE-SERVICES - [0:0]\n")
    assert '-I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES' in sent
    assert '-I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" ' \
           "-j KUBE-PROXY-FIREWALL" in sent
    assert "*mangle\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT\n" in sent
    assert chains == {"KUBE-SVC-CDGGSHYLG3RE2FKL", "KUBE-SEP-AFGSLHOD2HFNCBX4", "KUBE-SEP-3OLK2YUW6LHBC4UX",
                      "KUBE-SEP-DY76ZDMWORDP4GAT"}


def test_existing_jumps_are_not_inserted_twice(ipt):
    ipt.saved = EMPTY_SAVE.replace(
        "COMMIT\n*nat", "COMMIT\n*nat").replace(
        ":POSTROUTING ACCEPT [0:0]\n",
        ":POSTROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-OLD - [0:0]\n"
        '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\n')
    A.apply(7, render(NODE1, [web()]), None)
    sent = ipt.restores()[0]
    assert "-I PREROUTING" not in sent and "-I OUTPUT -m comment" in sent
    assert ":KUBE-SVC-OLD - [0:0]" in sent and "-X KUBE-SVC-OLD\nCOMMIT" in sent  # stale chain found live


def test_later_applies_write_only_changed_chains(ipt):
    services = [web(), replace(web(), name="api", cluster_ip="10.96.0.20")]
    chains = A.apply(7, render(NODE1, services), None)
    ipt.calls.clear()
    assert A.apply(7, render(NODE1, services), chains) == chains
    assert ipt.calls == []  # nothing changed: no process at all
    fewer = [replace(services[0], endpoints=WEB_EPS[:2]), services[1]]
    chains2 = A.apply(7, render(NODE1, fewer), chains)
    (sent,) = ipt.restores()
    assert sent.splitlines() == [
        "*nat",
        ":KUBE-SEP-DY76ZDMWORDP4GAT - [0:0]",
        ":KUBE-SVC-CDGGSHYLG3RE2FKL - [0:0]",
        '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http cluster IP" -m tcp -p tcp '
        "-d 10.96.100.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
        '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.1.5:8080" '
        "-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-AFGSLHOD2HFNCBX4",
        '-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment "default/web:http -> 10.244.2.6:8080" '
        "-j KUBE-SEP-3OLK2YUW6LHBC4UX",
        "-X KUBE-SEP-DY76ZDMWORDP4GAT",
        "COMMIT",
    ]
    assert "KUBE-SEP-DY76ZDMWORDP4GAT" not in chains2


def test_removing_a_service_deletes_its_chains_and_rewrites_the_portals(ipt):
    services = [web(node_port=30080), replace(web(), name="api", cluster_ip="10.96.0.20")]
    chains = A.apply(7, render(NODE1, services), None)
    A.apply(7, render(NODE1, services[1:]), chains)
    sent = ipt.restores()[-1]
    assert ":KUBE-SERVICES - [0:0]" in sent and ":KUBE-NODEPORTS - [0:0]" in sent
    for chain in ("KUBE-SVC-CDGGSHYLG3RE2FKL", "KUBE-EXT-CDGGSHYLG3RE2FKL", "KUBE-SEP-AFGSLHOD2HFNCBX4"):
        assert f":{chain} - [0:0]" in sent and f"-X {chain}" in sent
    assert "*filter" not in sent  # unchanged filter chains are left alone


def test_plain_set_means_full_write_without_reading(ipt):
    text = render(NODE1, [web()])
    A.apply(7, text, {"KUBE-SVC-GONE"})
    assert [argv[0] for _, argv, _ in ipt.calls] == ["iptables-restore"]
    sent = ipt.restores()[0]
    assert sent == text.replace("*nat\n", "*nat\n:KUBE-SVC-GONE - [0:0]\n").replace(
        "NODEPORTS\nCOMMIT\n", "NODEPORTS\n-X KUBE-SVC-GONE\nCOMMIT\n")


def test_failure_names_the_line(ipt):
    ipt.fail_next = "iptables-restore: line 3 failed"
    with pytest.raises(A.ApplyError) as e:
        A.restore(7, "*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j NOPE\nCOMMIT\n")
    assert e.value.line_number == 3 and e.value.line == "-A KUBE-SERVICES -j NOPE"
    assert "line 3: -A KUBE-SERVICES -j NOPE" in str(e.value)
    ipt.fail_next = "iptables-restore v1.8.9 (nf_tables): Chain 'NOPE' does not exist\nError occurred at line: 2"
    with pytest.raises(A.ApplyError, match="Chain 'NOPE' does not exist.*line 2: :KUBE-SERVICES"):
        A.restore(7, "*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n")


def test_failed_partial_sync_falls_back_to_a_full_one(ipt):
    chains = A.apply(7, render(NODE1, [web()]), None)
    ipt.calls.clear()
    ipt.fail_next = "iptables-restore: line 2 failed"
    A.apply(7, render(NODE1, [web(endpoints=WEB_EPS[:1])]), chains)
    assert [argv[0] for _, argv, _ in ipt.calls] == ["iptables-restore", "sh", "iptables-restore"]


def test_read_rules_keeps_requested_tables(ipt):
    ipt.saved = "# Generated by iptables-save\n*mangle\n:X - [0:0]\nCOMMIT\n" + EMPTY_SAVE
    assert A.read_rules(7, tables=["nat"]) == "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" \
                                              ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
    A.read_rules(7, counters=True)
    assert ipt.calls[-1][1] == ["iptables-save", "-c"]


def test_compose_and_only_chains():
    text = render(NODE1, [web()])
    blocks = A.chain_blocks(text)
    assert blocks[("nat", "KUBE-MARK-MASQ")] == ["-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000"]
    assert A.only_chains(blocks, set()) == ""
    assert A.compose("", []) == ""
    assert A.compose("", ["KUBE-SEP-X"]) == "*nat\n:KUBE-SEP-X - [0:0]\n-X KUBE-SEP-X\nCOMMIT\n"


def test_too_long_batches_are_split_from_then_on(ipt, monkeypatch):
    monkeypatch.setattr(A, "MAX_BATCH_LINES", 10)
    text = render(NODE1, [web(node_port=30080)])
    ipt.fail_next = "sendmsg() failed: Message too long\niptables-restore: line 40 failed: Message too long."
    A.restore(7, text)
    sent = ipt.restores()
    assert sent[0] == text and len(sent) > 3
    assert all(len([x for x in chunk.splitlines() if x[0] in ":-"]) <= 10 for chunk in sent[1:])
    ipt.calls.clear()
    A.restore(7, text)
    assert len(ipt.restores()) == len(sent) - 1  # no failing attempt any more


def test_split_keeps_every_line_and_orders_targets_first():
    text = A.compose(render(NODE1, [web(node_port=30080, affinity_timeout=60)]), ["KUBE-SEP-OLD"],
                     {"filter": ([":KUBE-PROXY-CANARY - [0:0]"], ["-I INPUT -j KUBE-FIREWALL"])})
    chunks = split_restore_input(text, 7)
    lines = [x for c in chunks for x in c.splitlines() if x[0] in ":-"]
    assert sorted(lines) == sorted(x for x in text.splitlines() if x[0] in ":-")
    assert all(c.startswith("*") and c.endswith("COMMIT\n") for c in chunks)
    first_seen = {}
    for i, x in enumerate(lines):
        if x.startswith(":"):
            first_seen.setdefault(x[1:].split()[0], i)
    for i, x in enumerate(lines):
        if " -j KUBE-" in x:
            target = x.rsplit(" -j ", 1)[1].split()[0]
            assert first_seen[target] < i, x  # the target chain was declared (and filled) before
    assert lines[-2:] == [":KUBE-SEP-OLD - [0:0]", "-X KUBE-SEP-OLD"]
    assert split_restore_input(text, 10_000) != [] and len(split_restore_input(text, 10_000)) == 1
