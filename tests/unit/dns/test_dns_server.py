"""The DNS server process on loopback: real UDP/TCP queries with dnspython, state over its Unix socket."""

from __future__ import annotations

import json
import re
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import pytest

from test_dns_server_harness import BIG_ENDPOINTS, WEB_IP, DnsServerProcess, make_query, scenario_state, texts

WEB = "web.default.svc.cluster.local."
BIG = "big.default.svc.cluster.local."
LOG_LINE = re.compile(r'^\[INFO\] 127\.0\.0\.1:(\d+) - (\d+) "(\S+) IN (\S+) (udp|tcp) (\d+) (true|false) (\d+)" '
                      r'(\S+) ([a-z,]+) (\d+) (\d+(?:\.\d+)?)s$')


@pytest.fixture(scope="module")
def server():
    srv = DnsServerProcess()
    srv.push_state()
    yield srv
    srv.stop()


def flags_of(msg) -> set:
    return set(dns.flags.to_text(msg.flags).lower().split())


# --- answers -------------------------------------------------------------------------------------


def test_banner_looks_like_coredns(server):
    assert server.banner[0] == f".:{server.port}"
    assert re.match(r"^\[INFO\] plugin/reload: Running configuration SHA512 = [0-9a-f]{128}$", server.banner[1])
    assert server.banner[2].startswith("CoreDNS-1.")
    assert re.match(r"^linux/\w+, go1\.\d+", server.banner[3])


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_clusterip_a_record(server, transport):
    reply = getattr(server, transport)(WEB, "A")
    assert reply.rcode() == dns.rcode.NOERROR
    assert texts(reply.answer) == [f"{WEB} 30 IN A {WEB_IP}"]
    # CoreDNS's kubernetes plugin is authoritative and does not set RA ("recursion requested but not available").
    assert flags_of(reply) == {"qr", "aa", "rd"}
    assert reply.opcode() == dns.opcode.QUERY


def test_names_are_case_insensitive_and_question_is_echoed(server):
    reply = server.udp("Web.Default.SVC.cluster.local.", "A")
    assert reply.rcode() == dns.rcode.NOERROR
    assert [r.address for r in reply.answer[0]] == [WEB_IP]
    assert reply.question[0].name.to_text() == "Web.Default.SVC.cluster.local."


def test_srv_record_with_target_address(server):
    reply = server.udp(f"_http._tcp.{WEB}", "SRV")
    assert reply.rcode() == dns.rcode.NOERROR
    assert texts(reply.answer) == [f"_http._tcp.{WEB} 30 IN SRV 0 100 80 {WEB}"]
    assert f"{WEB} 30 IN A {WEB_IP}" in texts(reply.additional)


def test_ptr_record(server):
    reply = server.udp("50.0.96.10.in-addr.arpa.", "PTR")
    assert reply.rcode() == dns.rcode.NOERROR
    assert texts(reply.answer) == [f"50.0.96.10.in-addr.arpa. 30 IN PTR {WEB}"]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_nxdomain_carries_the_zone_soa(server, transport):
    reply = getattr(server, transport)("nope.default.svc.cluster.local.", "A")
    assert reply.rcode() == dns.rcode.NXDOMAIN
    assert reply.answer == []
    [soa] = reply.authority
    assert soa.rdtype == dns.rdatatype.SOA and soa.name.to_text() == "cluster.local."
    assert "aa" in flags_of(reply)


# --- size limits --------------------------------------------------------------------------------


def test_big_udp_answer_is_truncated_then_complete_over_tcp(server):
    small = server.udp(BIG, "A")
    assert "tc" in flags_of(small)
    assert len(small.to_wire()) <= 512
    assert sum(len(r) for r in small.answer) < len(BIG_ENDPOINTS)
    full = server.tcp(BIG, "A")
    assert "tc" not in flags_of(full)
    assert sorted(r.address for rrset in full.answer for r in rrset) == sorted(BIG_ENDPOINTS)


