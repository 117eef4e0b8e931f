"""Each role's molecule scenario (roles/<role>/molecule/default) against the lab hosts:
the delegated driver, no Docker; `molecule test` runs syntax, cleanup, (prepare,) converge,
idempotence, verify and cleanup. The inventory is written from the `lab_hosts` fixture."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.roles.molecule_inventory import lab_inventory

REPO = Path(__file__).resolve().parents[2]
ROLES = ["kvm_host", "guest_network", "primary_storage", "secondary_storage", "router_netns",
         "security_groups", "virtual_router"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def molecule_env(inventory: Path) -> dict[str, str]:
    bindir = os.path.dirname(sys.executable)
    env = {**os.environ, "CIRRUS_MOLECULE_INVENTORY": str(inventory), "NO_COLOR": "1",
           "ANSIBLE_FORCE_COLOR": "0", "PY_COLORS": "0",
           "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("ANSIBLE_CONFIG", None)
    return env


@pytest.fixture(scope="module")
def molecule_inventory(lab_hosts, tmp_path_factory) -> Path:  # noqa: F811
    path = tmp_path_factory.mktemp("molecule") / "lab.yml"
    path.write_text(yaml.safe_dump(lab_inventory(lab_hosts.hosts), sort_keys=False))
    return path


@pytest.mark.parametrize("role", ROLES)
def test_molecule_scenario(role: str, molecule_inventory: Path, tmp_path: Path) -> None:
    molecule = shutil.which("molecule", path=os.path.dirname(sys.executable))
    if molecule is None:
        pytest.skip("molecule is not installed (pip install -e '.[test]')")
    # A state directory of this run's own: molecule's default is keyed by the role's name
    # only, so a run killed earlier (any checkout) would leave "already prepared" behind.
    env = {**molecule_env(molecule_inventory),
           "MOLECULE_EPHEMERAL_DIRECTORY": str(tmp_path / "molecule-state")}
    result = subprocess.run([molecule, "test"], cwd=REPO / "roles" / role, env=env,
                            capture_output=True, text=True, timeout=900)
    output = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, f"molecule test of {role} failed:\n{output[-6000:]}"
    for step in ("converge", "idempotence", "verify"):
        assert re.search(rf"default (➜|>) {step}: Executed: Successful", output), \
            f"{role}: molecule did not run {step}:\n{output[-3000:]}"
