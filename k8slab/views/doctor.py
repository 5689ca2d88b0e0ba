"""Rendering of `k8slab doctor`'s findings."""

from __future__ import annotations

from typing import Sequence


def render_checks(checks: Sequence) -> str:
    """One line per check (ok / MISSING), then what to do about each problem."""
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        mark = "ok     " if c.ok else "PROBLEM"
        lines.append(f"  {mark}  {c.name:<{width}}  {c.detail}")
    bad = [c for c in checks if not c.ok]
    lines.append("")
    if not bad:
        lines.append("Everything k8slab needs is here.")
    else:
        lines.append(f"{len(bad)} problem(s). To fix:")
        fixes = []
        for c in bad:
            if c.fix and c.fix not in fixes:
                fixes.append(c.fix)
        lines += [f"  {f}" for f in fixes]
    return "\n".join(lines) + "\n"