def test_edns_buffer_size_lets_a_big_answer_through_udp(server):
    reply = server.udp(BIG, "A", edns=0, payload=4096)
    assert "tc" not in flags_of(reply)
    assert sum(len(r) for r in reply.answer) == len(BIG_ENDPOINTS)


def test_edns_is_echoed_with_do_bit_and_cookie(server):
    cookie = dns.edns.GenericOption(dns.edns.OptionType.COOKIE, b"\x01\x02\x03\x04\x05\x06\x07\x08")
    ecs = dns.edns.ECSOption("192.0.2.0", 24)
    reply = server.udp(WEB, "A", edns=0, payload=1232, want_dnssec=True, options=[cookie, ecs])
    assert reply.edns == 0
    assert reply.payload == 1232
    assert reply.ednsflags & dns.flags.DO
    # CoreDNS copies only the options it supports (COOKIE yes, client subnet no).
    assert [o.otype for o in reply.options] == [dns.edns.OptionType.COOKIE]
    assert reply.options[0].to_wire() == cookie.to_wire()


def test_no_opt_record_without_edns_in_the_query(server):
    reply = server.udp(WEB, "A")
    assert reply.edns == -1


def test_tcp_connection_answers_several_pipelined_queries(server):
    ids = [1001, 1002, 1003]
    names = [WEB, BIG, "nope.default.svc.cluster.local."]
    with socket.create_connection(("127.0.0.1", server.port), timeout=3) as s:
        wires = []
        for qid, name in zip(ids, names):
            q = make_query(name, "A")
            q.id = qid
            w = q.to_wire()
            wires.append(struct.pack("!H", len(w)) + w)
        s.sendall(b"".join(wires))  # all at once: the server must split the stream itself
        got = []
        buf = b""
        while len(got) < 3:
            chunk = s.recv(65536)
            assert chunk
            buf += chunk
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
                n = struct.unpack("!H", buf[:2])[0]
                got.append(dns.message.from_wire(buf[2:2 + n]))
                buf = buf[2 + n:]
    assert [m.id for m in got] == ids
    assert [m.rcode() for m in got] == [dns.rcode.NOERROR, dns.rcode.NOERROR, dns.rcode.NXDOMAIN]


# --- odd packets -------------------------------------------------------------------------------


def test_garbage_with_a_header_gets_formerr_and_runts_get_nothing(server):
    header = struct.pack("!HHHHHH", 0xBEEF, 0x0100, 1, 0, 0, 0)
    reply = server.raw_udp(header + b"\xff\xff\xff")  # a question that runs off the end
    assert reply[:2] == b"\xbe\xef"
    assert reply[3] & 0x0F == dns.rcode.FORMERR and reply[2] & 0x80
    assert server.raw_udp(b"\x01\x02\x03", timeout=0.3) == b""
    response = dns.message.make_response(make_query(WEB)).to_wire()
    assert server.raw_udp(response, timeout=0.3) == b""  # responses are ignored


def test_other_opcodes_are_not_implemented(server):
    q = make_query(WEB)
    q.set_opcode(dns.opcode.NOTIFY)
    reply = dns.message.from_wire(server.raw_udp(q.to_wire()))
    assert reply.rcode() == dns.rcode.NOTIMP
    assert reply.opcode() == dns.opcode.NOTIFY


def test_unknown_edns_version_gets_badvers(server):
    reply = server.udp(WEB, "A", edns=1)
    assert reply.rcode() == dns.rcode.BADVERS


# --- control socket ----------------------------------------------------------------------------


def test_query_log_in_coredns_format(server):
    assert server.control({"log": True}) == [{"ok": True}]
    q = make_query(WEB, "A")
    q.id = 46373
    while not server.lines.empty():
        server.lines.get_nowait()
    reply = dns.query.udp(q, "127.0.0.1", port=server.port, timeout=3)
    m = LOG_LINE.match(server.next_line())
    assert m, "log line does not match CoreDNS's format"
    assert m.group(2, 3, 4, 5, 7, 8, 9, 10) == ("46373", "A", WEB, "udp", "false", "512", "NOERROR", "qr,aa,rd")
    assert int(m.group(6)) == len(q.to_wire()) and int(m.group(11)) == len(reply.to_wire())
    server.tcp("_http._tcp." + WEB, "SRV", edns=0, payload=4096, want_dnssec=True)
    m = LOG_LINE.match(server.next_line())
    assert m.group(3, 5, 7, 8) == ("SRV", "tcp", "true", "65535")
    server.udp("nope.default.svc.cluster.local.", "AAAA")
    m = LOG_LINE.match(server.next_line())
    assert m.group(3, 9) == ("AAAA", "NXDOMAIN")
    assert server.control({"log": False}) == [{"ok": True}]
    server.udp(WEB, "A")
    with pytest.raises(AssertionError):
        server.next_line(timeout=0.3)


