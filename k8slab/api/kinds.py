"""The kinds the emulated apiserver serves, and how kubectl names resolve to them.

Each kind module calls `register(KindInfo(...))` when imported. To add a kind, write its module and
list it in `KIND_MODULES`; lookups import the listed modules lazily, so importing this module alone
never pulls in every kind (and kind modules can import it without a cycle).
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from k8slab.api.errors import UnknownKindError

KIND_MODULES: List[str] = [
    "k8slab.api.namespace",
    "k8slab.api.node",
    "k8slab.api.pod",
    "k8slab.api.service",
    "k8slab.api.endpoints",
    "k8slab.api.endpointslice",
    "k8slab.api.apps",
    "k8slab.api.event",
]


@dataclass(frozen=True)
class KindInfo:
    """One served kind: its names for kubectl and the dataclass that models it."""

    kind: str
    api_version: str
    plural: str
    singular: str
    short_names: Tuple[str, ...]
    namespaced: bool
    cls: type

    @property
    def group(self) -> str:
        """API group ("" for the core group)."""
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        """API version without the group: `v1`."""
        return self.api_version.rpartition("/")[2]

    @property
    def resource(self) -> str:
        """How error messages name the resource: `pods`, `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


_KINDS: Dict[str, KindInfo] = {}  # by kind
_NAMES: Dict[str, KindInfo] = {}  # lower-cased kubectl names
_BY_CLASS: Dict[type, KindInfo] = {}
_loaded = False
_load_lock = threading.RLock()


def register(info: KindInfo) -> KindInfo:
    """Make a kind known; called by each kind module at import time."""
    _KINDS[info.kind] = info
    _BY_CLASS[info.cls] = info
    names = [info.kind, info.plural, info.singular, *info.short_names]
    if info.group:
        names += [f"{info.plural}.{info.group}", f"{info.kind}.{info.group}"]
    for name in names:
        _NAMES[name.lower()] = info
    return info


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if not _loaded:
            for module in KIND_MODULES:
                importlib.import_module(module)
            _loaded = True


def resolve(name: str) -> KindInfo:
    """Resolve a kubectl resource name (`po`, `pods`, `Pod`, `pod`) to its kind."""
    _ensure_loaded()
    info = _NAMES.get(name.lower())
    if info is None:
        # kubectl also accepts `pods.v1` style names; `<plural>.<version>` for the core group.
        base, _, version = name.lower().partition(".")
        candidate = _NAMES.get(base)
        if candidate is not None and version in (candidate.version, f"{candidate.version}.{candidate.group}"):
            info = candidate
    if info is None:
        raise UnknownKindError(f'error: the server doesn\'t have a resource type "{name}"')
    return info


def try_resolve(name: str) -> Optional[KindInfo]:
    """`resolve` that answers None for an unknown name."""
    try:
        return resolve(name)
    except UnknownKindError:
        return None


def for_manifest(api_version: str, kind: str) -> KindInfo:
    """The kind a manifest's apiVersion/kind pair names (kind names are case-sensitive here)."""
    _ensure_loaded()
    info = _KINDS.get(kind)
    if info is None or info.api_version != api_version:
        raise UnknownKindError(f'no matches for kind "{kind}" in version "{api_version}"')
    return info


def for_object(obj: object) -> KindInfo:
    """The kind of an API object."""
    _ensure_loaded()
    info = _BY_CLASS.get(type(obj))
    if info is None:
        raise TypeError(f"{type(obj).__name__} is not a registered API kind")
    return info


def lookup(kind: Any) -> KindInfo:
    """A KindInfo from a kubectl name, an API class, or a KindInfo (for code that holds any of them)."""
    if isinstance(kind, KindInfo):
        return kind
    if isinstance(kind, type):
        _ensure_loaded()
        info = _BY_CLASS.get(kind)
        if info is None:
            raise TypeError(f"{kind.__name__} is not a registered API kind")
        return info
    return resolve(kind)


def all_kinds() -> List[KindInfo]:
    """Every served kind, sorted by kind name."""
    _ensure_loaded()
    return sorted(_KINDS.values(), key=lambda i: i.kind)
