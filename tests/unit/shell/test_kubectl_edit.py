"""kubectl edit: the editor loop against a light session, with scripts standing in for the learner's editor."""

from __future__ import annotations

import re
import signal
import sys
import textwrap

import pytest

from k8slab.errors import UserError
from k8slab.shell.editor import editor_command
from tests.unit.shell.light_session import light_session

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
"""


@pytest.fixture
def session(monkeypatch, tmp_path):
    monkeypatch.delenv("KUBE_EDITOR", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the edit files land here, where the test can see them
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    s = light_session()
    assert s.execute("kubectl apply -f -", stdin=SERVICE).exit_code == 0
    return s


def editor(monkeypatch, tmp_path, body: str, variable: str = "EDITOR") -> str:
    """Make a Python script the editor: it gets the file's path as `path` and its text as `text`."""
    script = tmp_path / "editor.py"
    script.write_text(f"#!{sys.executable}\nimport os, sys\npath = sys.argv[-1]\ntext = open(path).read()\n"
                      + textwrap.dedent(body))
    script.chmod(0o755)
    monkeypatch.setenv(variable, str(script))
    return str(script)


def port(session) -> int:
    return session.cluster.store.get("Service", "web", "default").spec.ports[0].port


def leftovers(tmp_path) -> list:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("kubectl-edit-"))


def test_a_saved_change_is_sent_and_the_file_removed(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        assert text.startswith("# Please edit the object below. Lines beginning with a '#' will be ignored,\\n")
        assert os.path.basename(path).startswith("kubectl-edit-") and path.endswith(".yaml")
        open(path, "w").write(text.replace("port: 80", "port: 8080"))
    """)
    r = session.execute("kubectl edit svc web")
    assert (r.lines, r.exit_code) == ([("out", "service/web edited")], 0)
    assert port(session) == 8080
    assert leftovers(tmp_path) == []


def test_kind_slash_name_namespace_and_kube_editor_first(session, monkeypatch, tmp_path):
    monkeypatch.setenv("EDITOR", "false")
    editor(monkeypatch, tmp_path, """
        open(path, "w").write(text.replace("port: 80", "port: 81"))
    """, variable="KUBE_EDITOR")
    r = session.execute("kubectl edit service/web -n default")
    assert r.out == ["service/web edited"] and port(session) == 81


def test_unchanged_and_emptied_files_cancel_as_kubectl_does(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        open(path, "w").write(text.replace("  name: web", "  name: web  # a comment changes nothing"))
    """)
    r = session.execute("kubectl edit svc web")
    assert (r.lines, r.exit_code) == ([("err", "Edit cancelled, no changes made.")], 0)
    editor(monkeypatch, tmp_path, """
        open(path, "w").write("# only comments\\n\\n")
    """)
    r = session.execute("kubectl edit svc web")
    assert (r.lines, r.exit_code) == ([("err", "Edit cancelled, saved file was empty.")], 0)
    assert port(session) == 80 and leftovers(tmp_path) == []


FIX_ON_REOPEN = """
    if "was not valid" in text or "syntax error" in text:
        open(os.environ["SEEN"], "w").write(text)
        open(path, "w").write(text.replace("port: 0", "port: 8081").replace("port 8081", "port: 8081"))
    else:
        open(path, "w").write(text.replace("port: 80", "port: 0"))
"""


def test_an_invalid_object_reopens_with_the_apiservers_reasons(session, monkeypatch, tmp_path):
    monkeypatch.setenv("SEEN", str(tmp_path / "seen"))
    editor(monkeypatch, tmp_path, FIX_ON_REOPEN)
    r = session.execute("kubectl edit svc web")
    assert r.lines == [("error", 'error: services "web" is invalid'), ("out", "service/web edited")]
    assert r.exit_code == 0 and port(session) == 8081
    seen = (tmp_path / "seen").read_text()
    assert seen.startswith(
        "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
        "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
        "# reopened with the relevant failures.\n"
        "#\n"
        '# services "web" was not valid:\n'
        "# * spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n"
        "#\n"
        "apiVersion: v1\n")
    assert "port: 0\n" in seen  # the learner's text comes back as they saved it
    assert leftovers(tmp_path) == []


