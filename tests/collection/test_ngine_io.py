"""CloudStack playbooks keep working: the ngine_io.cloudstack collection as the `ansible`
community package on PyPI ships it runs tests/collection/ngine_io/cloudstack.yml, unchanged,
against the package's live server.

The package goes into a virtual environment of its own (with the `cs` library its modules
use) in a cache directory, so only the first run on a machine pays for the download and
install (a couple of minutes); later runs find it ready.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from tests.support import datacenter
from tests.support.cloud import Cloud

# The last `ansible` release that bundles ngine_io.cloudstack (2.5.0); its ansible-core
# (2.19) runs on this Python.  cs: the release the rest of the test suite uses.
ANSIBLE_PACKAGE = "ansible==12.3.0"
NGINE_IO_VERSION = "2.5.0"
CS_PACKAGE = f"cs=={metadata.version('cs')}"
CACHE = Path(os.path.expanduser("~")) / ".cache" / "cirrus-tests" / "ngine-io"
HERE = Path(__file__).resolve().parent
PLAYBOOK = HERE / "ngine_io" / "cloudstack.yml"


def venv_dir() -> Path:
    name = f"{ANSIBLE_PACKAGE}-{CS_PACKAGE}-py{sys.version_info.major}.{sys.version_info.minor}"
    return CACHE / name.replace("==", "-")


def ensure_venv() -> Path:
    """The cached environment, made (under a lock, so parallel runs wait) when missing or
    left half-made by an interrupted run."""
    target = venv_dir()
    ready = target / ".ready"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            shutil.rmtree(target, ignore_errors=True)
            # The base interpreter, not this virtual environment's.
            base = getattr(sys, "_base_executable", sys.executable)
            subprocess.run([base, "-m", "venv", str(target)], check=True,
                           capture_output=True, timeout=300)
            done = subprocess.run(
                [str(target / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", ANSIBLE_PACKAGE, CS_PACKAGE],
                capture_output=True, text=True, timeout=1500)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            ready.write_text(f"{ANSIBLE_PACKAGE} {CS_PACKAGE}\n")
    return target


def collection_version(venv: Path) -> str:
    (manifest,) = venv.glob("lib/python*/site-packages/ansible_collections/ngine_io/"
                            "cloudstack/MANIFEST.json")
    version: str = json.loads(manifest.read_text())["collection_info"]["version"]
    return version


@pytest.fixture(scope="module")
def ngine_io() -> Path:
    return ensure_venv()


@pytest.fixture(scope="module")
def played(cirrus: Cloud, ngine_io: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[subprocess.CompletedProcess[str], dict[str, Any]]]:
    ids = datacenter.build(cirrus)
    workdir = tmp_path_factory.mktemp("ngine-io")
    record = workdir / "results.json"
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("CIRRUS_", "CLOUDSTACK_", "ANSIBLE_", "VIRTUAL_ENV"))}
    env = dict(clean, CLOUDSTACK_ENDPOINT=cirrus.endpoint, CLOUDSTACK_KEY=cirrus.admin_key,
               CLOUDSTACK_SECRET=cirrus.admin_secret, ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOME=str(workdir / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"), ANSIBLE_PIPELINING="1",
               ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="record_results", RECORD_RESULTS_PATH=str(record),
               PATH=f"{ngine_io / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    extra = {"ansible_python_interpreter": str(ngine_io / "bin" / "python"),
             "zone": datacenter.ZONE, "template": datacenter.TEMPLATE}
    done = subprocess.run(
        [str(ngine_io / "bin" / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "--extra-vars", json.dumps(extra), str(PLAYBOOK)],
        capture_output=True, text=True, env=env, timeout=600, cwd=workdir)
    results = json.loads(record.read_text()).get("localhost", {}) if record.exists() else {}
    yield done, results
    # Whatever a failed run left behind goes, so other tests see a clean zone.
    for vm in cirrus.admin.listVirtualMachines(zoneid=ids[datacenter.ZONE], name="ngine-vm",
                                               listall=True).get("virtualmachine", []):
        cirrus.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_the_package_ships_ngine_io(ngine_io: Path) -> None:
    assert collection_version(ngine_io) == NGINE_IO_VERSION


def test_the_playbook_runs_unchanged(played: Any) -> None:
    done, results = played
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "failed=0" in done.stdout.split("PLAY RECAP")[-1]
    assert results, done.stdout[-3000:]


def test_creations_change_and_repeats_do_not(played: Any) -> None:
    _, results = played
    for step in ("domain", "account", "offering", "instance", "public IP", "port forward",
                 "port forward removed", "public IP released", "instance destroyed",
                 "offering removed"):
        assert results[step]["status"] == "ok" and results[step]["changed"] is True, \
            (step, results[step])
    for step in ("domain again", "account again", "offering again", "instance again",
                 "port forward again", "port forward removed again",
                 "instance destroyed again", "offering removed again"):
        assert results[step]["status"] == "ok" and results[step]["changed"] is False, \
            (step, results[step])


def test_what_ngine_io_saw(cirrus: Cloud, played: Any) -> None:
    _, results = played
    assert results["domain"]["path"] == "ROOT/ngine"
    assert results["account"]["account_type"] == "user"
    assert results["offering"]["memory"] == 512
    instance = results["instance"]
    assert instance["state"] == "Running" and instance["default_ip"]
    assert instance["service_offering"] == "ngine-small"
    assert instance["template"] == datacenter.TEMPLATE
    ip = results["public IP"]["ip_address"]
    forward = results["port forward"]
    assert (forward["ip_address"], forward["public_port"], forward["private_port"]) == \
        (ip, 2222, 22)
    assert forward["vm_name"] == "ngine-vm" and forward["vm_guest_ip"] == \
        instance["default_ip"]
    (listed,) = results["instance info"]["instances"]
    assert listed["id"] == instance["id"]
    # The instance, its rule and the address are gone from the server.
    admin = cirrus.admin
    assert admin.listVirtualMachines(name="ngine-vm", listall=True).get(
        "virtualmachine", []) == []
    assert admin.listPublicIpAddresses(ipaddress=ip, listall=True).get(
        "publicipaddress", []) == []
    assert not [rule for rule in admin.listPortForwardingRules(listall=True).get(
        "portforwardingrule", []) if rule.get("ipaddress") == ip]
