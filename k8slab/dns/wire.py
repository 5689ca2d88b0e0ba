"""DNS messages on the wire: query bytes in, reply bytes out, the way CoreDNS shapes them.

dnspython does all the encoding and decoding; this module decides flags, EDNS0 and truncation,
and reports what CoreDNS's `log` plugin prints about each exchange.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import struct
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

UDP_MIN = 512  # RFC 1035: what a client without EDNS0 accepts over UDP
TCP_MAX = 65535  # the 2-byte length prefix: CoreDNS reports this as the TCP buffer size

# The EDNS0 options CoreDNS copies from a query into its reply (request.supportedOptions); others are dropped.
_ECHOED_OPTIONS = {dns.edns.OptionType.NSID, dns.edns.OptionType.EXPIRE, dns.edns.OptionType.COOKIE,
                   dns.edns.OptionType.KEEPALIVE, dns.edns.OptionType.PADDING}
# kubeadm's Corefile has `loadbalance`, which shuffles these record types in every answer.
_SHUFFLED = {dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.MX}
_FLAG_ORDER = ((dns.flags.QR, "qr"), (dns.flags.AA, "aa"), (dns.flags.TC, "tc"), (dns.flags.RD, "rd"),
               (dns.flags.RA, "ra"), (0x0040, "z"), (dns.flags.AD, "ad"), (dns.flags.CD, "cd"))


@dataclass(frozen=True)
class Prepared:
    """An answer turned into dnspython objects, ready to copy into any reply (cacheable)."""

    rcode: int
    flags: int
    answer: Tuple[dns.rrset.RRset, ...]
    authority: Tuple[dns.rrset.RRset, ...]
    additional: Tuple[dns.rrset.RRset, ...]


@dataclass(frozen=True)
class Exchange:
    """One query and its reply; `logged` is False for what CoreDNS rejects before its plugins."""

    reply: bytes
    qid: int
    qtype: str = ""
    qclass: str = ""
    qname: str = ""
    size: int = 0
    do: bool = False
    bufsize: int = UDP_MIN
    rcode: str = ""
    flags: str = ""
    logged: bool = False
    cacheable: bool = False  # the same query bytes (but the ID) always get these reply bytes


Lookup = Callable[[str, str], Prepared]
CACHE_SIZE = 4096  # entries per cache: random names must not grow memory; a refill is cheap


class Replies:
    """Replies from one answer function, caching answers and whole replies (make a new one per state)."""

    def __init__(self, answer_fn: Callable, shuffle: bool = True,
                 on_error: Optional[Callable[[str, str, Exception], None]] = None) -> None:
        self.answer_fn, self.shuffle, self.on_error = answer_fn, shuffle, on_error
        self._answers: Dict[Tuple[str, str], Prepared] = {}
        self._replies: Dict[Tuple[str, bytes], Exchange] = {}

    def lookup(self, qname: str, qtype: str) -> Prepared:
        """The prepared answer for one question (SERVFAIL if the answer function fails)."""
        hit = self._answers.get((qname, qtype))
        if hit is None:
            try:
                hit = prepare(self.answer_fn(qname, qtype))
            except Exception as e:  # noqa: BLE001 - one bad answer must not stop the server
                if self.on_error is not None:
                    self.on_error(qname, qtype, e)
                return servfail()
            _bounded_put(self._answers, (qname, qtype), hit)
        return hit

    def exchange(self, data: bytes, proto: str) -> Optional[Exchange]:
        """The reply to one query message; None if it gets none."""
        # Clients repeat the same questions (every pod's resolver walks the same search list):
        # the same bytes but the ID get the same reply, without parsing or rendering again.
        key = (proto, data[2:])
        hit = self._replies.get(key)
        if hit is not None:
            return dataclasses.replace(hit, reply=data[:2] + hit.reply[2:], qid=int.from_bytes(data[:2], "big"))
        ex = exchange(data, proto, self.lookup, self.shuffle)
        if ex is not None and ex.cacheable:
            _bounded_put(self._replies, key, ex)
        return ex

    def reply(self, data: bytes, proto: str) -> Optional[bytes]:
        """Only the reply bytes to one query (None: send nothing): the server's path when nothing is logged.

        The same as exchange(data, proto).reply, without building an Exchange for a cached reply:
        at thousands of queries a second, that copy was a quarter of the server's time.
        """
        hit = self._replies.get((proto, data[2:]))
        if hit is not None:
            return data[:2] + hit.reply[2:]
        ex = self.exchange(data, proto)
        return None if ex is None else ex.reply


def _bounded_put(cache: dict, key, value) -> None:
    if len(cache) >= CACHE_SIZE:
        cache.clear()
    cache[key] = value


def prepare(answer) -> Prepared:
    """Convert a records.Answer (RRs in presentation format) to rrsets; raises on malformed data."""
    flags = dns.flags.AA if answer.authoritative else 0
    rcode = dns.rcode.from_text(answer.rcode)
    # Names CoreDNS does not own are forwarded: the upstream is a recursive resolver and sets RA.
    # Failures and refusals (SERVFAIL, REFUSED) are CoreDNS's own replies, without RA.
    if not answer.authoritative and rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        flags |= dns.flags.RA
    return Prepared(rcode, flags, _rrsets(answer.answer), _rrsets(answer.authority), _rrsets(answer.additional))


def _rrsets(rrs) -> Tuple[dns.rrset.RRset, ...]:
    # One rrset per record keeps the order records.py chose and lets truncation keep a partial
    # answer, as CoreDNS (miekg/dns Msg.Truncate) does; on the wire it is the same bytes.
    return tuple(_rrset(rr.name, rr.ttl, rr.type, rr.data) for rr in rrs)


@functools.lru_cache(maxsize=8192)
def _rrset(name: str, ttl: int, rtype: str, data: str) -> dns.rrset.RRset:
    # Parsing presentation format is dnspython's slow part, and the same records (the zone's SOA,
    # a Service's A) come back in answer after answer. Cached rrsets are never modified.
    return dns.rrset.from_text(name, ttl, dns.rdataclass.IN, rtype, data)


def servfail() -> Prepared:
    """What CoreDNS's errors plugin sends when a plugin fails."""
    return Prepared(dns.rcode.SERVFAIL, 0, (), (), ())


