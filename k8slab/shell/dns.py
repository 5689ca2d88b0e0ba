"""`dns records` and `dns log on|off`: what the cluster DNS answers, and the queries it gets."""

from __future__ import annotations

import os
import threading
import time
from typing import Optional

from k8slab.errors import UserError
from k8slab.net.addresses import OUTSIDE_NAMES
from k8slab.shell.results import Result

QUERY_LOG_MARK = "[INFO] "  # CoreDNS's log plugin lines


def dns_command(session, words, _stdin) -> Result:
    """dns records [NAMESPACE/SERVICE | SERVICE] | dns log on|off"""
    if words[:1] == ["records"]:
        return _records(session, words[1:])
    if words[:1] == ["log"] and words[1:] in (["on"], ["off"]):
        return _log(session, words[1] == "on")
    raise UserError("error: usage: dns records [NAMESPACE/SERVICE] | dns log on|off")


def _records(session, args) -> Result:
    from k8slab.dns.records import all_records, records_for_service
    from k8slab.dns.snapshot import state_from_store
    from k8slab.views.dnsviews import render_records

    state = state_from_store(session.cluster.store, OUTSIDE_NAMES)
    if args:
        ns, _, name = args[0].rpartition("/")
        ns = ns or session.namespace
        session.cluster.store.get("Service", name, ns)  # NotFound as kubectl words it
        rrs = records_for_service(state, ns, name)
    else:
        rrs = all_records(state)
    return Result().say(render_records(rrs))


class QueryLog:
    """Follows the DNS pods' logs and hands each query line to the printer while logging is on."""

    def __init__(self, session):
        self.session = session
        self._stop: Optional[threading.Event] = None

    def start(self) -> None:
        """Begin following (new lines only)."""
        if self._stop is not None:
            return
        self._stop = threading.Event()
        threading.Thread(target=self._follow, args=(self._stop,), name="dns-log", daemon=True).start()

    def stop(self) -> None:
        """Stop following."""
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def _paths(self) -> list:
        cluster = self.session.cluster
        paths = []
        for pod in cluster.store.list("Pod", "kube-system"):
            if pod.metadata.labels.get("k8s-app") == "kube-dns":
                kubelet = cluster.kubelet_for(pod)
                path = kubelet.log_path((pod.metadata.namespace, pod.metadata.name), "coredns") if kubelet else None
                if path:
                    paths.append(path)
        return paths

    def _follow(self, stop: threading.Event) -> None:
        offsets = {p: os.path.getsize(p) for p in self._paths()}
        while not stop.is_set():
            for path in self._paths():
                start = offsets.setdefault(path, 0)
                try:
                    with open(path, "rb") as f:
                        f.seek(start)
                        data = f.read()
                except OSError:
                    continue
                offsets[path] = start + len(data)
                for line in data.decode(errors="replace").splitlines():
                    if line.startswith(QUERY_LOG_MARK):
                        self.session.printer.note("dns: " + line[len(QUERY_LOG_MARK):])
            time.sleep(0.05)


def _log(session, on: bool) -> Result:
    session.cluster.dns.set_logging(on)
    follower = getattr(session, "dns_log", None)
    if follower is None:
        follower = session.dns_log = QueryLog(session)
    if on:
        follower.start()
        return Result().say("DNS query log on: each query the cluster DNS answers is shown as it arrives "
                            "(`dns log off` to stop).")
    follower.stop()
    return Result().say("DNS query log off.")
