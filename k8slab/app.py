"""Entry point: arguments, sandbox entry, and the one place errors become exit codes.

    main() -> _main() (all error handling) -> the sandbox -> session() (the happy path)
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import time
from typing import Optional, Sequence

# Mininet imports distutils. In a virtualenv, setuptools' import hook then loads all of setuptools
# for it (a third of a second of start-up); the standard library's distutils serves Mininet's
# version check as well, so leave the hook out of our imports.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "_distutils_hack"]

from k8slab import __version__  # noqa: E402
from k8slab.errors import UserError  # noqa: E402

EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in k8slab, not something the user did
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        prog="k8slab",
        description="A terminal classroom for Kubernetes Service networking: a kubectl-style shell "
                    "in front of an emulated multi-node cluster with real pods.",
        epilog="Without -c or -f, k8slab starts an interactive shell (or reads commands from "
               "standard input when it is not a terminal). `k8slab doctor` checks this machine.")
    p.add_argument("what", nargs="?", choices=["shell", "doctor", "lesson", "lab", "gradebook"], default="shell",
                   help="shell (default), doctor, `lesson validate PATH`, `lab ...` (instructors' lab tools: "
                        "k8slab lab --help) or `gradebook`")
    p.add_argument("rest", nargs="*", metavar="ARGS", help=argparse.SUPPRESS)
    p.add_argument("--lessons", action="append", default=[], metavar="DIR",
                   help="also offer the lessons in DIR (folders named NN-..., see docs/lessons.md)")
    p.add_argument("--labs", action="append", default=[], metavar="DIR",
                   help="also offer the labs in DIR (folders named NN-..., see docs/labs.md)")
    p.add_argument("--nodes", type=int, default=None, metavar="N", help="number of nodes (default 3)")
    p.add_argument("-c", dest="commands", metavar="CMDS",
                   help='run these commands ("CMD; CMD") and exit; stops at the first failure')
    p.add_argument("-f", dest="file", metavar="FILE", help="run the commands in FILE and exit")
    p.add_argument("--keep-going", action="store_true", help="in batch mode, carry on after a failure")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    p.add_argument("--version", action="version", version=f"k8slab {__version__}")
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run k8slab; return the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["lab"], ["gradebook"]):  # the instructor's tools have their own arguments
        debug = "--debug" in argv
        rest = [a for a in argv[1:] if a != "--debug"]
        return _guarded(lambda: _lab_tool(argv[0], rest, debug), debug)
    args = build_parser().parse_args(argv)
    return _guarded(lambda: _main(args), args.debug)


def _guarded(fn, debug: bool) -> int:
    try:
        return fn()
    except UserError as e:
        from k8slab.views.render import Printer

        Printer().error(str(e))
        return e.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as e:  # a bug: the learner gets one line, --debug gets the traceback
        if debug:
            raise
        print(f"k8slab: internal error: {type(e).__name__}: {e} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


def _main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    if args.what == "doctor":
        from k8slab import doctor

        return doctor.main()
    if args.what == "lesson":
        return _lesson_tool(args.rest)
    if args.rest:
        raise UserError(f"error: unexpected arguments: {' '.join(args.rest)} (see k8slab --help)")
    if args.commands is not None and args.file is not None:
        raise UserError("error: use either -c or -f, not both")
    batch_text = _batch_input(args)
    from k8slab import config, sandbox

    # Read before entering the sandbox: a first start writes the commented default file.
    settings = config.load(create=batch_text is None)

    t0 = time.monotonic()
    return sandbox.run_in_sandbox(lambda info: _guarded(lambda: _session(args, info, batch_text, t0, settings),
                                                        args.debug))


def _batch_input(args: argparse.Namespace) -> Optional[str]:
    """The batch script to run, or None for an interactive session. Read before forking."""
    if args.commands is not None:
        return args.commands
    if args.file is not None:
        try:
            with open(args.file) as f:
                return f.read()
        except OSError as e:
            raise UserError(f"error: cannot read {args.file}: {e.strerror}")
    if not sys.stdin.isatty():
        return sys.stdin.read()
    return None


def _session(args: argparse.Namespace, info, batch_text: Optional[str], t0: float, config) -> int:
    """Inside the sandbox: start the cluster, then run the shell or the batch."""
    from concurrent.futures import ThreadPoolExecutor

    from k8slab.cluster import Cluster
    from k8slab.net.addresses import ClusterSpec, validate_node_count
    from k8slab.views.render import Printer

    nodes = args.nodes if args.nodes is not None else int(os.environ.get("K8SLAB_NODES", config.nodes))
    try:
        validate_node_count(nodes)
    except ValueError as e:
        raise UserError(f"error: {e}")
    printer = Printer(color=config.color != "never", pager=_pager(config) if batch_text is None else None)
    for problem in config.problems:
        printer.note(f"k8slab: {problem}")
    interactive = batch_text is None
    if interactive:
        printer.note(f"Starting a {nodes}-node cluster ...")
    cluster = Cluster(ClusterSpec(nodes=nodes), sandbox=info)
    # The shell's own start (its commands, the lessons, the prompt's modules) needs no running
    # cluster: it happens while the cluster starts, which mostly waits for processes.
    with ThreadPoolExecutor(1, thread_name_prefix="shell-start") as pool:
        preparing = pool.submit(_prepare_session, cluster, printer, args, interactive)
        cluster.start()
        ready = cluster.wait_ready()
        session = preparing.result()
    if not ready:
        printer.note("k8slab: cluster DNS is not answering yet; names may not resolve for a few seconds")
    try:
        if interactive:
            from k8slab.shell.repl import run_repl

            return run_repl(session, ready_in=time.monotonic() - t0, config=config)
        from k8slab.shell.batch import run_batch

        return run_batch(session, batch_text, keep_going=args.keep_going)
    finally:
        cluster.stop()


def _prepare_session(cluster, printer, args: argparse.Namespace, interactive: bool):
    """The learner's session, its commands and (at a terminal) its lessons and prompt, made ready."""
    from k8slab.shell.session import Session

    session = Session(cluster, printer)
    session.lesson_dirs = [os.path.abspath(d) for d in args.lessons]
    session.lab_dirs = [os.path.abspath(d) for d in args.labs]
    if interactive:
        from k8slab.shell.lessons import tutor_of

        importlib.import_module("k8slab.shell.repl")  # prompt_toolkit and the completer, ahead of use

        tutor_of(session)  # reads the lessons, which the welcome's resume offer needs
    return session


