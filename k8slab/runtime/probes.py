"""Container probes: liveness, readiness and startup, run for real from the node.

Three parts:
- `ContainerProbes` (pure, clock passed in): when each probe is due, the threshold counting, startup
  gating, and what a result means for the container (ready, started, to be killed), as the kubelet's
  prober workers (`pkg/kubelet/prober/worker.go`) decide it.
- `run_probe`: one probe attempt (httpGet, tcpSocket, exec), with the kubelet's failure messages.
- `Prober`: a small per-node scheduler thread plus worker threads that sit in the node's network
  namespace; outcomes go back to the kubelet through a callback (its queue), so the kubelet's loop
  never waits for a probe.
"""

from __future__ import annotations

import ctypes
import heapq
import http.client
import itertools
import logging
import os
import socket
import ssl
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from k8slab.api.pod import Probe

log = logging.getLogger(__name__)

LIVENESS, READINESS, STARTUP = "Liveness", "Readiness", "Startup"
SUCCESS, FAILURE, UNKNOWN = "success", "failure", "unknown"
USER_AGENT = "kube-probe/1.34"
MAX_BODY = 10 * 1024  # the kubelet reads at most 10 KiB of a probe's answer
CLONE_NEWNET = 0x40000000


# -- decisions (pure) --------------------------------------------------------------------------

@dataclass
class ProbeTracker:
    """One probe of one container run: its schedule and its consecutive-result counting."""

    kind: str
    probe: Probe
    next_at: float
    result: Optional[bool]  # the published result: None = not known yet (startup)
    last: Optional[bool] = None
    run: int = 0
    on_hold: bool = False  # a failed liveness/startup probe stops probing until the restart
    in_flight: bool = False

    @property
    def period(self) -> float:
        """Seconds between attempts."""
        return float(self.probe.period_seconds or 10)

    def observe(self, ok: bool) -> bool:
        """Count one outcome; True when the published result changes (thresholds reached)."""
        if self.last == ok:
            self.run += 1
        else:
            self.last, self.run = ok, 1
        threshold = (self.probe.success_threshold or 1) if ok else (self.probe.failure_threshold or 3)
        if self.run < threshold:
            return False
        changed = self.result != ok
        self.result = ok
        if not ok and self.kind in (LIVENESS, STARTUP):
            self.on_hold, self.run = True, 0
        return changed


@dataclass(frozen=True)
class Outcome:
    """What one probe attempt means for its container, for the kubelet to act on."""

    kind: str
    result: str  # SUCCESS, FAILURE or UNKNOWN (the probe errored)
    message: str  # the event text: `Readiness probe failed: ...` ("" on success)
    ready: bool
    started: bool
    kill: bool = False  # liveness or startup failed for good: restart the container


