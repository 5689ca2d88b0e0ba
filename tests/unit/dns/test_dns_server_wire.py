"""The server's wire layer in-process: flags, EDNS0, truncation, caching and the query-log line."""

from __future__ import annotations

import struct

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

from k8slab.dns import wire
from k8slab.dns.rr import RR, Answer

NAME = "big.default.svc.cluster.local."
SOA = RR("cluster.local.", 30, "SOA", "ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30")


def fixed(answer: Answer):
    """A lookup that always gives `answer`, counting its calls."""
    calls = []

    def lookup(qname, qtype):
        calls.append((qname, qtype))
        return answer
    return lookup, calls


def ask(answer: Answer, qname=NAME, qtype="A", proto="udp", shuffle=False, **kw):
    query = dns.message.make_query(qname, qtype, **kw)
    lookup, _ = fixed(answer)
    ex = wire.exchange(query.to_wire(), proto, lambda n, t: wire.prepare(lookup(n, t)), shuffle)
    return ex, dns.message.from_wire(ex.reply)


def many_a(n: int) -> Answer:
    return Answer("NOERROR", tuple(RR(NAME, 30, "A", f"10.244.{i // 250}.{i % 250 + 1}") for i in range(n)),
                  authoritative=True)


def test_flags_follow_the_answer():
    ex, reply = ask(Answer("NOERROR", (RR(NAME, 30, "A", "10.96.0.1"),), authoritative=True))
    assert ex.flags == "qr,aa,rd" and reply.flags & dns.flags.RA == 0
    # A name CoreDNS forwards comes back from a recursive upstream: RA, no AA.
    ex, _ = ask(Answer("NOERROR", (RR("example.com.", 30, "A", "192.0.2.1"),)), qname="example.com.")
    assert ex.flags == "qr,rd,ra"
    for rcode in ("SERVFAIL", "REFUSED"):  # CoreDNS's own failures: no RA
        ex, _ = ask(Answer(rcode))
        assert ex.flags == "qr,rd" and ex.rcode == rcode


def test_cd_is_copied_and_rd_only_when_asked():
    query = dns.message.make_query(NAME, "A")
    query.flags = dns.flags.CD
    ex = wire.exchange(query.to_wire(), "udp", lambda n, t: wire.prepare(Answer("NXDOMAIN", (), (SOA,), (), True)))
    assert ex.flags == "qr,aa,cd"


def test_truncation_keeps_what_fits_and_sets_tc():
    ex, reply = ask(many_a(60))
    assert reply.flags & dns.flags.TC and len(ex.reply) <= 512
    kept = [r for rrset in reply.answer for r in rrset]
    assert 0 < len(kept) < 60  # a partial answer, as miekg/dns Msg.Truncate leaves it
    ex, reply = ask(many_a(60), proto="tcp")
    assert not reply.flags & dns.flags.TC and sum(len(r) for r in reply.answer) == 60


def test_dropping_additional_records_does_not_set_tc():
    srv = RR("_http._tcp." + NAME, 30, "SRV", f"0 1 80 {NAME}")
    extra = tuple(RR(NAME, 30, "A", f"10.244.1.{i}") for i in range(1, 60))
    ex, reply = ask(Answer("NOERROR", (srv,), (), extra, True), qname="_http._tcp." + NAME, qtype="SRV")
    assert not reply.flags & dns.flags.TC
    assert reply.answer and not reply.additional


def test_edns_payload_is_the_udp_limit_and_is_echoed():
    ex, reply = ask(many_a(60), use_edns=0, payload=1232)
    assert not reply.flags & dns.flags.TC and reply.payload == 1232
    assert ex.bufsize == 1232 and not ex.do
    ex, reply = ask(many_a(100), use_edns=0, payload=1232, want_dnssec=True)
    assert reply.flags & dns.flags.TC and len(ex.reply) <= 1232
    assert ex.do and reply.ednsflags & dns.flags.DO
    ex, _ = ask(many_a(1), use_edns=0, payload=100)  # below 512 counts as 512
    assert ex.bufsize == 512


def test_non_in_class_and_zone_transfers_are_refused():
    lookup, calls = fixed(many_a(1))
    for qtype, rdclass in (("TXT", "CH"), ("AXFR", "IN")):
        q = dns.message.make_query("version.bind.", qtype, rdclass)
        ex = wire.exchange(q.to_wire(), "tcp", lambda n, t: wire.prepare(lookup(n, t)))
        assert ex.rcode == "REFUSED"
    assert calls == []


