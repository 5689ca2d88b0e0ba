"""k8slab's stand-in for Kubernetes' agnhost test image (`/agnhost SUBCOMMAND [flags]`).

Emulated subcommands: serve-hostname, netexec, pause, liveness; their flags, answers, logs and
exit codes follow agnhost's source. Other subcommands fail with a clear message.
"""

from __future__ import annotations

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as c  # noqa: E402
from _http import go_error, go_response, serve_http  # noqa: E402

# Every subcommand real agnhost has, so an unemulated one is told apart from a typo.
REAL_SUBCOMMANDS = (
    "audit-proxy", "connect", "crd-conversion-webhook", "dns-server-list", "dns-suffix",
    "entrypoint-tester", "etc-hosts", "fake-gitserver", "grpc-health-checking", "guestbook",
    "inclusterclient", "liveness", "logs-generator", "mounttest", "net", "netexec", "nettest",
    "no-snat-test", "no-snat-test-proxy", "pause", "port-forward-tester", "porter",
    "resource-consumer-controller", "serve-hostname", "tcp-reset", "test-webserver", "webhook",
)

# subcommand -> {flag: (kind, default, usage)}, as the subcommands declare them with pflag
FLAGS = {
    "serve-hostname": {
        "close": ("bool", False, "Close connection per each HTTP request."),
        "http": ("bool", True, "Serve HTTP."),
        "port": ("int", 9376, "Port number."),
        "tcp": ("bool", False, "Serve raw over TCP."),
        "udp": ("bool", False, "Serve raw over UDP."),
    },
    "netexec": {
        "delay-shutdown": ("int", 0, "Number of seconds to delay shutdown when receiving SIGTERM."),
        "http-override": ("string", "", "Override the HTTP handler to always respond as if it were "
                                        "a GET with this path & params"),
        "http-port": ("int", 8080, "HTTP Listen Port"),
        "sctp-port": ("int", -1, "SCTP Listen Port"),
        "tls-cert-file": ("string", "", "File containing an x509 certificate for HTTPS."),
        "tls-private-key-file": ("string", "", "File containing an x509 private key."),
        "udp-listen-addresses": ("string", "", "A comma separated list of ip addresses the udp "
                                               "servers listen from"),
        "udp-port": ("int", 8081, "UDP Listen Port"),
    },
    "pause": {
        "delay-shutdown": ("int", 0, "Number of seconds to delay shutdown when receiving "
                                     "SIGTERM/SIGINT."),
    },
    "liveness": {},
}
TRUE_WORDS = ("1", "t", "T", "true", "TRUE", "True")
BOOL_WORDS = TRUE_WORDS + ("0", "f", "F", "false", "FALSE", "False")


def fail(command: str, message: str) -> None:
    """Report a command-line error the way cobra does, and exit 1."""
    c.err(f"Error: {message}")
    c.err(usage(command))
    c.exit_now(1)


def usage(command: str) -> str:
    """A cobra-style usage text for one subcommand."""
    lines = ["Usage:", f"  agnhost {command} [flags]", "", "Flags:"]
    for name, (kind, default, text) in sorted(FLAGS[command].items()):
        shown = f' (default "{default}")' if kind == "string" and default else (
            f" (default {str(default).lower()})" if kind != "string" and default else "")
        lines.append(f"      --{name}{'' if kind == 'bool' else ' ' + kind}   {text}{shown}")
    lines.append(f"  -h, --help   help for {command}")
    return "\n".join(lines)


def parse_flags(command: str, args: list) -> dict:
    """Parse like spf13/pflag: --name=value, --name value, bare --name for booleans."""
    spec = FLAGS[command]
    values = {name: default for name, (_kind, default, _text) in spec.items()}
    operands, rest = [], list(args)
    while rest:  # each pass consumes at least one argument
        arg = rest.pop(0)
        if arg == "--":
            operands.extend(rest)
            break
        if arg in ("-h", "--help"):
            c.out(usage(command))
            c.exit_now(0)
        if not arg.startswith("-") or arg == "-":
            operands.append(arg)
            continue
        if not arg.startswith("--"):
            fail(command, f"unknown shorthand flag: '{arg[1]}' in {arg}")
        name, has_value, value = arg[2:].partition("=")
        if name not in spec:
            fail(command, f"unknown flag: --{name}")
        kind = spec[name][0]
        if kind == "bool":
            if has_value and value not in BOOL_WORDS:
                fail(command, f'invalid argument "{value}" for "--{name}" flag: '
                              f'strconv.ParseBool: parsing "{value}": invalid syntax')
            values[name] = not has_value or value in TRUE_WORDS
            continue
        if not has_value:
            if not rest:
                fail(command, f"flag needs an argument: --{name}")
            value = rest.pop(0)
        if kind == "int":
            try:
                values[name] = int(value)
            except ValueError:
                fail(command, f'invalid argument "{value}" for "--{name}" flag: '
                              f'strconv.ParseInt: parsing "{value}": invalid syntax')
        else:
            values[name] = value
    if operands:
        fail(command, f"accepts at most 0 arg(s), received {len(operands)}")
    return values