def exchange(data: bytes, proto: str, lookup: Lookup, shuffle: bool = False) -> Optional[Exchange]:
    """The reply to one query message (None: send nothing, as for responses or runts)."""
    if len(data) < 12:
        return None  # no header to answer to
    qid, qflags = struct.unpack("!HH", data[:4])
    if qflags & dns.flags.QR:
        return None  # a response sent to a server is ignored (miekg/dns MsgIgnore)
    try:
        query = dns.message.from_wire(data)
    except Exception:  # noqa: BLE001 - any malformed packet: answer FORMERR from the header alone
        return Exchange(reply=_header_only(qid, qflags, dns.rcode.FORMERR), qid=qid)
    if query.opcode() != dns.opcode.QUERY:
        return Exchange(reply=_bare(query, dns.rcode.NOTIMP).to_wire(), qid=qid)
    if len(query.question) != 1:
        return Exchange(reply=_bare(query, dns.rcode.FORMERR).to_wire(), qid=qid)
    if query.edns > 0:
        # CoreDNS answers an unknown EDNS version with BADVERS before any plugin sees the query.
        reply = _bare(query, dns.rcode.NOERROR)
        reply.use_edns(0, 0, query.payload)
        reply.set_rcode(dns.rcode.BADVERS)
        return Exchange(reply=reply.to_wire(), qid=qid)
    return _answer(query, len(data), proto, lookup, shuffle)


def _answer(query: dns.message.Message, size: int, proto: str, lookup: Lookup, shuffle: bool) -> Exchange:
    q = query.question[0]
    qname = q.name.to_text()  # the answer logic keeps the question's case in owner names, as CoreDNS does
    qtype = dns.rdatatype.to_text(q.rdtype)
    do = bool(query.ednsflags & dns.flags.DO) if query.edns == 0 else False
    if proto == "tcp":
        bufsize = TCP_MAX
    else:
        bufsize = max(UDP_MIN, query.payload) if query.edns == 0 else UDP_MIN
    if q.rdclass != dns.rdataclass.IN or q.rdtype in (dns.rdatatype.AXFR, dns.rdatatype.IXFR):
        # kubeadm's Corefile serves class IN only and has no `transfer` plugin.
        prepared = Prepared(dns.rcode.REFUSED, 0, (), (), ())
    else:
        prepared = lookup(qname, qtype)
    reply = _bare(query, prepared.rcode)
    reply.flags |= prepared.flags
    answer = list(prepared.answer)
    shuffled = shuffle and _shuffle_addresses(answer)
    if query.edns == 0:
        options = [o for o in query.options if o.otype in _ECHOED_OPTIONS]
        reply.use_edns(0, query.ednsflags & dns.flags.DO, query.payload, options=options)
    wire = _fit(reply, answer, list(prepared.authority), list(prepared.additional), bufsize)
    flags = struct.unpack("!H", wire[2:4])[0]
    return Exchange(reply=wire, qid=query.id, qtype=qtype, qclass=dns.rdataclass.to_text(q.rdclass),
                    qname=qname.lower(), size=size, do=do, bufsize=bufsize, rcode=dns.rcode.to_text(prepared.rcode),
                    flags=flag_names(flags), logged=True, cacheable=not shuffled)