def test_saving_the_rejected_text_again_gives_up_and_keeps_a_copy(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        if "was not valid" not in text:
            open(path, "w").write(text.replace("port: 80", "port: 0"))
    """)
    r = session.execute("kubectl edit svc web")
    (kept,) = leftovers(tmp_path)
    assert r.lines == [("error", 'error: services "web" is invalid'),
                       ("err", f'A copy of your changes has been stored to "{tmp_path / kept}"'),
                       ("error", "error: Edit cancelled, no valid changes were saved.")]
    assert r.exit_code == 1 and port(session) == 80
    assert "port: 0" in (tmp_path / kept).read_text()


def test_immutable_fields_are_refused_by_the_store(session, monkeypatch, tmp_path):
    ip = session.cluster.store.get("Service", "web", "default").spec.cluster_ip
    monkeypatch.setenv("SEEN", str(tmp_path / "seen"))
    editor(monkeypatch, tmp_path, f"""
        if "was not valid" in text:
            open(os.environ["SEEN"], "w").write(text)
            open(path, "w").write(text.replace("10.96.0.99", "{ip}"))
        else:
            open(path, "w").write(text.replace("clusterIP: {ip}", "clusterIP: 10.96.0.99")
                                      .replace("- {ip}", "- 10.96.0.99"))
    """)
    r = session.execute("kubectl edit svc web")
    assert r.lines[0] == ("error", 'error: services "web" is invalid')
    # Put back as it was: the file matches what was first shown, so nothing is sent.
    assert r.lines[-1] == ("err", "Edit cancelled, no changes made.") and r.exit_code == 0
    assert "may not change once set" in (tmp_path / "seen").read_text()


def test_a_syntax_error_reopens_with_the_parse_error(session, monkeypatch, tmp_path):
    monkeypatch.setenv("SEEN", str(tmp_path / "seen"))
    editor(monkeypatch, tmp_path, """
        if "syntax error" in text:
            open(os.environ["SEEN"], "w").write(text)
            open(path, "w").write(text.replace("port: [80", "port: 8084"))
        else:
            open(path, "w").write(text.replace("port: 80", "port: [80"))
    """)
    r = session.execute("kubectl edit svc web")
    assert (r.lines, r.exit_code) == ([("out", "service/web edited")], 0)  # kubectl says nothing else
    assert port(session) == 8084
    head = (tmp_path / "seen").read_text().split("apiVersion:")[0]
    assert re.search(r"#\n# The edited file had a syntax error: error parsing edited-file: error converting YAML "
                     r"to JSON: yaml: line \d+, column \d+: did not find expected ',' or ']'\n#\n$", head), head


def test_changing_the_name_is_refused(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        open(path, "w").write(text.replace("  name: web", "  name: other"))
    """)
    r = session.execute("kubectl edit svc web")
    assert r.err[-1] == "error: At least one of apiVersion, kind and name was changed"
    assert r.err[0].startswith("A copy of your changes has been stored to")
    assert session.cluster.store.try_get("Service", "other", "default") is None


def test_another_namespace_is_refused(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        open(path, "w").write(text.replace("namespace: default", "namespace: dev"))
    """)
    r = session.execute("kubectl edit svc web")
    assert r.err[-1] == ('error: the namespace from the provided object "dev" does not match the namespace '
                         '"default". You must pass \'--namespace=dev\' to perform this operation.')


def test_json_has_no_header(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        assert path.endswith(".json") and text.startswith("{"), text[:80]
        open(path, "w").write(text.replace('"port": 80', '"port": 82'))
    """)
    r = session.execute("kubectl edit svc web -o json")
    assert r.out == ["service/web edited"] and port(session) == 82


def test_a_wrong_type_cannot_be_patched(session, monkeypatch, tmp_path):
    editor(monkeypatch, tmp_path, """
        open(path, "w").write(text.replace("port: 80", "port: eighty"))
    """)
    r = session.execute("kubectl edit svc web")
    assert r.exit_code == 1
    assert r.err[0].startswith('error: services "web" could not be patched: Service in version "v1" cannot be '
                               "handled as a Service")
    assert r.err[1].startswith("You can run `kubectl apply -f ") and port(session) == 80


