"""Running a step's checks: each one becomes k8slab command lines, and the verdict is read from them.

Going through the same commands a learner types (kubectl get with jsonpath, kubectl exec ... curl,
proxy rules) means a check sees exactly what the learner would see, and the engine needs nothing but
a way to run a command line (`Run`). Judging the output is pure, and so is every sentence: they are
templates from the lessons' messages file, so that they can be translated with the lessons.
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Tuple

from k8slab.learning.model import Check

Run = Callable[[str], Tuple[int, str]]  # a k8slab command line -> (exit code, stdout+stderr)
NAMESPACE = "default"
# The answer's first line names the server (agnhost serve-hostname, netexec /hostname, http-echo);
# k8slab's nginx page names it in "Served by pod <b>NAME</b>".
SERVED_BY = re.compile(r"Served by pod <b>([^<]+)</b>")
SEPARATOR = "--k8slab-answer--"
CLIENT_PORT = re.compile(r"(\d+\.\d+\.\d+\.\d+):\d+")
HOSTS = ("ext", "world") + tuple(f"node{i}" for i in range(1, 51))  # where `from:` is a machine, not a pod


@dataclass(frozen=True)
class Verdict:
    """A check's outcome: passed or not, and (when not) the sentence saying what and why."""

    ok: bool
    message: str = ""
    why: str = ""


def run_check(check: Check, run: Run, messages: Dict[str, str]) -> Verdict:
    """Evaluate one check (again and again for up to `within` seconds, if it says so)."""
    deadline = time.monotonic() + float(check.options.get("within", 0))
    while True:
        verdict = _once(check, run, messages)
        if verdict.ok or time.monotonic() >= deadline:
            return verdict
        time.sleep(0.25)


def _once(check: Check, run: Run, messages: Dict[str, str]) -> Verdict:
    if check.kind == "any":
        verdicts = [run_check(alt, run, messages) for alt in check.alternatives]
        if any(v.ok for v in verdicts):
            return Verdict(True)
        found = " / ".join(v.message for v in verdicts)
        return Verdict(False, messages.get("any", "{found}").format(found=found),
                       check.why or next((v.why for v in verdicts if v.why), ""))
    judge = _JUDGES[check.kind]
    ok, key, values = judge(check, run)
    if ok:
        return Verdict(True)
    text = messages.get(key, key).format(subject=check.subject, **values)
    return Verdict(False, text, check.why)


def run_checks(checks, run: Run, messages: Dict[str, str]) -> List[Verdict]:
    """Evaluate checks in order; stop at the first failure (later ones usually depend on it)."""
    out = []
    for check in checks:
        verdict = run_check(check, run, messages)
        out.append(verdict)
        if not verdict.ok:
            break
    return out


def _ns(check: Check) -> str:
    return str(check.options.get("namespace") or NAMESPACE)


def _short(text: str, limit: int = 300) -> str:
    text = text.strip() or "(nothing)"
    return text if len(text) <= limit else text[:limit] + " ..."


def _exists(check: Check, run: Run):
    ns = _ns(check)
    base = f"kubectl get {shlex.quote(check.subject)} -n {shlex.quote(ns)}"
    code, out = run(base + " -o name")
    if code != 0:
        return False, "exists.missing", {"namespace": ns}
    field = check.options.get("field")
    if field is None:
        return True, "", {}
    code, value = run(f"{base} -o {shlex.quote('jsonpath=' + str(field))}")
    value = value.strip()
    if "equals" in check.options:
        wanted = str(check.options["equals"])
        ok = value == wanted
    else:
        wanted = f"matching {check.options['matches']}"
        ok = re.search(str(check.options["matches"]), value) is not None
    return ok, "exists.field", {"field": field, "wanted": wanted, "found": value or "(empty)", "namespace": ns}


def _absent(check: Check, run: Run):
    ns = _ns(check)
    code, _ = run(f"kubectl get {shlex.quote(check.subject)} -n {shlex.quote(ns)} -o name")
    return code != 0, "absent.present", {"namespace": ns}


