"""The collection builds with `ansible-galaxy collection build` and passes `ansible-test
sanity` (every test ansible-core runs on a collection: compile, import, pep8, pylint,
validate-modules, ansible-doc, yamllint, runtime-metadata, ...).

ansible-test needs the collection at .../ansible_collections/cirrus/cloud and, outside a
git checkout of its own, looks at every file there: the test copies it into a temporary
tree.  Its sanity tests run in virtual environments it makes itself, bootstrapping pip
with a script it downloads from a host this machine cannot reach (only package registries
are reachable); the test gives it a stand-in script that takes pip from the interpreter's
ensurepip and the test requirements from the configured package index.  The environments
are kept in a cache directory, so only the first run on a machine pays for them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.support.module_scenarios import COLLECTION

BIN = os.path.dirname(sys.executable)
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "cirrus-tests", "ansible-test")
PIP_VERSION = "24.2"  # what ansible-core 2.19's ansible-test bootstraps
BOOTSTRAP = '''\
"""Stand-in for ansible-test's get-pip bootstrap script (written by the Cirrus tests)."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")
        and not a.startswith("pip==")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
if [a for a in args if not a.startswith("-")]:
    subprocess.check_call([sys.executable, "-m", "pip", "install", *args])
'''


def copy_collection(root: Path) -> Path:
    target = root / "ansible_collections" / "cirrus" / "cloud"
    shutil.copytree(COLLECTION, target, ignore=shutil.ignore_patterns(
        "__pycache__", "*.pyc", "output", "*.tar.gz"))
    return target


def test_the_collection_builds(tmp_path: Path) -> None:
    done = subprocess.run([os.path.join(BIN, "ansible-galaxy"), "collection", "build",
                           COLLECTION, "--output-path", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (archive,) = tmp_path.glob("cirrus-cloud-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("MANIFEST.json"))  # type: ignore[arg-type]
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"]) == ("cirrus", "cloud")
    assert {"plugins/modules/zone.py", "plugins/module_utils/api.py", "meta/runtime.yml",
            "plugins/doc_fragments/cirrus.py", "README.md"} <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_ansible_test_sanity_passes(tmp_path: Path) -> None:
    collection = copy_collection(tmp_path)
    home = Path(CACHE)
    script = home / ".ansible" / "test" / "cache" / f"get_pip_{PIP_VERSION.replace('.', '_')}.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(BOOTSTRAP)
    env = dict(os.environ, HOME=str(home), ANSIBLE_NOCOLOR="1",
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    done = subprocess.run([os.path.join(BIN, "ansible-test"), "sanity", "--python", python,
                           "--color", "no"],
                          cwd=collection, capture_output=True, text=True, env=env,
                          timeout=1200)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    ran = {line.split('"')[1] for line in output.splitlines()
           if line.startswith("Running sanity test")}
    assert {"validate-modules", "pylint", "pep8", "import", "compile", "ansible-doc",
            "yamllint", "runtime-metadata"} <= ran, ran