def test_bad_control_messages_are_refused_and_keep_the_state(server):
    replies = server.control(b"{not json", [1, 2], {"log": "yes"}, {"state": "{broken"}, {"config": {"nope": 1}})
    assert [r["ok"] for r in replies] == [False] * 5
    assert all(r["error"] for r in replies)
    assert server.udp(WEB).rcode() == dns.rcode.NOERROR


def test_config_changes_the_ttl(server):
    assert server.control({"config": {"ttl": 5}}) == [{"ok": True}]
    assert server.udp(WEB).answer[0].ttl == 5
    assert server.control({"config": {"ttl": 30}}) == [{"ok": True}]
    assert server.udp(WEB).answer[0].ttl == 30


def test_state_replaced_over_new_connections_and_as_a_string(server):
    first = server.connect()
    try:
        # A new state on a second connection while the first stays open; then the first goes away.
        gone = scenario_state({"namespaces": ["default"], "services": []})
        server.push_state(gone, as_object=False)
        assert server.udp(WEB).rcode() == dns.rcode.NXDOMAIN
    finally:
        first.close()
    # What the control plane's DnsFeeder sends: the state and the log switch in one message.
    assert server.control({"state": json.loads(scenario_state()), "log": False}) == [{"ok": True}]
    assert server.udp(WEB).rcode() == dns.rcode.NOERROR


# --- speed (printed, never asserted) ------------------------------------------------------------


def test_measure_queries_per_second(server):
    names = [WEB, "nope.default.svc.cluster.local.", f"_http._tcp.{WEB}", f"{WEB}default.svc.cluster.local."]
    queries = [make_query(n, "SRV" if n.startswith("_") else "A").to_wire() for n in names]
    lockstep = _udp_qps(server.port, queries, 2000, window=1)
    windowed = _udp_qps(server.port, queries, 10000, window=32)
    # Every name different: nothing cached, the full parse-answer-render path each time.
    distinct = [make_query(f"x{i}.default.svc.cluster.local.", "A").to_wire() for i in range(3000)]
    uncached = _udp_qps(server.port, distinct, len(distinct), window=32)
    with socket.create_connection(("127.0.0.1", server.port), timeout=3) as t:
        n_tcp = 2000
        started = time.perf_counter()
        for i in range(n_tcp):
            w = queries[i % len(queries)]
            t.sendall(struct.pack("!H", len(w)) + w)
            size = struct.unpack("!H", _read_exact(t, 2))[0]
            _read_exact(t, size)
        tcp_qps = n_tcp / (time.perf_counter() - started)
    print(f"\nDNS server: UDP {windowed:,.0f} queries/s with 32 in flight ({uncached:,.0f} with distinct names), "
          f"{lockstep:,.0f} in lock-step; TCP {tcp_qps:,.0f} in lock-step")


def _udp_qps(port: int, queries, n: int, window: int) -> float:
    """Queries per second answered, keeping `window` queries in flight (a lost one is resent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", port))
        s.settimeout(0.5)
        sent = answered = 0
        started = time.perf_counter()
        while answered < n:
            while sent - answered < window and sent < n:
                s.send(queries[sent % len(queries)])
                sent += 1
            try:
                s.recv(4096)
                answered += 1
            except socket.timeout:
                sent = answered  # resend what was lost
        return n / (time.perf_counter() - started)


def _read_exact(sock, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        assert chunk
        buf += chunk
    return buf
