"""A level-triggered control loop: watch events enqueue keys; one worker syncs each key.

As in kube-controller-manager, the queue holds *keys*, not events: a key queued many times while
waiting is synced once, and the sync re-reads the store, so order and duplicates do not matter.
"""

from __future__ import annotations

import logging
import threading
from typing import Iterable, List, Optional, Set, Tuple

log = logging.getLogger(__name__)

Key = Tuple[str, str]  # (namespace, name)


class KeyQueue:
    """A set-like FIFO of keys: adding a key that is already waiting does nothing."""

    def __init__(self):
        self._items: List[Key] = []
        self._waiting: Set[Key] = set()
        self._cond = threading.Condition()
        self._closed = False

    def add(self, key: Key) -> None:
        """Queue a key unless it is already queued."""
        with self._cond:
            if key not in self._waiting:
                self._waiting.add(key)
                self._items.append(key)
                self._cond.notify()

    def get(self) -> Optional[Key]:
        """The next key (blocking); None once closed."""
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            key = self._items.pop(0)
            self._waiting.discard(key)
            return key

    def close(self) -> None:
        """Wake the worker and make it stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def idle(self) -> bool:
        """Nothing waiting."""
        with self._cond:
            return not self._items


class Controller:
    """Subclasses say which kinds to watch, map events to keys, and sync a key."""

    name = "controller"
    kinds: Tuple[str, ...] = ()

    def __init__(self, store):
        self.store = store
        self.queue = KeyQueue()
        self._watch = None
        self._busy = threading.Event()

    def keys_for(self, event) -> Iterable[Key]:
        """The keys an event makes stale."""
        raise NotImplementedError

    def sync(self, key: Key) -> None:
        """Make the world match the store for one key."""
        raise NotImplementedError

    def start(self) -> None:
        """Watch (listing what exists first) and start the worker."""
        self._watch = self.store.watch(list(self.kinds), send_initial=True)
        threading.Thread(target=self._pump, name=f"{self.name}-watch", daemon=True).start()
        threading.Thread(target=self._work, name=self.name, daemon=True).start()

    def stop(self) -> None:
        """Stop watching and working."""
        if self._watch is not None:
            self._watch.close()
        self.queue.close()

    def _pump(self) -> None:
        for event in self._watch:
            if event is None:
                return
            try:
                for key in self.keys_for(event):
                    self.queue.add(key)
            except Exception:  # one odd object must not stop the controller
                log.exception("%s: mapping %s event failed", self.name, event.type)

    def _work(self) -> None:
        while True:
            key = self.queue.get()
            if key is None:
                return
            try:
                self.sync(key)
            except Exception:  # a conflict or a bug: log, and retry once the key changes again
                log.exception("%s: sync of %s/%s failed", self.name, *key)


def object_key(obj) -> Key:
    """(namespace, name) of an object."""
    return (obj.metadata.namespace or "", obj.metadata.name or "")