def test_malformed_queries():
    lookup = lambda n, t: wire.prepare(many_a(1))  # noqa: E731
    assert wire.exchange(b"\x00" * 11, "udp", lookup) is None
    ex = wire.exchange(struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x03abc", "udp", lookup)
    assert ex.reply == struct.pack("!HHHHHH", 7, 0x8101, 0, 0, 0, 0) and not ex.logged
    q = dns.message.make_query(NAME, "A")
    q.question.append(q.question[0])
    ex = wire.exchange(q.to_wire(), "udp", lookup)
    assert dns.message.from_wire(ex.reply).rcode() == dns.rcode.FORMERR


def test_replies_cache_rewrites_the_id_and_resets_per_instance():
    calls = []

    def answer(qname, qtype):
        calls.append(qname)
        return Answer("NOERROR", (RR(qname, 30, "A", "10.96.0.1"),), authoritative=True)
    replies = wire.Replies(answer, shuffle=False)
    q = dns.message.make_query("Web.default.svc.cluster.local.", "A")
    first = replies.exchange(q.to_wire(), "udp")
    q.id = (q.id + 1) % 65536
    second = replies.exchange(q.to_wire(), "udp")
    assert second.qid == q.id and dns.message.from_wire(second.reply).id == q.id
    assert second.reply[2:] == first.reply[2:]
    assert calls == ["Web.default.svc.cluster.local."]  # the question's case reaches the answer logic
    assert second.qname == "web.default.svc.cluster.local."  # the log prints it lower-cased, as CoreDNS


def test_reply_bytes_are_the_exchanges_reply_cached_or_not():
    one = wire.Replies(lambda n, t: many_a(1), shuffle=True)
    other = wire.Replies(lambda n, t: many_a(1), shuffle=True)
    q = dns.message.make_query(NAME, "A")
    for qid in (1, 2, 3):  # a miss, then hits with another ID each time
        q.id = qid
        assert one.reply(q.to_wire(), "udp") == other.exchange(q.to_wire(), "udp").reply
    assert dns.message.from_wire(one.reply(q.to_wire(), "udp")).id == 3
    shuffled = wire.Replies(lambda n, t: many_a(3), shuffle=True)  # never cached: each reply is shuffled anew

    def records(reply: bytes) -> list:
        return sorted(line for rrset in dns.message.from_wire(reply).answer for line in rrset.to_text().splitlines())
    assert records(shuffled.reply(q.to_wire(), "udp")) == records(shuffled.exchange(q.to_wire(), "udp").reply)
    assert not shuffled._replies
    assert one.reply(b"\x00" * 11, "udp") is None
    response = bytearray(q.to_wire())
    response[2] |= 0x80  # QR: a response sent to the server gets nothing back
    assert one.reply(bytes(response), "udp") is None


def test_answer_errors_become_servfail_and_are_reported():
    errors = []

    def broken(qname, qtype):
        raise RuntimeError("boom")
    replies = wire.Replies(broken, on_error=lambda n, t, e: errors.append((n, t, str(e))))
    ex = replies.exchange(dns.message.make_query(NAME, "A").to_wire(), "udp")
    assert ex.rcode == "SERVFAIL" and errors == [(NAME, "A", "boom")]


def test_loadbalance_shuffles_address_runs_only():
    answer = Answer("NOERROR", (RR(NAME, 30, "CNAME", "x.example."),)
                    + tuple(RR("x.example.", 30, "A", f"192.0.2.{i}") for i in range(1, 9)), authoritative=True)
    orders = set()
    for _ in range(30):
        _, reply = ask(answer, shuffle=True)
        assert reply.answer[0].rdtype == dns.rdatatype.CNAME
        orders.add(tuple(r.to_text() for rrset in reply.answer[1:] for r in rrset))
    assert len(orders) > 1
    assert all(sorted(o) == sorted(f"192.0.2.{i}" for i in range(1, 9)) for o in orders)


def test_log_line_matches_coredns():
    ex, reply = ask(many_a(1), use_edns=0, payload=4096, want_dnssec=True)
    line = wire.log_line(("10.244.1.5", 48513), "udp", ex, 0.000123)
    assert line == (f'[INFO] 10.244.1.5:48513 - {ex.qid} "A IN {NAME} udp {ex.size} true 4096" NOERROR qr,aa,rd '
                    f'{len(ex.reply)} 0.000123s')
    assert wire.log_line(("::1", 53), "tcp", ex, 1.5).startswith("[INFO] [::1]:53 - ")


def test_go_seconds():
    assert wire.go_seconds(0.000123) == "0.000123s"
    assert wire.go_seconds(0.0000123) == "0.0000123s"
    assert wire.go_seconds(1.0) == "1s"
    assert wire.go_seconds(0.0) == "0s"
    assert wire.go_seconds(2.5) == "2.5s"
