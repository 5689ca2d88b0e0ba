#!/usr/bin/env python3
"""The REPL at 1000 objects: completion (all of bench/shell.py's lines) and `kubectl get pods` from the store.

How it is measured, without a sandbox: a store holding 800 pods and 200 Services in 10 namespaces;
each completion line is asked RUNS times of the prompt_toolkit Completer (the whole path a Tab key
takes), and the worst line's p99 is the figure. `kubectl get pods -A` renders the 800 pods' table.
bench/shell.py has the per-line figures and a live-cluster variant.

    python3 bench/repl.py [--runs 200] [--quick] [--json FILE]
"""

from __future__ import annotations

import time

from kit import Figures, arguments, machine
from shell import LINES, filled_store, light_session


def samples(fn, runs: int):
    fn()  # warm caches (kind tables, imports)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from k8slab.shell.completion import ShellCompleter

    args = arguments(__doc__.splitlines()[0], runs=200)
    runs = max(args.runs, 20)
    print(f"machine: {machine()}")
    figures = Figures("REPL")
    store = filled_store()
    session = light_session(store)
    completer = ShellCompleter(session)
    worst = max((samples(lambda: list(completer.get_completions(Document(line), CompleteEvent(text_inserted=True))),
                         runs) for line in LINES), key=lambda s: sorted(s)[int(0.99 * (len(s) - 1))])
    figures.add("completion at 1000 objects (worst line)", worst, "ms", target="p99 <= 50 ms", p99=True)

    from k8slab.shell.session import Session

    real = Session(session.cluster)  # the store and the node names are all `get pods` reads
    figures.add("kubectl get pods -A, 800 pods (store only)", samples(lambda: real.execute("kubectl get pods -A"),
                                                                       max(runs // 10, 5)), "ms", p99=True)
    figures.write(args.json)


if __name__ == "__main__":
    main()
