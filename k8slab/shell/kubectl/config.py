"""kubectl config: the one context k8slab has, and switching its namespace."""

from __future__ import annotations

from k8slab.errors import UserError
from k8slab.shell.kubectl import KUBECTL
from k8slab.shell.registry import Command, Flag
from k8slab.shell.results import Result

CONTEXT = "k8slab"  # the context, cluster and user names, as kind calls them kind-<cluster>
USAGE = ("error: k8slab's kubectl config knows: set-context --current --namespace=NS, current-context, "
         "get-contexts")


def _config(session, args, _stdin) -> Result:
    if not args.args:
        raise UserError(USAGE)
    verb, rest = args.args[0], args.args[1:]
    if verb == "current-context":
        return Result().say(CONTEXT)
    if verb == "get-contexts":
        rows = [("CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"), ("*", CONTEXT, CONTEXT, CONTEXT, session.namespace)]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        return Result().say("\n".join("   ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows))
    if verb == "set-context":
        if rest and rest != [CONTEXT]:
            raise UserError(f'error: no context exists with the name: "{rest[0]}"')
        if not args.current and not rest:
            raise UserError("error: you must specify a non-empty context name or --current")
        if args.namespace is None:
            return Result().say(f'Context "{CONTEXT}" modified.')
        session.namespace = args.namespace or "default"
        result = Result().say(f'Context "{CONTEXT}" modified.')
        if session.cluster.store.try_get("Namespace", session.namespace) is None:
            result.warn(f'note: namespace "{session.namespace}" does not exist yet (kubectl does not check); '
                        f"create it with: kubectl create namespace {session.namespace}")
        return result
    raise UserError(USAGE)


KUBECTL.add(Command(
    "config", "the current context; switch the namespace commands use",
    "kubectl config set-context --current --namespace=NS | current-context | get-contexts", _config,
    flags=(Flag(("--current",), "change the context in use"),
           Flag(("--namespace",), "the namespace commands use when they have no -n", value="NS")),
    examples=("kubectl config set-context --current --namespace=kube-system", "kubectl config get-contexts")))