def listen_or_die(port: int, what: str = "") -> object:
    """Bind a TCP port; on failure log like Go's log.Fatal(err) and exit 1."""
    try:
        return c.listen_tcp(c.BIND_HOST, port)
    except OSError as exc:
        c.go_log(f"{what}listen tcp :{port}: bind: {c.go_errno(exc)}")
        c.exit_now(1)


def serve_hostname(flags: dict) -> None:
    """`agnhost serve-hostname`: the pod's name, over HTTP (default), raw TCP or UDP."""
    port, name = flags["port"], c.hostname()
    if flags["http"] and (flags["tcp"] or flags["udp"]):
        c.go_log("Can't server TCP/UDP mode and HTTP mode at the same time")
        c.exit_now(1)
    if flags["tcp"]:
        raw = listen_or_die(port, "Error from net.Listen(): ")

        def answer_tcp(conn, addr):
            c.go_log(f"TCP request from {addr[0]}:{addr[1]}")
            conn.sendall(name.encode())

        c.serve_tcp(raw, answer_tcp)
    if flags["udp"]:
        try:
            udp = c.bind_udp(c.BIND_HOST, port)
        except OSError as exc:
            c.go_log(f"Error from ListenUDP(): listen udp :{port}: bind: {c.go_errno(exc)}")
            c.exit_now(1)

        def answer_udp(_data, addr):
            c.go_log(f"UDP request from {addr[0]}:{addr[1]}")
            return name.encode()

        c.serve_udp(udp, answer_udp)
    if flags["http"]:
        def answer_http(req):
            c.go_log(f"HTTP request from {req.client_addr}")
            return go_response(200, name, [("Connection", "close")] if flags["close"] else [])

        serve_http(listen_or_die(port), answer_http, echo_version=True)
    c.go_log(f"Serving on port {port}.")

    def on_term(_signum):
        # serve-hostname keeps running after SIGTERM until the kubelet kills it.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        c.go_log("Shutting down after receiving signal: terminated.")
        c.go_log("Awaiting pod deletion.")
        time.sleep(60)
        c.exit_now(0)

    c.on_signals(on_term, signal.SIGTERM)
    c.signal_ready()
    c.wait_forever()


def pause(flags: dict) -> None:
    """`agnhost pause`: wait for SIGINT (exit 1) or SIGTERM (exit 2)."""
    c.out("Paused")

    def on_signal(signum):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        code = 1 if signum == signal.SIGINT else 2
        if flags["delay-shutdown"] > 0:
            sys.stdout.write(f"Sleeping {flags['delay-shutdown']} seconds before exit ...")
            time.sleep(flags["delay-shutdown"])
        c.out(f"exiting {code}")
        c.exit_now(code)

    c.on_signals(on_signal, signal.SIGTERM, signal.SIGINT)
    c.signal_ready()
    c.wait_forever()


def liveness(_flags: dict) -> None:
    """`agnhost liveness`: /healthz is healthy for 10 seconds, then answers 500."""
    started = time.monotonic()

    def handle(req):
        age = time.monotonic() - started
        if req.path == "/started":
            return go_response(200, c.go_duration(age))
        if req.path == "/healthz":
            return go_response(500, f"error: {age!r}") if age > 10 else go_response(200, "ok")
        if req.path == "/redirect":
            location = req.param("loc")
            return go_response(302, f'<a href="{location}">Found</a>.\n\n',
                               [("Location", location),
                                ("Content-Type", "text/html; charset=utf-8")])
        return go_error(404, "404 page not found")

    serve_http(listen_or_die(8080), handle, echo_version=True)
    c.signal_ready()  # no SIGTERM handler: like the Go program, the signal kills it
    c.wait_forever()


def main(argv: list) -> None:
    """Dispatch to the subcommand, as agnhost's cobra root command does."""
    c.setup_streams()
    if not argv or argv[0] in ("-h", "--help", "help"):
        c.out("agnhost: a tool for testing Kubernetes (k8slab emulates serve-hostname, netexec, "
              "pause, liveness)\n\nUsage:\n  agnhost [command]\n\nAvailable Commands:\n  "
              + "\n  ".join(REAL_SUBCOMMANDS))
        c.exit_now(0)
    command, args = argv[0], argv[1:]
    if command not in REAL_SUBCOMMANDS:
        c.err(f'Error: unknown command "{command}" for "agnhost"')
        c.err("Run 'agnhost --help' for usage.")
        c.exit_now(1)
    if command not in FLAGS:
        c.err(f'Error: k8slab does not emulate "agnhost {command}" (it emulates serve-hostname, '
              "netexec, pause and liveness)")
        c.exit_now(1)
    flags = parse_flags(command, args)
    if command == "netexec":
        import _netexec  # only netexec needs its larger module

        _netexec.run(flags)
    else:
        {"serve-hostname": serve_hostname, "pause": pause, "liveness": liveness}[command](flags)


if __name__ == "__main__":
    main(sys.argv[1:])
