"""Per-kind store hooks ("strategies"), the apiserver's BeginCreate/BeginUpdate/AfterDelete.

A kind that owns state beyond its objects (Services own ClusterIPs and NodePorts) registers a
strategy factory here; every Store builds its own instances, so the state lives with that store.
The store calls the hooks under its lock with a `Transaction`: a hook reserves what it needs at
once, registers how to undo it, and defers releases until the write succeeds. A failed write rolls
everything back, so a rejected create or update leaves no trace.
"""

from __future__ import annotations

import importlib
import logging
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List

log = logging.getLogger(__name__)

# Modules that register strategies when imported; listed here so lookups can load them lazily.
STRATEGY_MODULES: List[str] = ["k8slab.api.service_strategy"]

Action = Callable[[], None]


class Transaction:
    """Undo and commit actions collected while one write is being prepared."""

    def __init__(self) -> None:
        self._undo: List[Action] = []
        self._on_commit: List[Action] = []

    def on_rollback(self, action: Action) -> None:
        """Run `action` if the write fails (undo a reservation)."""
        self._undo.append(action)

    def on_commit(self, action: Action) -> None:
        """Run `action` once the write succeeded (release what the old object held)."""
        self._on_commit.append(action)

    def commit(self) -> None:
        """The write is stored: run the deferred actions in order."""
        actions, self._on_commit, self._undo = self._on_commit, [], []
        for action in actions:
            action()

    def rollback(self) -> None:
        """The write failed: undo every reservation, newest first."""
        actions, self._undo, self._on_commit = self._undo, [], []
        for action in reversed(actions):
            try:
                action()
            except Exception:  # one failed undo must not keep the others from running
                log.exception("rollback action failed")


class Strategy:
    """Hooks the store calls for one kind; the defaults change nothing."""

    kind = ""

    def before_create(self, obj: Any, txn: Transaction) -> Any:
        """After defaulting, before validation: return the object to validate and store."""
        return obj

    def before_update(self, old: Any, new: Any, txn: Transaction) -> Any:
        """After defaulting `new`, before validation: return the object to validate and store."""
        return new

    def after_delete(self, obj: Any) -> None:
        """The object is gone from the store (its final removal, not a pending deletion)."""


StrategyFactory = Callable[[], Strategy]
_FACTORIES: Dict[str, StrategyFactory] = {}
_loaded = False


def register_strategy(kind: str, factory: StrategyFactory) -> None:
    """Make every new Store build a `factory()` strategy for `kind`."""
    _FACTORIES[kind] = factory


def default_strategies() -> Dict[str, Strategy]:
    """Fresh strategy instances for a new Store, by kind."""
    global _loaded
    if not _loaded:
        for module in STRATEGY_MODULES:
            importlib.import_module(module)
        _loaded = True
    return {kind: factory() for kind, factory in _FACTORIES.items()}


@contextmanager
def transaction() -> Iterator[Transaction]:
    """A Transaction that commits when the block ends normally and rolls back when it raises."""
    txn = Transaction()
    try:
        yield txn
    except BaseException:
        txn.rollback()
        raise
    txn.commit()