@dataclass
class ContainerProbes:
    """The probes of one container run, from the moment it started (`started_at`, monotonic)."""

    started_at: float
    liveness: Optional[Probe] = None
    readiness: Optional[Probe] = None
    startup: Optional[Probe] = None
    trackers: Dict[str, ProbeTracker] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Initial results as the kubelet sets them: liveness passes, readiness fails, startup unknown.
        for kind, probe, initial in ((LIVENESS, self.liveness, True), (READINESS, self.readiness, False),
                                     (STARTUP, self.startup, None)):
            if probe is not None:
                delay = float(probe.initial_delay_seconds or 0)
                self.trackers[kind] = ProbeTracker(kind, probe, self.started_at + delay, initial)

    @property
    def started(self) -> bool:
        """The container counts as started: no startup probe, or it succeeded."""
        t = self.trackers.get(STARTUP)
        return t is None or t.result is True

    @property
    def ready(self) -> bool:
        """Ready (given that the container runs): started, and the readiness probe passes if any."""
        t = self.trackers.get(READINESS)
        return self.started and (t is None or t.result is True)

    def _active(self, t: ProbeTracker) -> bool:
        if t.on_hold or t.in_flight:
            return False
        if t.kind == STARTUP:
            return not self.started
        return self.started  # liveness and readiness wait for the startup probe

    def next_due(self) -> Optional[float]:
        """When something is next due (None: nothing will be until a result changes things)."""
        times = [t.next_at for t in self.trackers.values() if self._active(t)]
        return min(times) if times else None

    def take_due(self, now: float) -> List[Tuple[str, Probe]]:
        """The probes to run now; they count as in flight until `record`."""
        due = []
        for t in self.trackers.values():
            if self._active(t) and t.next_at <= now:
                t.in_flight = True
                due.append((t.kind, t.probe))
        return due

    def record(self, kind: str, result: str, output: str, now: float) -> Outcome:
        """Account for one attempt's result and say what it means."""
        t = self.trackers[kind]
        t.in_flight = False
        t.next_at = max(now, t.next_at + t.period)
        was_started = self.started
        kill = False
        if result != UNKNOWN:  # an errored probe leaves the published result as it was
            changed = t.observe(result == SUCCESS)
            kill = changed and t.result is False and kind in (LIVENESS, STARTUP)
        if not was_started and self.started:
            # Startup just passed: liveness and readiness begin now (or after their own delay).
            for other in self.trackers.values():
                if other.kind != STARTUP:
                    other.next_at = max(now, other.next_at)
        if result == SUCCESS:
            message = ""
        elif result == FAILURE:
            message = f"{kind} probe failed: {output}"
        else:
            message = f"{kind} probe errored: {output}"
        return Outcome(kind, result, message, self.ready, self.started, kill)


# -- one attempt (I/O) -------------------------------------------------------------------------

@dataclass(frozen=True)
class ProbeTarget:
    """Where a container's probes go: the pod IP, its named ports, its namespaces and environment."""

    pod_ip: str
    ports: Mapping[str, int] = field(default_factory=dict)  # container port names -> numbers
    sandbox_pid: int = 0
    env: Mapping[str, str] = field(default_factory=dict)


Runner = Callable[..., subprocess.CompletedProcess]


def resolve_port(port: object, target: ProbeTarget) -> Tuple[Optional[int], str]:
    """(port number, "") or (None, the kubelet's error) for an int or named probe port."""
    if isinstance(port, int) and not isinstance(port, bool):
        return port, ""
    text = str(port if port is not None else "")
    if text.isdigit():
        return int(text), ""
    if text in target.ports:
        return target.ports[text], ""
    return None, f"couldn't find port: {text} in the container's ports"


def _dial_error(host: str, port: int, exc: BaseException) -> str:
    """Go's `dial tcp` error text for a failed connect."""
    where = f"dial tcp {_join(host, port)}"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: connect: connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"{where}: i/o timeout"
    errno_ = getattr(exc, "errno", None)
    if errno_ in (113,):  # EHOSTUNREACH
        return f"{where}: connect: no route to host"
    if errno_ in (101,):  # ENETUNREACH
        return f"{where}: connect: network is unreachable"
    return f"{where}: connect: {getattr(exc, 'strerror', None) or exc}".rstrip()


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def probe_tcp(action: Mapping, target: ProbeTarget, timeout: float) -> Tuple[str, str]:
    """tcpSocket: success when a connection opens."""
    host = action.get("host") or target.pod_ip
    port, err = resolve_port(action.get("port"), target)
    if port is None:
        return UNKNOWN, err
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return SUCCESS, ""
    except OSError as e:
        return FAILURE, _dial_error(host, port, e)


