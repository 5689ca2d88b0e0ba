"""Table tests of the image catalogue: parse_image and plan_container (pure)."""

from __future__ import annotations

import os

import pytest

from k8slab.runtime.catalogue import (
    SERVERS_DIR,
    ContainerPlan,
    ImageRef,
    InvalidImageName,
    kubernetes_argv,
    parse_image,
    plan_container,
)

PY = "/opt/py/bin/python3"
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"


def srv(script, *args):
    return (PY, "-I", "-S", os.path.join(SERVERS_DIR, script), *args)


@pytest.mark.parametrize("ref, registry, repository, tag, digest, name", [
    ("nginx", "docker.io", "library/nginx", "latest", None, "nginx"),
    ("nginx:stable", "docker.io", "library/nginx", "stable", None, "nginx"),
    ("nginx:1.25-alpine", "docker.io", "library/nginx", "1.25-alpine", None, "nginx"),
    ("docker.io/library/nginx:latest", "docker.io", "library/nginx", "latest", None, "nginx"),
    ("index.docker.io/library/httpd", "docker.io", "library/httpd", "latest", None, "httpd"),
    ("busybox:1.28", "docker.io", "library/busybox", "1.28", None, "busybox"),
    ("curlimages/curl", "docker.io", "curlimages/curl", "latest", None, "curl"),
    ("nicolaka/netshoot", "docker.io", "nicolaka/netshoot", "latest", None, "netshoot"),
    (AGNHOST, "registry.k8s.io", "e2e-test-images/agnhost", "2.39", None, "agnhost"),
    ("k8s.gcr.io/e2e-test-images/agnhost:2.32", "k8s.gcr.io", "e2e-test-images/agnhost", "2.32",
     None, "agnhost"),
    ("registry.k8s.io/pause:3.9", "registry.k8s.io", "pause", "3.9", None, "pause"),
    ("localhost:5000/team/app:v1", "localhost:5000", "team/app", "v1", None, "app"),
    ("localhost/app", "localhost", "app", "latest", None, "app"),
    ("python:3.11", "docker.io", "library/python", "3.11", None, "python"),
    ("nginx@sha256:" + "ab" * 32, "docker.io", "library/nginx", None, "sha256:" + "ab" * 32,
     "nginx"),
    ("nginx:1.27@sha256:" + "0f" * 32, "docker.io", "library/nginx", "1.27",
     "sha256:" + "0f" * 32, "nginx"),
])
def test_parse_image(ref, registry, repository, tag, digest, name):
    parsed = parse_image(ref)
    assert parsed == ImageRef(registry, repository, tag, digest)
    assert parsed.name == name


def test_image_ref_str_is_the_normalised_reference():
    assert str(parse_image("nginx")) == "docker.io/library/nginx:latest"
    assert str(parse_image("registry.k8s.io/pause:3.9")) == "registry.k8s.io/pause:3.9"


@pytest.mark.parametrize("ref, detail", [
    ("Nginx", "repository name (library/Nginx) must be lowercase"),
    ("", ""),
    ("nginx:", ""),
    ("nginx::1", ""),
    ("nginx@sha256:abc", ""),
    ("ngi nx", ""),
    (" nginx", ""),
    ("-nginx", ""),
    ("nginx:" + "x" * 129, ""),
])
def test_parse_image_rejects_what_containerd_rejects(ref, detail):
    with pytest.raises(InvalidImageName) as info:
        parse_image(ref)
    message = str(info.value)
    assert message.startswith(f'couldn\'t parse image reference "{ref}": invalid reference format')
    assert detail in message
    assert info.value.reason == "InvalidImageName"


def test_plan_container_raises_for_an_invalid_image():
    with pytest.raises(InvalidImageName):
        plan_container("Busybox", ["sleep", "1"])


