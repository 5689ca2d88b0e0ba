"""`kubectl get -w`: the table first, then one row per change until Ctrl-C."""

from __future__ import annotations

from typing import Iterator, Optional

from k8slab.api.codec import to_dict
from k8slab.shell.kubectl import now
from k8slab.views import tables


def watch_rows(store, info, namespace: Optional[str], selector, name: Optional[str], *, wide: bool,
               all_namespaces: bool, show_labels: bool) -> Iterator:
    """Yield ("out", row) for every change to matching objects, as kubectl's watch prints them.

    A deleted object prints one last row; kubectl shows it with its final state.
    """
    watch = store.watch([info.kind], namespace=namespace)
    try:
        while True:
            event = watch.get(timeout=0.5)
            if event is None:
                continue
            obj = event.obj
            if name is not None and obj.metadata.name != name:
                continue
            if selector is not None and not selector.matches(obj.metadata.labels):
                continue
            row = tables.render_table(info.kind, [to_dict(obj)], now=now(), wide=wide, no_headers=True,
                                      all_namespaces=all_namespaces, show_labels=show_labels)
            yield "out", row if row.endswith("\n") else row + "\n"
    finally:
        watch.close()
