"""The image catalogue: what a container runs, given its image, command, args and ports.

Pure: no I/O. Images are never pulled. Each catalogue entry declares the ENTRYPOINT and CMD of its
real image, Kubernetes' rules combine them with the pod's `command` (replaces ENTRYPOINT) and `args`
(replaces CMD), and the resulting argv either names a program k8slab emulates (nginx, agnhost...),
which becomes one of the built-in servers in `servers/`, or runs as the real host program it names.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Sequence, Tuple

SERVERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers")

Listens = Tuple[Tuple[int, str], ...]  # (port, "TCP"|"UDP") pairs


@dataclass(frozen=True)
class ContainerPlan:
    """What the kubelet executes for one container."""

    argv: tuple[str, ...]  # what to exec inside the pod
    image: str  # the image reference as given
    builtin: str | None  # "nginx", "agnhost netexec", "generic"...; None for a plain command
    # (port, "TCP"|"UDP") the built-in server binds before it writes its readiness signal
    listens: tuple[tuple[int, str], ...]
    notice: str | None  # one line for the learner when k8slab substitutes behaviour


@dataclass(frozen=True)
class ImageRef:
    """A parsed, normalised image reference (docker.io/library/nginx:latest)."""

    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """The repository's last path component: "nginx", "agnhost", "curl"."""
        return self.repository.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        text += f":{self.tag}" if self.tag else ""
        return text + (f"@{self.digest}" if self.digest else "")


class InvalidImageName(ValueError):
    """An image reference that does not parse; str() is the container runtime's message."""

    reason = "InvalidImageName"


_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_DOMAIN = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)"
                     r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\Z")
_TAG = re.compile(r"[\w][\w.-]{0,127}\Z")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\Z")


def parse_image(ref: str) -> ImageRef:
    """Parse an image reference as containerd does; raise InvalidImageName when it would."""

    def invalid(detail: str = "") -> InvalidImageName:
        return InvalidImageName(f'couldn\'t parse image reference "{ref}": invalid reference format'
                                + (f": {detail}" if detail else ""))

    if not ref or ref != ref.strip():
        raise invalid()
    name, _, digest = ref.partition("@")
    if digest and (not _DIGEST.match(digest) or
                   (digest.startswith("sha256:") and len(digest) != len("sha256:") + 64)):
        raise invalid()
    tag = None
    slash = name.rfind("/")
    if ":" in name[slash + 1:]:
        name, tag = name.rsplit(":", 1)
        if not _TAG.match(tag):
            raise invalid()
    first, sep, remainder = name.partition("/")
    # Like docker: the first component is a registry only if it looks like a host name.
    if sep and (any(ch in first for ch in ".:") or first == "localhost" or first != first.lower()):
        registry = first
        if not _DOMAIN.match(registry):
            raise invalid()
    else:
        registry, remainder = "docker.io", name
    if registry == "index.docker.io":
        registry = "docker.io"
    if registry == "docker.io" and "/" not in remainder:
        remainder = "library/" + remainder
    components = remainder.split("/")
    if any(not _PATH_COMPONENT.match(part) for part in components):
        lowered = remainder.lower()
        if remainder != lowered and all(_PATH_COMPONENT.match(p) for p in lowered.split("/")):
            raise invalid(f"repository name ({remainder}) must be lowercase")
        raise invalid()
    if len(registry) + 1 + len(remainder) > 255:
        raise invalid("repository name must not be more than 255 characters")
    return ImageRef(registry, remainder, tag if tag or digest else "latest", digest or None)


@dataclass(frozen=True)
class _Entry:
    family: str  # which resolver interprets the final argv
    entrypoint: tuple[str, ...]  # the real image's ENTRYPOINT
    cmd: tuple[str, ...]  # the real image's CMD