@pytest.mark.parametrize("entrypoint, cmd, command, args, expected", [
    (("/ep",), ("run",), (), (), ("/ep", "run")),
    (("/ep",), ("run",), (), ("x",), ("/ep", "x")),
    (("/ep",), ("run",), ("sh",), (), ("sh",)),  # command drops the image CMD too
    (("/ep",), ("run",), ("sh", "-c"), ("echo",), ("sh", "-c", "echo")),
    ((), ("sh",), (), ("sleep", "1"), ("sleep", "1")),
])
def test_kubernetes_argv_rules(entrypoint, cmd, command, args, expected):
    assert kubernetes_argv(entrypoint, cmd, command, args) == expected


NGINX_DEFAULT = srv("nginx.py", "--listen=80", "--entrypoint", "--", "-g", "daemon off;")

# image, command, args, ports -> argv, builtin, listens, notice fragment (None: no notice)
PLANS = [
    # nginx / httpd: the built-in web server, on the declared TCP ports or 80
    ("nginx", (), (), (), NGINX_DEFAULT, "nginx", ((80, "TCP"),), None),
    ("nginx:stable", (), (), [(80, "TCP")], NGINX_DEFAULT, "nginx", ((80, "TCP"),), None),
    ("docker.io/library/nginx:latest", (), (), [(8080, "TCP"), (9090, "tcp"), (53, "UDP")],
     srv("nginx.py", "--listen=8080", "--listen=9090", "--entrypoint", "--", "-g", "daemon off;"),
     "nginx", ((8080, "TCP"), (9090, "TCP")), None),
    ("nginx:1.25-alpine", ("nginx", "-g", "daemon off;"), (), (),
     srv("nginx.py", "--listen=80", "--", "-g", "daemon off;"), "nginx", ((80, "TCP"),), None),
    ("nginx", (), ("nginx-debug", "-g", "daemon off;"), (),
     srv("nginx.py", "--listen=80", "--entrypoint", "--", "-g", "daemon off;"), "nginx",
     ((80, "TCP"),), None),
    ("nginx", ("sh", "-c", "echo hi; sleep 5"), (), [(80, "TCP")],
     ("sh", "-c", "echo hi; sleep 5"), None, (), None),
    ("nginx", (), ("sleep", "10"), (), ("sleep", "10"), None, (), None),
    ("nginx@sha256:" + "ab" * 32, (), (), (), NGINX_DEFAULT, "nginx", ((80, "TCP"),), None),
    ("public.ecr.aws/docker/library/nginx:1.27", (), (), (), NGINX_DEFAULT, "nginx",
     ((80, "TCP"),), None),
    ("httpd", (), (), (), srv("httpd.py", "--listen=80", "--"), "httpd", ((80, "TCP"),), None),
    ("httpd:2.4", (), (), [(8080, "TCP")], srv("httpd.py", "--listen=8080", "--"), "httpd",
     ((8080, "TCP"),), None),
    ("httpd", ("httpd", "-DFOREGROUND"), (), (),
     srv("httpd.py", "--listen=80", "--", "-DFOREGROUND"), "httpd", ((80, "TCP"),), None),
    # shells: real host programs; with no command the image CMD runs (and exits without stdin)
    ("busybox", (), (), (), ("sh",), None, (), None),
    ("busybox:1.28", ("sleep", "3600"), (), (), ("sleep", "3600"), None, (), None),
    ("busybox", (), ("sleep", "3600"), (), ("sleep", "3600"), None, (), None),
    ("busybox", ("sh", "-c"), ("wget -qO- http://web",), (), ("sh", "-c", "wget -qO- http://web"),
     None, (), None),
    ("alpine", (), (), (), ("/bin/sh",), None, (), None),
    ("ubuntu", (), (), (), ("/bin/bash",), None, (), None),
    ("debian:12", (), (), (), ("bash",), None, (), None),
    ("nicolaka/netshoot", (), (), (), ("sh",), None, (), None),
    ("nicolaka/netshoot", ("nslookup", "web"), (), (), ("nslookup", "web"), None, (), None),
    ("python:3.11", (), (), (), (PY,), None, (), None),
    ("python:3.11", ("python", "-m", "http.server", "8000"), (), [(8000, "TCP")],
     (PY, "-m", "http.server", "8000"), None, (), None),
    ("python", ("python3.11", "-c", "print(1)"), (), (), (PY, "-c", "print(1)"), None, (), None),
    ("python", ("sh", "-c", "python3 x.py"), (), (), ("sh", "-c", "python3 x.py"), None, (), None),
    # curl: ENTRYPOINT curl, so args are curl's arguments
    ("curlimages/curl", (), ("-s", "http://web"), (), ("curl", "-s", "http://web"), None, (), None),
    ("curlimages/curl:8.5.0", (), ("web.default.svc:80",), (), ("curl", "web.default.svc:80"),
     None, (), None),
    ("curlimages/curl", (), ("my-service",), (), ("curl", "my-service"), None, (), None),
    ("curlimages/curl", (), ("sleep", "3600"), (), ("sleep", "3600"), None, (), None),
    ("curlimages/curl", (), (), (), ("curl",), None, (), None),
    ("curlimages/curl", ("curl", "-v", "http://web"), (), (), ("curl", "-v", "http://web"), None,
     (), None),
    # agnhost
    (AGNHOST, (), ("serve-hostname",), (), srv("agnhost.py", "serve-hostname"),
     "agnhost serve-hostname", ((9376, "TCP"),), None),
    (AGNHOST, (), ("serve-hostname", "--port", "8000"), [(9376, "TCP")],
     srv("agnhost.py", "serve-hostname", "--port", "8000"), "agnhost serve-hostname",
     ((8000, "TCP"),), None),
    (AGNHOST, (), ("serve-hostname", "--udp", "--http=false", "--port=53"), (),
     srv("agnhost.py", "serve-hostname", "--udp", "--http=false", "--port=53"),
     "agnhost serve-hostname", ((53, "UDP"),), None),
    (AGNHOST, (), ("serve-hostname", "--tcp", "--udp", "--http=false"), (),
     srv("agnhost.py", "serve-hostname", "--tcp", "--udp", "--http=false"),
     "agnhost serve-hostname", ((9376, "TCP"), (9376, "UDP")), None),
    (AGNHOST, (), ("serve-hostname", "--udp"), (), srv("agnhost.py", "serve-hostname", "--udp"),
     "agnhost serve-hostname", (), None),  # agnhost refuses --udp with HTTP on, and exits
    (AGNHOST, (), ("netexec",), (), srv("agnhost.py", "netexec"), "agnhost netexec",
     ((8080, "TCP"), (8081, "UDP")), None),
    (AGNHOST, ("/agnhost", "netexec", "--http-port=8080"), (), (),
     srv("agnhost.py", "netexec", "--http-port=8080"), "agnhost netexec",
     ((8080, "TCP"), (8081, "UDP")), None),
    ("k8s.gcr.io/e2e-test-images/agnhost:2.32", ("agnhost", "netexec"),
     ("--http-port", "9000", "--udp-port=-1"), (),
     srv("agnhost.py", "netexec", "--http-port", "9000", "--udp-port=-1"), "agnhost netexec",
     ((9000, "TCP"),), None),
    (AGNHOST, (), ("netexec", "--tls-cert-file=/localhost.crt"), (),
     srv("agnhost.py", "netexec", "--tls-cert-file=/localhost.crt"), "agnhost netexec",
     ((8080, "TCP"), (8081, "UDP")), "does not emulate agnhost netexec over HTTPS"),
    (AGNHOST, (), (), (), srv("agnhost.py", "pause"), "agnhost pause", (), None),
    (AGNHOST, (), ("pause",), (), srv("agnhost.py", "pause"), "agnhost pause", (), None),
    (AGNHOST, (), ("liveness",), (), srv("agnhost.py", "liveness"), "agnhost liveness",
     ((8080, "TCP"),), None),
    (AGNHOST, (), ("porter",), (), srv("agnhost.py", "porter"), "agnhost porter", (),
     'k8slab does not emulate "agnhost porter"'),
    (AGNHOST, ("sleep", "5"), (), (), ("sleep", "5"), None, (), None),
    # http-echo
    ("hashicorp/http-echo", (), ("-text=hello",), (), srv("http_echo.py", "-text=hello"),
     "http-echo", ((5678, "TCP"),), None),
    ("hashicorp/http-echo:1.0", (), ("-listen=:8080", "-text", "hi"), [(5678, "TCP")],
     srv("http_echo.py", "-listen=:8080", "-text", "hi"), "http-echo", ((8080, "TCP"),), None),
    ("hashicorp/http-echo", (), ("--listen", "127.0.0.1:9000", "-text=x"), (),
     srv("http_echo.py", "--listen", "127.0.0.1:9000", "-text=x"), "http-echo",
     ((9000, "TCP"),), None),
    ("hashicorp/http-echo", ("/http-echo",), ("-text=a",), (), srv("http_echo.py", "-text=a"),
     "http-echo", ((5678, "TCP"),), None),
    # pause
    ("registry.k8s.io/pause:3.9", (), (), (), srv("pause.py"), "pause", (), None),
    ("k8s.gcr.io/pause:3.2", (), (), [(80, "TCP")], srv("pause.py"), "pause", (), None),
    # unknown images
    ("foo/bar", ("sleep", "60"), ("x",), (), ("sleep", "60", "x"), None, (),
     'image "foo/bar" is not in k8slab\'s catalogue: running the command as given'),
    ("foo/bar", (), (), [(8080, "TCP")], srv("generic.py", "8080/TCP"), "generic",
     ((8080, "TCP"),),
     'image "foo/bar" is not in k8slab\'s catalogue: serving a generic HTTP server on port 8080'),
    ("example.com/team/app:v2", (), (), [(80, "TCP"), (8443, "TCP"), (53, "UDP"), (80, "TCP")],
     srv("generic.py", "80/TCP", "8443/TCP", "53/UDP"), "generic",
     ((80, "TCP"), (8443, "TCP"), (53, "UDP")),
     "a generic HTTP server on ports 80 and 8443 and a generic UDP responder on port 53"),
    ("foo/bar", (), (), (), srv("pause.py"), "pause", (),
     'image "foo/bar" is not in k8slab\'s catalogue and declares no ports'),
    ("foo/bar", (), ("serve", "--port=1"), (), ("serve", "--port=1"), None, (),
     "running its args as the command"),
    ("foo/bar", (), ("--port=8080",), [(8080, "TCP")], srv("generic.py", "8080/TCP"), "generic",
     ((8080, "TCP"),), "its args are ignored"),
]


@pytest.mark.parametrize("image, command, args, ports, argv, builtin, listens, notice", PLANS)
def test_plan_container(image, command, args, ports, argv, builtin, listens, notice):
    plan = plan_container(image, command, args, ports, python=PY)
    assert isinstance(plan, ContainerPlan)
    assert plan.image == image
    assert plan.argv == argv
    assert plan.builtin == builtin
    assert plan.listens == listens
    if notice is None:
        assert plan.notice is None
    else:
        assert notice in plan.notice


def test_builtin_scripts_exist_and_are_absolute():
    for image, command, args, ports, *_ in PLANS:
        plan = plan_container(image, command, args, ports, python=PY)
        if plan.builtin:
            script = plan.argv[3]
            assert os.path.isabs(script) and os.path.isfile(script), script


def test_plans_are_frozen_and_hashable():
    plan = plan_container("nginx", python=PY)
    with pytest.raises(Exception):
        plan.argv = ()
    assert hash(plan) == hash(plan_container("nginx", python=PY))


def test_default_python_is_the_running_interpreter():
    import sys

    assert plan_container("nginx").argv[0] == sys.executable
