"""Lending the learner's terminal to their text editor, as `kubectl edit` does.

The editor is $KUBE_EDITOR, else $EDITOR, else the first of vi and nano that exists. It runs in the
foreground with k8slab's own standard input, output and error, so a terminal editor takes over the
screen; k8slab waits and ignores Ctrl-C meanwhile (the key is the editor's, not k8slab's).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from typing import List, Optional, Tuple

from k8slab.errors import UserError

EDITOR_VARIABLES = ("KUBE_EDITOR", "EDITOR")
FALLBACK_EDITORS = ("vi", "nano")


def editor_command(environ=None) -> Tuple[List[str], bool]:
    """The editor's argv (without the file) and whether it is a shell command line."""
    environ = os.environ if environ is None else environ
    for variable in EDITOR_VARIABLES:
        editor = environ.get(variable, "")
        if editor:
            # As kubectl: a value with spaces is a command line for the shell ("code --wait").
            if " " in editor:
                return [environ.get("SHELL") or "/bin/sh", "-c", editor], True
            return [editor], False
    for editor in FALLBACK_EDITORS:
        if shutil.which(editor, path=environ.get("PATH")):
            return [editor], False
    raise UserError("error: no editor found: k8slab looked for vi and nano; set KUBE_EDITOR or EDITOR, "
                    "e.g. EDITOR=nano")


def launch(path: str, environ=None) -> None:
    """Open `path` in the editor and wait for it to exit."""
    base, shell = editor_command(environ)
    argv = base[:-1] + [f'{base[-1]} "{path}"'] if shell else base + [path]
    name = base[-1] if shell else base[0]
    try:
        popen = subprocess.Popen(argv, env=environ)
    except OSError:
        raise UserError(f'error: unable to launch the editor "{name}"')
    if _wait_ignoring_interrupts(popen) != 0:
        raise UserError(f'error: there was a problem with the editor "{name}"')


def edit_temp_file(text: str, suffix: str, environ=None) -> Tuple[str, str]:
    """Write `text` to a new temporary file, open it in the editor; return (saved text, path)."""
    fd, path = tempfile.mkstemp(prefix="kubectl-edit-", suffix=suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    try:
        launch(path, environ)
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(), path
    except (UserError, OSError):
        _remove(path)
        raise


def _wait_ignoring_interrupts(popen: subprocess.Popen) -> int:
    # The editor shares k8slab's terminal and process group, so Ctrl-C reaches both; it is meant
    # for the editor. Ignoring SIGINT only after the child started keeps the child's default.
    previous = _set_handler(signal.SIGINT, signal.SIG_IGN)
    try:
        while True:
            try:
                return popen.wait()
            except KeyboardInterrupt:  # pressed before SIGINT was ignored: still the editor's
                continue
    finally:
        if previous is not None:
            _set_handler(signal.SIGINT, previous)


def _set_handler(sig, handler) -> Optional[object]:
    """Install a signal handler if this is the main thread (only it may); return the previous one."""
    try:
        return signal.signal(sig, handler)
    except ValueError:
        return None


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
