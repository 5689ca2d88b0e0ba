"""Watches on the store: one queue per watcher, fed under the store lock, read without it."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable, FrozenSet, Iterator, Optional

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"

_CLOSED = object()  # queue sentinel that wakes a blocked reader when the watch closes


@dataclass(frozen=True)
class WatchEvent:
    """One change: `obj` is the new state (the last state for DELETED), `old` the previous one."""

    type: str
    obj: Any
    old: Any = None

    @property
    def kind(self) -> str:
        """The kind of the changed object: `Pod`, `Node`..."""
        return type(self.obj).kind


class Watch:
    """A stream of WatchEvents; use `get(timeout)`, iterate, or `with store.watch(...) as w:`."""

    def __init__(
        self,
        kinds: Optional[FrozenSet[str]],
        namespace: Optional[str],
        unregister: Callable[["Watch"], None],
    ):
        self.kinds = kinds
        self.namespace = namespace
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._unregister = unregister
        self._closed = threading.Event()

    def matches(self, kind: str, namespaced: bool, namespace: Optional[str]) -> bool:
        """Whether an object of this kind and namespace belongs to this watch."""
        if self.kinds is not None and kind not in self.kinds:
            return False
        if self.namespace is not None:
            # A namespace-scoped watch sees only objects in that namespace, as on a real apiserver.
            return namespaced and namespace == self.namespace
        return True

    def offer(self, event: WatchEvent) -> None:
        """Queue an event (called by the store with its lock held; never blocks)."""
        if not self._closed.is_set():
            self._queue.put(event)

    def get(self, timeout: Optional[float] = None) -> Optional[WatchEvent]:
        """The next event; None on timeout or once the watch is closed and drained."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if item is _CLOSED:
            self._queue.put(_CLOSED)  # keep later readers from blocking forever
            return None
        return item

    def pending(self) -> int:
        """How many events are queued and not yet read."""
        return self._queue.qsize()

    def close(self) -> None:
        """Stop receiving events and wake any reader blocked in `get`."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._unregister(self)
        self._queue.put(_CLOSED)

    @property
    def closed(self) -> bool:
        """True once `close` has been called."""
        return self._closed.is_set()

    def __iter__(self) -> Iterator[WatchEvent]:
        while True:
            event = self.get()
            if event is None:
                return
            yield event

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