@pytest.mark.parametrize("line,message", [
    ("kubectl edit", "error: you must provide one or more resources by argument or filename."),
    ("kubectl edit svc", "error: k8slab edits one object at a time"),
    ("kubectl edit svc nope", 'Error from server (NotFound): services "nope" not found'),
    ("kubectl edit podz web", 'error: the server doesn\'t have a resource type "podz"'),
    ("kubectl edit svc web -o wide", 'error: unable to match a printer suitable for the output format "wide", '
                                     "allowed formats are: json,yaml"),
])
def test_edit_errors(session, line, message):
    r = session.execute(line)
    assert r.exit_code == 1 and r.stderr.startswith(message), r.stderr


def test_editor_failures(session, monkeypatch, tmp_path):
    monkeypatch.setenv("EDITOR", "false")
    r = session.execute("kubectl edit svc web")
    assert r.err == ['error: there was a problem with the editor "false"'] and leftovers(tmp_path) == []
    monkeypatch.setenv("EDITOR", "no-such-editor")
    assert session.execute("kubectl edit svc web").err == ['error: unable to launch the editor "no-such-editor"']


def test_which_editor(tmp_path):
    assert editor_command({"KUBE_EDITOR": "nano", "EDITOR": "vi"}) == (["nano"], False)
    assert editor_command({"EDITOR": "code --wait", "SHELL": "/bin/bash"}) == (["/bin/bash", "-c", "code --wait"], True)
    (tmp_path / "nano").write_text("#!/bin/sh\n")
    (tmp_path / "nano").chmod(0o755)
    assert editor_command({"PATH": str(tmp_path)}) == (["nano"], False)  # no vi there: the next one
    with pytest.raises(UserError, match="no editor found: k8slab looked for vi and nano; set KUBE_EDITOR or EDITOR"):
        editor_command({"PATH": "/nonexistent"})


def test_ctrl_c_in_the_editor_belongs_to_the_editor(session, monkeypatch, tmp_path):
    before = signal.getsignal(signal.SIGINT)
    editor(monkeypatch, tmp_path, """
        import signal, time
        time.sleep(0.3)  # k8slab ignores SIGINT once the editor is running
        os.kill(os.getppid(), signal.SIGINT)
        open(path, "w").write(text.replace("port: 80", "port: 83"))
    """)
    r = session.execute("kubectl edit svc web")
    assert r.out == ["service/web edited"] and port(session) == 83
    assert signal.getsignal(signal.SIGINT) is before


def test_header_comments_every_line_of_a_reason():
    from k8slab.shell.kubectl.editfile import HEADER, Reason, header

    assert header([]) == HEADER
    assert header([Reason('services "web" was not valid', ("spec.ports[0].port: Invalid value: 0: must be between",
                                                             "spec.type: Unsupported value: \"X\"")),
                   Reason("The edited file had a syntax error: a\nb\n#c")]) == HEADER + (
        '# services "web" was not valid:\n'
        "# * spec.ports[0].port: Invalid value: 0: must be between\n"
        '# * spec.type: Unsupported value: "X"\n'
        "#\n"
        "# The edited file had a syntax error: a\n# b\n#c\n"
        "#\n")


def test_comparing_saves_as_kubectl_does():
    from k8slab.shell.kubectl.editfile import has_lines, manual_strip, strip_comments

    assert manual_strip("# a\nkind: Pod\n  # b\n#!keep\nx: 1") == "kind: Pod\n#!keep\nx: 1"
    assert manual_strip("a: 1\n# last") == "a: 1\n"
    assert strip_comments("# c\na: 1\nb: [2]\n") == strip_comments("b:\n- 2\na: 1  # same data\n")
    assert strip_comments("a: [1\n# x\n") == ("text", "a: [1\n")
    assert not has_lines("# only\n\n   \n  # comments\n") and has_lines("# c\nx\n")
