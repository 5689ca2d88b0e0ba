"""Building blocks shared by every `kubectl describe` view (kubectl `pkg/describe/describe.go`).

Describe output is text with `\\t` between label and value, laid out at the end by a tabwriter
(minwidth 0, padding 2). Alignment therefore runs across consecutive tabbed lines only, and a
line without a tab (`Containers:`) starts a new block: the helpers below write exactly the tabs
and line breaks kubectl writes so the same layout falls out.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, List, Mapping, Optional, Sequence

from k8slab.views.age import age, parse_timestamp
from k8slab.views.tabwriter import DESCRIBE_MINWIDTH, DESCRIBE_PADDING, TabWriter

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # never shown by describe
MAX_ANNOTATION_LEN = 140
_ZERO = datetime(1, 1, 1, tzinfo=timezone.utc)


class PrefixWriter:
    """kubectl's PrefixWriter: each `write` is indented two spaces per level, then tab-aligned."""

    def __init__(self) -> None:
        self._tw = TabWriter(minwidth=DESCRIBE_MINWIDTH, padding=DESCRIBE_PADDING)

    def write(self, level: int, text: str) -> None:
        """Write `text` with the level's indentation in front (of its first line only, like Go)."""
        self._tw.write("  " * level + _escape(text))

    def write_line(self, text: str = "") -> None:
        """`WriteLine`: the text and a newline, no indentation."""
        self._tw.write(_escape(text) + "\n")

    def flush(self) -> None:
        """End the current alignment block."""
        self._tw.flush()

    def getvalue(self) -> str:
        """All output, laid out."""
        return self._tw.getvalue()


def _escape(text: str) -> str:
    # printers.WriteEscaped: terminal escape sequences are made visible, never interpreted.
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def labels_multiline(w: PrefixWriter, title: str, labels: Optional[Mapping[str, str]],
                     initial_indent: str = "", inner_indent: str = "\t") -> None:
    """`printLabelsMultiline`: `Title:` then one sorted `k=v` per line, or `<none>`."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    if not labels:
        w.write_line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, initial_indent + inner_indent)
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(w: PrefixWriter, title: str, annotations: Optional[Mapping[str, str]]) -> None:
    """`printAnnotationsMultiline`: `key: value` per line; long or multi-line values go below."""
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k != LAST_APPLIED)
    if not keys:
        w.write_line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key]
        if value.endswith("\n"):
            value = value[:-1]
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                w.write(0, f"\t  {_shorten(part, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def _shorten(s: str, limit: int) -> str:
    return s[:limit] + "..." if len(s) > limit else s


def taints_multiline(w: PrefixWriter, title: str, taints: Sequence[dict]) -> None:
    """`printNodeTaintsMultiline`: `key=value:Effect` per line, sorted by effect then key."""
    w.write(0, f"{title}:\t")
    if not taints:
        w.write_line("<none>")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, taint in enumerate(ordered):
        if i:
            w.write(0, "\t")
        w.write(0, taint_string(taint) + "\n")


def taint_string(taint: dict) -> str:
    """core/v1 `Taint.ToString`: `key=value:Effect`, `key:Effect`, or `key=value`."""
    text = taint.get("key", "")
    if taint.get("value"):
        text += "=" + taint["value"]
    if taint.get("effect"):
        text += ":" + taint["effect"]
    return text


def tolerations_multiline(w: PrefixWriter, title: str, tolerations: Sequence[dict],
                          initial_indent: str = "", inner_indent: str = "\t") -> None:
    """`printTolerationsMultiline`: `key=value:Effect op=Exists for 300s`, sorted by key."""
    w.write(0, f"{initial_indent}{title}:{inner_indent}")
    if not tolerations:
        w.write_line("<none>")
        return
    for i, tol in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if i:
            w.write(0, initial_indent + inner_indent)
        text = tol.get("key", "")
        if tol.get("value"):
            text += "=" + tol["value"]
        if tol.get("effect"):
            text += ":" + tol["effect"]
        if tol.get("operator") == "Exists" and not tol.get("value"):
            # A bare `operator: Exists` tolerates everything and prints as just "op=Exists".
            text += " op=Exists" if tol.get("key") or tol.get("effect") else "op=Exists"
        if tol.get("tolerationSeconds") is not None:
            text += f" for {tol['tolerationSeconds']}s"
        w.write(0, text + "\n")


def _event_time(event: dict) -> datetime:
    series = event.get("series")
    if series:
        return parse_timestamp(series.get("lastObservedTime")) or _ZERO
    return parse_timestamp(event.get("lastTimestamp")) or parse_timestamp(event.get("eventTime")) or _ZERO


def describe_events(w: PrefixWriter, events: Optional[Iterable[dict]], now: datetime) -> None:
    """`DescribeEvents`: the `Events:` table (`Type Reason Age From Message`) or `<none>`."""
    if events is None:
        return  # --show-events=false
    events = sorted(events, key=_event_time)  # stable, oldest first like kubectl
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for e in events:
        first = age(e.get("eventTime"), now) if e.get("eventTime") else age(e.get("firstTimestamp"), now)
        series = e.get("series")
        if series:
            interval = f"{age(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
        elif (e.get("count") or 0) > 1:
            interval = f"{age(e.get('lastTimestamp'), now)} (x{e['count']} over {first})"
        else:
            interval = first
        source = (e.get("source") or {}).get("component") or e.get("reportingController", "")
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t"
                   f"{(e.get('message') or '').strip()}\n")


def controlled_by(obj: dict) -> str:
    """`printController`: `Kind/name` of the controller owner reference, or ""."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def go_bool(value: object) -> str:
    """Go's `%v` of a bool: `true` / `false`."""
    return "true" if value else "false"


def sorted_names(resources: Optional[Mapping[str, object]]) -> List[str]:
    """Resource names in kubectl's order (plain string sort)."""
    return sorted(resources or {})