_BY_REPOSITORY = {
    "library/nginx": _Entry("nginx", ("/docker-entrypoint.sh",), ("nginx", "-g", "daemon off;")),
    "library/httpd": _Entry("httpd", (), ("httpd-foreground",)),
    "library/busybox": _Entry("shell", (), ("sh",)),
    "library/alpine": _Entry("shell", (), ("/bin/sh",)),
    "library/ubuntu": _Entry("shell", (), ("/bin/bash",)),
    "library/debian": _Entry("shell", (), ("bash",)),
    # netshoot's CMD is zsh; hosts rarely have it, and it exits at once without stdin either way.
    "nicolaka/netshoot": _Entry("shell", (), ("sh",)),
    "library/python": _Entry("python", (), ("python3",)),
    "curlimages/curl": _Entry("curl", ("/entrypoint.sh",), ("curl",)),
    "hashicorp/http-echo": _Entry("http-echo", ("/http-echo",), ()),
}
# Published under many registries and paths (registry.k8s.io, k8s.gcr.io, gcr.io/...).
_BY_NAME = {
    "agnhost": _Entry("agnhost", ("/agnhost",), ("pause",)),
    "pause": _Entry("pause", ("/pause",), ()),
    # registry.k8s.io/coredns/coredns, coredns/coredns: the cluster DNS server.
    "coredns": _Entry("coredns", ("/coredns",), ()),
}


def _lookup(ref: ImageRef) -> _Entry | None:
    repository = ref.repository
    if repository.startswith("docker/library/"):  # public.ecr.aws mirrors Docker Hub here
        repository = repository[len("docker/"):]
    return _BY_REPOSITORY.get(repository) or _BY_NAME.get(ref.name)


# What each family runs, in a few words (for completion's menu).
_FAMILY_SUMMARY = {
    "nginx": "web server on port 80", "httpd": "Apache web server on port 80", "shell": "a shell: sleep, sh -c ...",
    "python": "python3", "curl": "curl, then exits", "http-echo": "answers HTTP with its -text (port 5678)",
    "agnhost": "Kubernetes' test image: netexec, serve-hostname...", "pause": "does nothing (the pause container)",
    "coredns": "a DNS server",
}
# Registries vary for these; learners copy the Kubernetes docs' references.
_USUAL_REFERENCE = {"agnhost": "registry.k8s.io/e2e-test-images/agnhost:2.39", "pause": "registry.k8s.io/pause:3.9",
                    "coredns": "registry.k8s.io/coredns/coredns:v1.11.1"}


def known_images() -> tuple[tuple[str, str], ...]:
    """(image as learners write it, what it runs) for every image the catalogue emulates."""
    out = [(repo.removeprefix("library/"), _FAMILY_SUMMARY[e.family]) for repo, e in _BY_REPOSITORY.items()]
    out += [(_USUAL_REFERENCE.get(name, name), _FAMILY_SUMMARY[e.family]) for name, e in _BY_NAME.items()]
    return tuple(out)


def kubernetes_argv(entrypoint: Sequence[str], cmd: Sequence[str], command: Sequence[str],
                    args: Sequence[str]) -> tuple[str, ...]:
    """Combine an image's ENTRYPOINT/CMD with a container's command/args, as Kubernetes does."""
    if command:
        return tuple(command) + tuple(args)  # the image's CMD is dropped even without args
    if args:
        return tuple(entrypoint) + tuple(args)
    return tuple(entrypoint) + tuple(cmd)


def plan_container(image: str, command: Sequence[str] = (), args: Sequence[str] = (),
                   ports: Sequence[tuple[int, str]] = (), *,
                   python: str = sys.executable) -> ContainerPlan:
    """Decide what a container runs; raise InvalidImageName for an unparsable image."""
    ref = parse_image(image)
    declared = _normalise_ports(ports)
    entry = _lookup(ref)
    if entry is None:
        return _plan_unknown(image, tuple(command), tuple(args), declared, python)
    argv = kubernetes_argv(entry.entrypoint, entry.cmd, command, args)  # never empty here
    return _RESOLVERS[entry.family](image, argv, declared, python)


def _normalise_ports(ports: Sequence[tuple[int, str]]) -> Listens:
    seen = []
    for port, protocol in ports:
        item = (int(port), str(protocol or "TCP").upper())
        if 0 < item[0] < 65536 and item not in seen:
            seen.append(item)
    return tuple(seen)


def server_argv(python: str, script: str, *args: str) -> tuple[str, ...]:
    """The argv that runs one of the built-in servers: fast start, stdlib only."""
    return (python, "-I", "-S", os.path.join(SERVERS_DIR, script), *args)


