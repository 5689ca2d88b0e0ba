"""Resource records and answers in presentation format, as dig prints them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Tuple


class RR(NamedTuple):
    """One record: absolute owner name, TTL, type and rdata text ("0 100 80 web.default.svc.cluster.local.")."""

    name: str
    ttl: int
    type: str
    data: str


@dataclass(frozen=True)
class Answer:
    """One reply: rcode (NOERROR, NXDOMAIN, SERVFAIL, REFUSED), its three sections and the AA flag."""

    rcode: str
    answer: Tuple[RR, ...] = ()
    authority: Tuple[RR, ...] = ()
    additional: Tuple[RR, ...] = ()
    authoritative: bool = False
