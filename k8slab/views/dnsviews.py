"""DNS records as dig prints them."""

from __future__ import annotations

from typing import Sequence


def render_records(rrs: Sequence) -> str:
    """One record per line in dig's answer-section layout: NAME TTL IN TYPE DATA, aligned."""
    if not rrs:
        return "(no records)"
    width = max(len(r.name) for r in rrs)
    return "\n".join(f"{r.name:<{width}}  {r.ttl:<5} IN  {r.type:<5} {r.data}" for r in rrs)