def _plan_unknown(image: str, command: tuple[str, ...], args: tuple[str, ...], ports: Listens,
                  python: str) -> ContainerPlan:
    prefix = f'image "{image}" is not in k8slab\'s catalogue'
    if command:
        return ContainerPlan(command + args, image, None, (),
                             f"{prefix}: running the command as given")
    if args and not args[0].startswith("-"):
        # Without the image, its ENTRYPOINT is unknown; most images have none and args then
        # name the program, as with CMD.
        return ContainerPlan(args, image, None, (), f"{prefix}: running its args as the command "
                                                    "(its entrypoint is unknown)")
    ignored = " (its args are ignored: its entrypoint is unknown)" if args else ""
    served = tuple(p for p in ports if p[1] in ("TCP", "UDP"))
    if not served:
        return ContainerPlan(server_argv(python, "pause.py"), image, "pause", (),
                             f"{prefix} and declares no ports: the container idles until it is "
                             f"stopped{ignored}")
    argv = server_argv(python, "generic.py", *(f"{port}/{proto}" for port, proto in served))
    return ContainerPlan(argv, image, "generic", served,
                         f"{prefix}: serving {_describe(served)}{ignored}")


def _describe(ports: Listens) -> str:
    parts = []
    for proto, what in (("TCP", "a generic HTTP server"), ("UDP", "a generic UDP responder")):
        numbers = [str(port) for port, p in ports if p == proto]
        if numbers:
            label = "port" if len(numbers) == 1 else "ports"
            listed = numbers[-1] if len(numbers) == 1 else (
                ", ".join(numbers[:-1]) + " and " + numbers[-1])
            parts.append(f"{what} on {label} {listed}")
    return " and ".join(parts)


# --- resolvers: interpret the final argv of a catalogue image ---------------------------------


def _plain(image: str, argv: Sequence[str], notice: str | None = None) -> ContainerPlan:
    return ContainerPlan(tuple(argv), image, None, (), notice)


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _resolve_web(script: str, names: tuple[str, ...], wrapper: str):
    """nginx and httpd: the server listens on the declared TCP ports, else on 80."""

    def resolve(image, argv, ports, python):
        via_wrapper = bool(wrapper) and argv[0] == wrapper
        if via_wrapper:
            argv = argv[1:] or ("true",)  # the entrypoint script just execs "$@"
        if _base(argv[0]) not in names:
            return _plain(image, argv)
        listens = tuple(p for p in ports if p[1] == "TCP") or ((80, "TCP"),)
        opts = [f"--listen={port}" for port, _ in listens]
        # nginx's entrypoint script prints its set-up lines only when it runs nginx itself.
        opts += ["--entrypoint"] if via_wrapper else []
        argv = server_argv(python, script, *opts, "--", *argv[1:])
        return ContainerPlan(argv, image, script[:-3], listens, None)

    return resolve


def _resolve_shell(image, argv, _ports, _python):
    return _plain(image, argv)


_PYTHON = re.compile(r"python(?:3(?:\.\d+)?)?\Z")


def _resolve_python(image, argv, _ports, python):
    if _PYTHON.match(_base(argv[0])):
        argv = (python,) + tuple(argv[1:])  # the host's interpreter stands in for the image's
    return _plain(image, argv)


# Programs in the curl image (Alpine + busybox) that its entrypoint runs instead of curl.
_CURL_IMAGE_COMMANDS = frozenset(
    "sh ash bash sleep curl echo cat env wget nslookup ping printf true false ls watch timeout "
    "nc date hostname id tail head grep ip ifconfig netstat traceroute sed awk xargs".split())


def _resolve_curl(image, argv, _ports, _python):
    if argv[0] == "/entrypoint.sh":
        # The entrypoint prepends curl when $1 is an option or not a command it can find.
        rest = tuple(argv[1:])
        first = rest[0] if rest else ""
        is_command = first.startswith("/") or first in _CURL_IMAGE_COMMANDS
        argv = rest if rest and is_command else ("curl",) + rest
    return _plain(image, argv)


def _flag(args: Sequence[str], name: str, boolean: bool = False) -> str | None:
    """The last value given to --name or -name (Go and pflag spellings), or None."""
    value = None
    i = 0
    while i < len(args):  # advances every pass
        arg = args[i]
        i += 1
        if arg == "--":
            break
        if arg in (f"--{name}", f"-{name}"):
            if boolean:
                value = "true"
            elif i < len(args):
                value, i = args[i], i + 1
        elif arg.startswith((f"--{name}=", f"-{name}=")):
            value = arg.split("=", 1)[1]
    return value


