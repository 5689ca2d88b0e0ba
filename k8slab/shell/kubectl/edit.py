"""kubectl edit: the object in the learner's editor, saved back as a patch; a rejected save reopens.

The loop follows kubectl's `editoptions.go`: an unchanged or empty file cancels; a syntax error or an
invalid object reopens the file with the reasons in its header; saving the same rejected text again
gives up and keeps the file. One difference: after a rejected save, the patch is still computed from
the object first shown, so a change made before the error is not lost when the learner fixes it.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Optional, Tuple

from k8slab.api import kinds
from k8slab.api.codec import to_dict
from k8slab.api.errors import ApiError
from k8slab.api.mergepatch import apply_merge_patch, create_merge_patch
from k8slab.api.yamlio import decode_manifest, load_manifests
from k8slab.errors import UserError
from k8slab.shell import editor
from k8slab.shell.kubectl import KUBECTL, NAMESPACE, kind_label, namespace_of, split_targets
from k8slab.shell.kubectl.editfile import Reason, has_lines, header, manual_strip, strip_comments
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result
from k8slab.views import output

SOURCE = "edited-file"  # how kubectl names the saved text in parse errors
Launch = Callable[[str, str], Tuple[str, str]]  # (text, suffix) -> (saved text, path)

NO_RESOURCE = ("error: you must provide one or more resources by argument or filename.\n"
               "Example resource specifications include:\n"
               "   '-f rsrc.yaml'\n"
               "   '--filename=rsrc.json'\n"
               "   '<resource> <name>'\n"
               "   '<resource>'")


def _edit(session, args, _stdin) -> Result:
    fmt = (args.output or "yaml").lstrip("=")
    if fmt not in ("yaml", "json"):
        raise UserError(f'error: unable to match a printer suitable for the output format "{fmt}", '
                        "allowed formats are: json,yaml")
    if not args.args:
        raise UserError(NO_RESOURCE)
    targets = split_targets(args.args)
    if len(targets) != 1 or targets[0][1] is None:
        raise UserError("error: k8slab edits one object at a time: kubectl edit KIND NAME (or KIND/NAME)")
    info, name = targets[0]
    ns = namespace_of(session, args)
    obj = session.cluster.store.get(info.kind, name, ns if info.namespaced else None)
    return EditLoop(session.cluster.store, info, ns, fmt, editor.edit_temp_file).run(obj)


class EditLoop:
    """One `kubectl edit` of one object, from first showing to saved, cancelled or given up."""

    def __init__(self, store, info: kinds.KindInfo, namespace: str, fmt: str, launch: Launch):
        self.store, self.info, self.namespace, self.fmt, self.launch = store, info, namespace, fmt, launch
        self.result = Result()
        self.reasons: Tuple[Reason, ...] = ()
        self.rejected = False  # the last save was refused: reopen it as saved, with the reasons
        self.original: Dict[str, Any] = {}
        self.original_text = ""
        self.edited = ""
        self.file: Optional[str] = None  # the last pass's file, kept while its edits are pending

    def run(self, obj: Any) -> Result:
        """Edit until the object is saved or the learner gives up; the Result says which."""
        self.original = to_dict(obj)
        while True:
            done = self._round()
            if done:
                return self.result

    def _round(self) -> bool:
        head = header(self.reasons) if self.fmt == "yaml" else ""  # kubectl writes none into JSON
        if self.rejected:
            text = head + manual_strip(self.edited)
        else:
            text = head + output.render_output([self.original], self.fmt, single=True)
            self.original_text = text
        previous = self.edited
        try:
            self.edited, path = self.launch(text, "." + self.fmt)
        except UserError as e:
            return self._give_up(str(e), self.file)
        if self.rejected and strip_comments(previous) == strip_comments(self.edited):
            _remove(self.file)  # the same text as this pass's file, which is the one kept
            return self._give_up("error: Edit cancelled, no valid changes were saved.", path)
        _remove(self.file)
        if strip_comments(self.original_text) == strip_comments(self.edited):
            return self._cancel(path, "Edit cancelled, no changes made.")
        if not has_lines(self.edited):
            return self._cancel(path, "Edit cancelled, saved file was empty.")
        self.file = path
        try:
            docs = load_manifests(self.edited, SOURCE)
        except UserError as e:
            message = str(e)[len("error: "):] if str(e).startswith("error: ") else str(e)
            return self._reopen(Reason(f"The edited file had a syntax error: {message}"))
        if len(docs) != 1:
            return self._give_up("error: k8slab edits one object at a time: the file must hold exactly one object", path)
        return self._save(docs[0], path)

    def _save(self, doc: Dict[str, Any], path: str) -> bool:
        """Send what changed; an invalid object reopens the file, other errors stop."""
        name = self.original["metadata"]["name"]
        meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
        if (doc.get("apiVersion"), doc.get("kind"), meta.get("name")) != \
                (self.original["apiVersion"], self.original["kind"], name):
            return self._give_up("error: At least one of apiVersion, kind and name was changed", path)
        if self.info.namespaced:
            theirs = meta.get("namespace") or self.namespace
            if theirs != self.namespace:
                return self._give_up(
                    f'error: the namespace from the provided object "{theirs}" does not match the namespace '
                    f'"{self.namespace}". You must pass \'--namespace={theirs}\' to perform this operation.', path)
            doc = {**doc, "metadata": {**meta, "namespace": theirs}}
        patch = create_merge_patch(self.original, doc)
        label = f"{kind_label(self.info)}/{name}"
        if not patch:
            return self._done(path, f"{label} skipped")
        try:
            self._update(name, patch)
        except ApiError as e:
            return self._refused(e, name, path)
        return self._done(path, f"{label} edited")

    def _update(self, name: str, patch: Dict[str, Any]) -> None:
        ns = self.namespace if self.info.namespaced else None
        live = to_dict(self.store.get(self.info.kind, name, ns))
        self.store.update(decode_manifest(apply_merge_patch(live, patch), SOURCE))

    def _refused(self, e: ApiError, name: str, path: str) -> bool:
        resource = f'{self.info.resource} "{name}"'
        if e.reason == "Invalid":
            self._error(f"error: {resource} is invalid")
            return self._reopen(Reason(f"{resource} was not valid", tuple(str(c) for c in e.causes)))
        if e.reason == "NotFound":
            self._error(f"error: {resource} could not be found on the server")
            self.result.fail(f'The edits you made on deleted resources have been saved to "{path}"', 1)
            return True
        self._error(f"error: {resource} could not be patched: {e.message}")
        # kubectl suggests `kubectl replace -f`; k8slab has apply, which takes the same file.
        self.result.fail(f"You can run `kubectl apply -f {path}` to try this update again.", 1)
        return True

    def _reopen(self, reason: Reason) -> bool:
        self.reasons, self.rejected = (reason,), True
        return False

    def _done(self, path: str, line: str) -> bool:
        _remove(path)
        self.result.say(line)
        self.result.exit_code = 0  # errors shown on the way were fixed
        return True

    def _cancel(self, path: str, message: str) -> bool:
        _remove(path)
        self.result.warn(message)
        self.result.exit_code = 0  # as kubectl: a cancelled edit is not a failure
        return True

    def _give_up(self, message: str, path: Optional[str]) -> bool:
        if path and os.path.exists(path):
            self.result.warn(f'A copy of your changes has been stored to "{path}"')
        self.result.fail(message)
        return True

    def _error(self, message: str) -> None:
        self.result.fail(message, 0)  # shown as an error; the exit status is decided at the end


def _remove(path: Optional[str]) -> None:
    if path:
        try:
            os.remove(path)
        except OSError:
            pass


KUBECTL.add(Command(
    "edit", "edit a resource in your editor ($KUBE_EDITOR, $EDITOR, vi or nano) and save it back",
    "kubectl edit KIND NAME | KIND/NAME [-o yaml|json]", _edit,
    flags=(NAMESPACE, Flag(("-o", "--output"), "the format to edit in: yaml (default) or json", value="FORMAT",
                           choices=("yaml", "json"))),
    positional=("kind", "name"),
    examples=("kubectl edit svc web", "kubectl edit deployment/web -o json")))
