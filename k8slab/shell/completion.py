"""Completion: what fits at the cursor (fits.py) matched against the cluster's live objects (matchers.py)."""

from __future__ import annotations

import logging
from typing import Iterable, List, Tuple

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, get_common_complete_suffix
from prompt_toolkit.filters import emacs_insert_mode, vi_insert_mode
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.key_binding.bindings.completion import generate_completions

from k8slab.shell.cmdline import Tables
from k8slab.shell.fits import what_fits
from k8slab.shell.matchers import Candidate, candidates, rank

log = logging.getLogger(__name__)

def tables_of(session) -> Tables:
    """The command declarations and host names a session's lines are read against."""
    from k8slab.shell.kubectl import KUBECTL

    network = session.cluster.network
    return Tables(session.registry, KUBECTL, tuple(network.hosts), tuple(network.plans))


def suggest(session, before: str, after: str = "") -> Tuple[int, List[Candidate]]:
    """Where the word at the cursor starts in `before`, and the candidates for it, best first."""
    fit = what_fits(before, after, tables_of(session))
    return fit.start, rank(fit.fragment, candidates(session, fit))


class ShellCompleter(Completer):
    """prompt_toolkit's view of `suggest`."""

    def __init__(self, session):
        self.session = session

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        before = document.text_before_cursor
        if complete_event.text_inserted and not before.strip():
            return  # typing on an empty line is no question: Tab asks
        try:
            start, found = suggest(self.session, before, document.text_after_cursor)
        except Exception:  # a bug: the learner keeps a working prompt, --debug shows it
            log.debug("completion failed for %r", before, exc_info=True)
            return
        if complete_event.text_inserted and all(c.text == before[start:] for c in found):
            return  # a menu that only repeats the word just typed is noise
        for c in found:
            yield Completion(c.text, start_position=start - len(before), display=c.display or None,
                             display_meta=c.meta)


def tab_bindings() -> KeyBindings:
    """Tab as prompt_toolkit binds it, but answered at once: never lost to a completion still pending.

    Typing starts a completion in the background; when keys arrive together (pasted, or typed very
    fast), Tab comes before it has run and prompt_toolkit's own Tab would be dropped.
    """
    keys = KeyBindings()

    @keys.add("tab", filter=vi_insert_mode | emacs_insert_mode)
    def _tab(event) -> None:
        b = event.current_buffer
        if b.complete_state or b.completer is None:
            generate_completions(event)
            return
        found = list(b.completer.get_completions(b.document, CompleteEvent(completion_requested=True)))
        common = get_common_complete_suffix(b.document, found)
        if len(found) == 1:
            b.apply_completion(found[0])
        elif common:
            b.insert_text(common)
        else:
            b.start_completion(insert_common_part=True)  # shows the menu

    return keys