def _int_flag(args: Sequence[str], name: str, default: int) -> int:
    value = _flag(args, name)
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _bool_flag(args: Sequence[str], name: str, default: bool) -> bool:
    value = _flag(args, name, boolean=True)
    return default if value is None else value in ("1", "t", "T", "true", "TRUE", "True")


_AGNHOST_UNEMULATED = frozenset(
    "audit-proxy connect crd-conversion-webhook dns-server-list dns-suffix entrypoint-tester "
    "etc-hosts fake-gitserver grpc-health-checking guestbook inclusterclient logs-generator "
    "mounttest net nettest no-snat-test no-snat-test-proxy port-forward-tester porter "
    "resource-consumer-controller tcp-reset test-webserver webhook".split())


def _agnhost_listens(sub: str | None, flags: Sequence[str]) -> tuple[Listens, str | None]:
    if sub == "serve-hostname":
        port = _int_flag(flags, "port", 9376)
        http, tcp = _bool_flag(flags, "http", True), _bool_flag(flags, "tcp", False)
        udp = _bool_flag(flags, "udp", False)
        if http and (tcp or udp):
            return (), None  # agnhost refuses this combination and exits
        wanted = (((port, "TCP"), http or tcp), ((port, "UDP"), udp))
        return tuple(listen for listen, on in wanted if on), None
    if sub == "netexec":
        http, udp = _int_flag(flags, "http-port", 8080), _int_flag(flags, "udp-port", 8081)
        listens = tuple(p for p in ((http, "TCP"), (udp, "UDP")) if 0 < p[0] < 65536)
        if _flag(flags, "tls-cert-file") or _int_flag(flags, "sctp-port", -1) != -1:
            return listens, ("k8slab does not emulate agnhost netexec over HTTPS or SCTP: the "
                             "container will exit with an error")
        return listens, None
    if sub == "liveness":
        return ((8080, "TCP"),), None
    if sub in _AGNHOST_UNEMULATED:
        return (), f'k8slab does not emulate "agnhost {sub}": the container will exit with an error'
    return (), None


def _resolve_agnhost(image, argv, _ports, python):
    if argv[0] not in ("/agnhost", "agnhost"):
        return _plain(image, argv)
    sub = argv[1] if len(argv) > 1 else None
    listens, notice = _agnhost_listens(sub, argv[2:])
    builtin = f"agnhost {sub}" if sub else "agnhost"
    return ContainerPlan(server_argv(python, "agnhost.py", *argv[1:]), image, builtin, listens,
                         notice)


def _resolve_http_echo(image, argv, _ports, python):
    if argv[0] not in ("/http-echo", "http-echo"):
        return _plain(image, argv)
    port = (_flag(argv[1:], "listen") or ":5678").rpartition(":")[2]
    listens = ((int(port), "TCP"),) if port.isdigit() and 0 < int(port) < 65536 else ()
    return ContainerPlan(server_argv(python, "http_echo.py", *argv[1:]), image, "http-echo",
                         listens, None)


def _resolve_pause(image, argv, _ports, python):
    if argv[0] not in ("/pause", "pause"):
        return _plain(image, argv)
    return ContainerPlan(server_argv(python, "pause.py", *argv[1:]), image, "pause", (), None)


def _resolve_coredns(image, argv, _ports, python):
    """k8slab's cluster DNS server, with CoreDNS's own arguments (e.g. -conf /etc/coredns/Corefile)."""
    if argv[0] not in ("/coredns", "coredns"):
        return _plain(image, argv)
    # Not -I -S: the server needs the DNS wire-format library from k8slab's environment. The pod's
    # working directory is /, so say where the k8slab package is.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    boot = f"import sys; sys.path.insert(0, {root!r}); from k8slab.dns.server import main; sys.exit(main())"
    return ContainerPlan((python, "-c", boot, *argv[1:]), image, "coredns", ((53, "UDP"), (53, "TCP")), None)


_RESOLVERS = {
    "nginx": _resolve_web("nginx.py", ("nginx", "nginx-debug"), "/docker-entrypoint.sh"),
    "httpd": _resolve_web("httpd.py", ("httpd-foreground", "httpd"), ""),
    "shell": _resolve_shell,
    "python": _resolve_python,
    "curl": _resolve_curl,
    "agnhost": _resolve_agnhost,
    "http-echo": _resolve_http_echo,
    "pause": _resolve_pause,
    "coredns": _resolve_coredns,
}
