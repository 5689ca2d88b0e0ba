"""k8slab's stand-in for registry.k8s.io/pause: sleep until SIGTERM or SIGINT, then exit 0.

Also what a container of an unknown image with nothing to serve runs, so that it stays Running.
"""

from __future__ import annotations

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402

NAMES = {signal.SIGTERM: "Terminated", signal.SIGINT: "Interrupt"}


def on_signal(signum: int) -> None:
    """pause.c's sigdown(): psignal() then exit(0)."""
    c.err(f"Shutting down, got signal: {NAMES[signum]}")
    c.exit_now(0)


def main(argv: list) -> None:
    """Run pause: `-v` prints the version, anything else sleeps."""
    c.setup_streams()
    if argv[:1] == ["-v"]:
        c.out("pause.c v3.9")
        c.exit_now(0)
    c.on_signals(on_signal, signal.SIGTERM, signal.SIGINT)
    c.signal_ready()
    c.wait_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
