"""kubectl edit in a real cluster, with a script as the learner's editor (EDITOR works in batch mode too)."""

from __future__ import annotations

import os
import re
import sys

import pytest

from tests.conftest import run_k8slab

pytestmark = pytest.mark.integration

# The "learner": what it does depends on the Service it is shown, and on whether the file came back
# with kubectl's "was not valid" header.
EDITOR = '''
import re, sys
path = sys.argv[-1]
text = open(path).read()
name = re.search(r"^  name: (\\S+)$", text, re.M).group(1)
reopened = "was not valid" in text
if name == "web":
    text = text.replace("- port: 80\\n", "- port: 8080\\n")
elif name == "bad":
    text = text.replace("- port: 0\\n", "- port: 8082\\n") if reopened else text.replace("- port: 80\\n", "- port: 0\\n")
elif name == "worse" and not reopened:
    text = text.replace("- port: 80\\n", "- port: 0\\n")
open(path, "w").write(text)
'''


def test_edit_saves_cancels_reopens_and_gives_up(tmp_path):
    script = tmp_path / "editor.py"
    script.write_text(f"#!{sys.executable}\n{EDITOR}")
    script.chmod(0o755)
    lines = ["kubectl run web --image=nginx --labels=app=web", "kubectl run client --image=busybox -- sleep 600"]
    lines += [f"kubectl expose pod web --port=80 --name={name}" for name in ("web", "db", "bad", "worse")]
    lines += ["kubectl wait --for=condition=Ready pod/web pod/client",
              "kubectl edit svc web", "kubectl edit service/db", "kubectl edit svc bad", "kubectl edit svc worse",
              "kubectl get svc",
              "kubectl exec client -- sh -c 'for i in $(seq 20); do curl -sf -m 1 http://web:8080/ && break; sleep 0.5; done'"]
    p = run_k8slab("\n".join(lines) + "\n", args=("--keep-going",), env={"EDITOR": str(script)}, timeout=180)
    kept = re.search(r'^A copy of your changes has been stored to "(/[^"]+)"$', p.stderr, re.M)
    try:
        assert p.returncode == 1, p.stderr  # `worse` was given up
        assert "service/web edited\n" in p.stdout and "service/bad edited\n" in p.stdout
        assert "Edit cancelled, no changes made.\n" in p.stderr  # db: saved as shown
        assert 'error: services "bad" is invalid\n' in p.stderr
        assert p.stderr.count('is invalid\n') == 2  # bad, then worse, each refused once
        assert kept and os.path.basename(kept.group(1)).startswith("kubectl-edit-")
        assert p.stderr.rstrip().endswith("error: Edit cancelled, no valid changes were saved."), p.stderr
        assert "- port: 0" in open(kept.group(1)).read()  # the learner's rejected text is kept for them
        for name, ports in (("web", "8080/TCP"), ("db", "80/TCP"), ("bad", "8082/TCP"), ("worse", "80/TCP")):
            assert re.search(rf"^{name}\s+ClusterIP\s+10\.\S+\s+<none>\s+{ports}\s", p.stdout, re.M), (name, p.stdout)
        assert "<h1>Welcome to nginx!</h1>" in p.stdout  # kube-proxy follows the edited port
    finally:
        if kept:
            os.remove(kept.group(1))