def _lesson_tool(words) -> int:
    """`k8slab lesson validate PATH...`: every problem of these lesson folders, one line each."""
    from k8slab.learning.model import validate

    if len(words) < 2 or words[0] != "validate":
        raise UserError("error: usage: k8slab lesson validate PATH...")
    problems = [p for path in words[1:] for p in validate(path)]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)" if problems else f"ok: {', '.join(words[1:])}")
    return 1 if problems else 0


def _lab_tool(what: str, words, debug: bool) -> int:
    """`k8slab lab ...` and `k8slab gradebook ...` (see k8slab.labtool)."""
    from k8slab import labtool

    if what == "gradebook":
        from k8slab import grader

        return grader.gradebook(words)
    return labtool.main(words, lambda fn: _in_cluster(fn, debug))


def _in_cluster(fn, debug: bool) -> int:
    """Run fn(session) in a fresh sandbox with a fresh cluster (a lab check, a solution, a replay)."""
    from k8slab import sandbox

    def inside(info) -> int:
        from k8slab.cluster import Cluster
        from k8slab.net.addresses import ClusterSpec
        from k8slab.shell.session import Session
        from k8slab.views.render import Printer

        cluster = Cluster(ClusterSpec(nodes=3), sandbox=info)
        cluster.start()
        try:
            cluster.wait_ready()
            return fn(Session(cluster, Printer(color=False)))
        finally:
            cluster.stop()

    return sandbox.run_in_sandbox(lambda info: _guarded(lambda: inside(info), debug))


# less that quits when the text fits, keeps colours, leaves the text on screen, and says how to get out.
DEFAULT_PAGER = "less -RFX '-Ps(q quits, space pages, / searches)'"


def _pager(config) -> Optional[list]:
    """The pager's argv for long output, or None (never, or none installed)."""
    import shlex
    import shutil

    if config.pager == "never":
        return None
    command = os.environ.get("K8SLAB_PAGER") or config.pager_command or os.environ.get("PAGER") or DEFAULT_PAGER
    argv = shlex.split(command)
    return argv if argv and shutil.which(argv[0]) else None


if __name__ == "__main__":
    sys.exit(main())
