"""Parsing restore input and iptables-save output into comparable rules."""

from __future__ import annotations

from collections import Counter

from proxy_cases import CASES, SAVED

from k8slab.proxy.render import render
from k8slab.proxy.rules import Recent, parse, parse_rule


def test_parse_rule_fields():
    r = parse_rule("nat", '-A KUBE-SVC-X -m comment --comment "default/web:http cluster IP" -m tcp -p tcp '
                          "-d 10.96.100.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ")
    assert (r.chain, r.proto, r.dport, r.dst, r.src) == ("KUBE-SVC-X", "tcp", 80, (False, "10.96.100.10"),
                                                          (True, "10.244.0.0/16"))
    assert r.comment == "default/web:http cluster IP" and r.target == "KUBE-MARK-MASQ" and r.unknown == ()


def test_parse_recent_statistic_dnat_mark():
    r = parse_rule("nat", "-A KUBE-SVC-X -m recent --name KUBE-SEP-Y --rcheck --seconds 10800 --reap -j KUBE-SEP-Y")
    assert r.recent == Recent("KUBE-SEP-Y", "rcheck", 10800, True)
    r = parse_rule("nat", "-A KUBE-SVC-X -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-Y")
    assert r.probability == 0.3333333333
    r = parse_rule("nat", "-A KUBE-SEP-Y -m recent --name KUBE-SEP-Y --set -m tcp -p tcp -j DNAT "
                          "--to-destination 10.244.1.5:8080")
    assert r.recent.action == "set" and r.target_arg("--to-destination") == "10.244.1.5:8080"
    r = parse_rule("nat", "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN")
    assert r.mark == (True, 0x4000, 0x4000)
    r = parse_rule("filter", "-A X -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP")
    assert r.ctstate == (True, frozenset({"RELATED", "ESTABLISHED", "DNAT"}))


def test_unknown_options_are_kept():
    r = parse_rule("filter", "-A X -i eth0 -m multiport --dports 80,443 -j ACCEPT")
    assert r.unknown == ("-i eth0", "--dports 80,443")


def test_our_spelling_and_the_kernels_have_the_same_keys():
    ours = parse(render(*CASES["clusterip"]))
    saved = parse(SAVED)
    ours_keys = Counter(r.key() for r in ours.all_rules() if r.chain != "KUBE-SEP-DY76ZDMWORDP4GAT")
    for r in saved.all_rules():
        if r.chain.startswith(("KUBE-SEP", "KUBE-MARK", "KUBE-POSTROUTING")) or "cluster IP" in (r.comment or ""):
            assert ours_keys[r.key()] >= 1, r.text


def test_mark_spellings_are_equivalent():
    def key(text):
        return parse_rule("nat", text).key()[1:]
    assert key("-A C -j MARK --or-mark 0x4000") == key("-A C -j MARK --set-xmark 0x4000/0x4000")
    assert key("-A C -j MARK --xor-mark 0x4000") == key("-A C -j MARK --set-xmark 0x4000/0x0")
    assert key("-A C -j REJECT") == key("-A C -j REJECT --reject-with icmp-port-unreachable")
    assert key("-A C -d 10.0.0.1 -j ACCEPT") == key("-A C -d 10.0.0.1/32 -j ACCEPT")


def test_parse_follows_noflush_semantics():
    rs = parse("*nat\n:A - [0:0]\n-A A -j RETURN\n:A - [0:0]\n-A A -j ACCEPT\n:B - [0:0]\n-X B\n"
               "-I A -j DROP\nCOMMIT\n")
    assert [r.target for r in rs.rules("nat", "A")] == ["DROP", "ACCEPT"]
    assert [r.index for r in rs.rules("nat", "A")] == [0, 1]
    assert not rs.has_chain("nat", "B")
    assert rs.policies[("nat", "A")] == "-"