def probe_http(action: Mapping, target: ProbeTarget, timeout: float) -> Tuple[str, str]:
    """httpGet: success on a status from 200 to 399."""
    scheme = (action.get("scheme") or "HTTP").upper()
    host = action.get("host") or target.pod_ip
    port, err = resolve_port(action.get("port"), target)
    if port is None:
        return UNKNOWN, err
    path = action.get("path") or "/"
    if not path.startswith("/"):
        path = "/" + path
    url = f"{scheme.lower()}://{_join(host, port)}{path}"
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    for h in action.get("httpHeaders") or ():
        if h.get("name"):
            headers[h["name"]] = h.get("value", "")
    if scheme == "HTTPS":
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # the kubelet skips verification
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        try:
            conn.connect()
        except ssl.SSLError:
            return FAILURE, f'Get "{url}": http: server gave HTTP response to HTTPS client'
        except OSError as e:
            if isinstance(e, (socket.timeout, TimeoutError)):
                return FAILURE, (f'Get "{url}": context deadline exceeded '
                                 "(Client.Timeout exceeded while awaiting headers)")
            return FAILURE, f'Get "{url}": {_dial_error(host, port, e)}'
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read(MAX_BODY)
        except (socket.timeout, TimeoutError):
            return FAILURE, f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
        except ssl.SSLError:
            return FAILURE, f'Get "{url}": http: server gave HTTP response to HTTPS client'
        except ConnectionResetError:
            return FAILURE, f'Get "{url}": read tcp: connection reset by peer'
        except (http.client.HTTPException, OSError):
            return FAILURE, f'Get "{url}": EOF'
    finally:
        conn.close()
    if 200 <= response.status < 400:
        return SUCCESS, body.decode("utf-8", "replace")
    return FAILURE, f"HTTP probe failed with statuscode: {response.status}"


def probe_exec(action: Mapping, target: ProbeTarget, timeout: float,
               runner: Optional[Runner] = None) -> Tuple[str, str]:
    """exec: run the command in the container; success on exit 0; the output is the message."""
    command = [str(a) for a in action.get("command") or ()]
    if not command:
        return UNKNOWN, "missing command"
    if runner is None:
        from k8slab.runtime.processes import run_in
        runner = run_in
    try:
        done = runner(target.sandbox_pid, command, dict(target.env), timeout=timeout)
    except subprocess.TimeoutExpired:
        return FAILURE, f'command "{" ".join(command)}" timed out'
    except OSError as e:
        return UNKNOWN, str(e)
    output = (done.stdout or b"")
    if done.stderr:
        output += done.stderr
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else str(output)
    return (SUCCESS if done.returncode == 0 else FAILURE), text


def run_probe(probe: Probe, target: ProbeTarget, runner: Optional[Runner] = None) -> Tuple[str, str]:
    """One attempt of `probe`: (SUCCESS|FAILURE|UNKNOWN, output or failure text)."""
    timeout = float(probe.timeout_seconds or 1)
    if probe.exec is not None:
        return probe_exec(probe.exec, target, timeout, runner)
    if probe.http_get is not None:
        return probe_http(probe.http_get, target, timeout)
    if probe.tcp_socket is not None:
        return probe_tcp(probe.tcp_socket, target, timeout)
    if probe.grpc is not None:
        return UNKNOWN, "gRPC probes are not emulated by k8slab"
    return UNKNOWN, "missing probe handler"


# -- the per-node prober (threads) -------------------------------------------------------------

def enter_netns(pid: int) -> None:
    """Move the calling thread into the network namespace of `pid` (setns is per thread for netns)."""
    fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
    try:
        setns = getattr(os, "setns", None)
        if setns is not None:
            setns(fd, CLONE_NEWNET)
            return
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)


@dataclass(frozen=True)
class ProbeReport:
    """A probe outcome for the kubelet's loop (stale when the generation has moved on)."""

    key: Tuple[str, str]
    uid: str
    container: str
    generation: int
    outcome: Outcome


@dataclass
class _Entry:
    key: Tuple[str, str]
    uid: str
    container: str
    generation: int
    probes: ContainerProbes
    target: ProbeTarget
    scheduled: Optional[float] = None  # the wake-up pending in the heap, if any