def _bare(query: dns.message.Message, rcode: int) -> dns.message.Message:
    # make_response copies id, opcode, RD and the question; CoreDNS (miekg SetReply) copies CD too.
    reply = dns.message.make_response(query)
    reply.flags |= query.flags & dns.flags.CD
    reply.set_rcode(rcode)
    return reply


def _header_only(qid: int, qflags: int, rcode: int) -> bytes:
    opcode_and_rd = qflags & (0x7800 | dns.flags.RD)
    return struct.pack("!HHHHHH", qid, dns.flags.QR | opcode_and_rd | rcode, 0, 0, 0, 0)


def _fit(reply: dns.message.Message, answer: List, authority: List, additional: List, limit: int) -> bytes:
    """Render within `limit` bytes: drop additional first (no TC), then trailing records (TC)."""
    reply.answer, reply.authority, reply.additional = answer, authority, additional
    try:
        return reply.to_wire(max_size=limit)
    except dns.exception.TooBig:
        pass
    reply.additional = []
    try:
        return reply.to_wire(max_size=limit)
    except dns.exception.TooBig:
        pass
    # Keep the longest prefix of answer+authority that fits, and set TC so the client retries
    # over TCP (dig does so by itself; `dig +ignore` shows the partial answer).
    reply.flags |= dns.flags.TC
    records = answer + authority
    lo, hi, best = 0, len(records), None
    while lo <= hi:
        mid = (lo + hi) // 2
        reply.answer, reply.authority = records[:min(mid, len(answer))], records[len(answer):max(mid, len(answer))]
        try:
            best = reply.to_wire(max_size=limit)
            lo = mid + 1
        except dns.exception.TooBig:
            hi = mid - 1
    if best is None:  # not even the header and question fit: cannot happen within 512 bytes
        reply.answer, reply.authority = [], []
        best = reply.to_wire(max_size=TCP_MAX)
    return best


def _shuffle_addresses(rrsets: List[dns.rrset.RRset]) -> bool:
    """Shuffle each run of same-name A/AAAA/MX records in place, as CoreDNS's loadbalance does."""
    shuffled = False
    start = 0
    while start < len(rrsets):
        end = start + 1
        head = rrsets[start]
        while (end < len(rrsets) and rrsets[end].rdtype == head.rdtype and rrsets[end].name == head.name):
            end += 1
        if head.rdtype in _SHUFFLED and end - start > 1:
            run = rrsets[start:end]
            random.shuffle(run)
            rrsets[start:end] = run
            shuffled = True
        start = end
    return shuffled


def flag_names(flags: int) -> str:
    """Header flags as CoreDNS's log plugin prints them ("qr,aa,rd")."""
    return ",".join(name for bit, name in _FLAG_ORDER if flags & bit)


def log_line(client: Tuple[str, int], proto: str, ex: Exchange, seconds: float) -> str:
    """One query as CoreDNS's `log` plugin prints it (its default format)."""
    host, port = client[0], client[1]
    remote = f"[{host}]" if ":" in host else host
    return (f'[INFO] {remote}:{port} - {ex.qid} "{ex.qtype} {ex.qclass} {ex.qname} {proto} {ex.size} '
            f'{"true" if ex.do else "false"} {ex.bufsize}" {ex.rcode} {ex.flags} {len(ex.reply)} '
            f'{go_seconds(seconds)}')


def go_seconds(seconds: float) -> str:
    """A duration as Go's strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s" (no exponent)."""
    text = repr(round(max(seconds, 0.0), 9))
    if "e" in text:
        text = f"{float(text):.9f}".rstrip("0").rstrip(".")
    elif text.endswith(".0"):
        text = text[:-2]
    return text + "s"