def _count(check: Check, run: Run):
    ns = _ns(check)
    selector = check.options.get("selector")
    sel = f" -l {shlex.quote(str(selector))}" if selector else ""
    ready = bool(check.options.get("ready"))
    if ready:
        path = 'jsonpath={range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}'
        _, out = run(f"kubectl get {shlex.quote(check.subject)} -n {shlex.quote(ns)}{sel} -o {shlex.quote(path)}")
        found = sum(1 for line in out.splitlines() if line.split()[-1:] == ["True"])
    else:
        _, out = run(f"kubectl get {shlex.quote(check.subject)} -n {shlex.quote(ns)}{sel} -o name")
        found = sum(1 for line in out.splitlines() if "/" in line)
    if "equals" in check.options:
        wanted, ok = str(check.options["equals"]), found == int(check.options["equals"])
    else:
        least = int(check.options.get("min", 1))
        wanted, ok = f"at least {least}", found >= least
    what = f"{'Ready ' if ready else ''}{check.subject}" + (f" with labels {selector}" if selector else "")
    return ok, "count", {"wanted": wanted, "found": found, "what": what, "namespace": ns}


def _run(check: Check, run: Run):
    code, out = run(check.subject)
    wanted_exit = int(check.options.get("exit", 0))
    if code != wanted_exit:
        return False, "run.exit", {"wanted": wanted_exit, "found": code, "output": _short(out)}
    expect = check.options.get("expect")
    if expect is not None and not re.search(str(expect), out, re.M):
        return False, "run.expect", {"wanted": expect, "found": _short(out)}
    reject = check.options.get("reject")
    if reject is not None and re.search(str(reject), out, re.M):
        return False, "run.reject", {"wanted": reject, "found": _short(out)}
    return True, "", {}


def _resolves(check: Check, run: Run):
    source, ns = str(check.options["from"]), _ns(check)
    code, out = run(f"kubectl exec {shlex.quote(source)} -n {shlex.quote(ns)} -- dig +search +short +time=2 +tries=1 "
                    f"{shlex.quote(check.subject)}")
    answers = [line.strip() for line in out.splitlines() if line.strip() and not line.startswith(";")]
    addresses = [a for a in answers if re.match(r"^[0-9.]+$|^[0-9a-f:]+$", a)]
    found = ", ".join(answers) if answers else "nothing"
    if "matches" in check.options:
        wanted = f"an answer matching {check.options['matches']}"
        ok = any(re.search(str(check.options["matches"]), a) for a in answers)
    elif "addresses" in check.options:
        n = int(check.options["addresses"])
        # No address counts only when dig itself worked: a missing pod or a dead DNS resolves nothing too.
        wanted, ok = f"{n} address{'es' if n != 1 else ''}", len(addresses) == n and (n > 0 or code == 0)
    else:
        wanted, ok = "at least one address", bool(addresses)
    if code != 0 and not answers:
        found = _short(out)
    return ok, "resolves", {"from": source, "wanted": wanted, "found": found}


def _reaches(check: Check, run: Run):
    source, ns = str(check.options["from"]), _ns(check)
    tries = int(check.options.get("tries", 20))
    url = shlex.quote(check.subject)
    loop = (f"for i in $(seq {tries}); do curl -s --max-time 2 {url} || echo request failed; "
            f"echo; echo {SEPARATOR}; done")
    if source in HOSTS:
        line = f"{source} sh -c {shlex.quote(loop)}"
    else:
        line = f"kubectl exec {shlex.quote(source)} -n {shlex.quote(ns)} -- sh -c {shlex.quote(loop)}"
    _, out = run(line)
    answers = [a.strip() for a in out.split(SEPARATOR)][:tries]
    failed = [a for a in answers if not a or a.endswith("request failed")]
    servers = sorted({_server(a) for a in answers if a not in failed})
    values = {"from": source, "tries": tries, "failed": len(failed)}
    if len(answers) < tries or failed:
        return False, "reaches.fail", {**values, "found": _short(failed[0] if failed else out, 200)}
    least = int(check.options.get("backends", 1))
    if len(servers) < least:
        return False, "reaches.backends", {**values, "wanted": least, "found": ", ".join(servers)}
    most = check.options.get("backends_max")
    if most is not None and len(servers) > int(most):
        return False, "reaches.backends_max", {**values, "wanted": int(most), "found": ", ".join(servers)}
    return True, "", {}


def _server(answer: str) -> str:
    match = SERVED_BY.search(answer)
    if match:
        return match.group(1)
    # Answers that mention the client's ip:port (the outside world's hosts, netexec /clientip) differ
    # on every connection; the port says nothing about which server answered.
    return CLIENT_PORT.sub(r"\1", answer.splitlines()[0].strip())


def _rule(check: Check, run: Run):
    node = str(check.options.get("node", "node1"))
    _, out = run(f"proxy rules {shlex.quote(node)}")
    return re.search(check.subject, out, re.M) is not None, "rule", {"node": node}


_JUDGES = {"exists": _exists, "absent": _absent, "count": _count, "run": _run, "resolves": _resolves,
           "reaches": _reaches, "rule": _rule}