class Prober:
    """Runs the probes of one node's containers and reports each outcome through `report`."""

    def __init__(self, report: Callable[[ProbeReport], None], node_pid: Optional[Callable[[], int]] = None,
                 clock: Callable[[], float] = time.monotonic, workers: int = 4,
                 runner: Optional[Runner] = None):
        self._report = report
        self._clock = clock
        self._runner = runner
        self._node_pid = node_pid
        self._lock = threading.Condition()
        self._entries: Dict[Tuple[Tuple[str, str], str], _Entry] = {}
        self._heap: list = []
        self._seq = itertools.count()
        self._stopped = False
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe",
                                        initializer=self._init_worker)
        self._thread = threading.Thread(target=self._loop, name="prober", daemon=True)
        self._thread.start()

    def _init_worker(self) -> None:
        if self._node_pid is None:
            return
        try:
            enter_netns(self._node_pid())
        except Exception:  # probes then run from k8slab's own namespace, which cannot reach pods
            log.exception("probe worker could not enter the node's network namespace")

    def watch(self, key: Tuple[str, str], uid: str, container: str, generation: int,
              probes: ContainerProbes, target: ProbeTarget) -> None:
        """Probe a container run (replacing any earlier run of that container)."""
        with self._lock:
            entry = _Entry(key, uid, container, generation, probes, target)
            self._entries[(key, container)] = entry
            self._schedule(entry)
            self._lock.notify()

    def forget(self, key: Tuple[str, str], container: Optional[str] = None) -> None:
        """Stop probing a container (or every container of a pod)."""
        with self._lock:
            for k in [k for k in self._entries if k[0] == key and (container is None or k[1] == container)]:
                del self._entries[k]

    def stop(self) -> None:
        """Stop the scheduler; running attempts finish and are dropped."""
        with self._lock:
            self._stopped = True
            self._lock.notify()
        self._pool.shutdown(wait=False)

    def _schedule(self, entry: _Entry) -> None:
        due = entry.probes.next_due()
        if due is None or (entry.scheduled is not None and entry.scheduled <= due):
            return  # nothing to do, or an earlier wake-up will reschedule anyway
        entry.scheduled = due
        heapq.heappush(self._heap, (due, next(self._seq), entry))

    def _current(self, entry: _Entry) -> bool:
        return self._entries.get((entry.key, entry.container)) is entry

    def _loop(self) -> None:
        with self._lock:
            while not self._stopped:
                now = self._clock()
                while self._heap and self._heap[0][0] <= now:
                    at, _, entry = heapq.heappop(self._heap)
                    if not self._current(entry) or entry.scheduled != at:
                        continue  # forgotten, or superseded by an earlier wake-up
                    entry.scheduled = None
                    for kind, probe in entry.probes.take_due(now):
                        self._pool.submit(self._attempt, entry, kind, probe)
                    self._schedule(entry)
                timeout = self._heap[0][0] - now if self._heap else None
                self._lock.wait(timeout)

    def _attempt(self, entry: _Entry, kind: str, probe: Probe) -> None:
        try:
            result, output = run_probe(probe, entry.target, self._runner)
        except Exception as e:  # a prober bug reads as an errored probe, not a dead node
            log.exception("probe failed to run")
            result, output = UNKNOWN, str(e)
        with self._lock:
            if not self._current(entry) or self._stopped:
                return
            outcome = entry.probes.record(kind, result, output.strip() if result != SUCCESS else "",
                                          self._clock())
            self._schedule(entry)
            self._lock.notify()
        self._report(ProbeReport(entry.key, entry.uid, entry.container, entry.generation, outcome))


def probes_for(spec, started_at: float) -> Optional[ContainerProbes]:
    """The ContainerProbes of a container spec, or None when it has no probes."""
    if spec.liveness_probe is None and spec.readiness_probe is None and spec.startup_probe is None:
        return None
    return ContainerProbes(started_at, spec.liveness_probe, spec.readiness_probe, spec.startup_probe)


def named_ports(spec) -> Dict[str, int]:
    """A container's named ports, for probes that name their port."""
    return {p.name: p.container_port for p in spec.ports if p.name}


__all__: Sequence[str] = (
    "LIVENESS", "READINESS", "STARTUP", "SUCCESS", "FAILURE", "UNKNOWN", "ContainerProbes", "Outcome",
    "ProbeTarget", "ProbeReport", "Prober", "run_probe", "probes_for", "named_ports", "enter_netns")
