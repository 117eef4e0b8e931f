"""The only module that imports ansible_runner: one typed request in, callbacks out.

A run gets a private data dir of its own (inventory, extra vars, artifacts: stdout, the
event JSON files, rc, status) under $CIRRUS_HOME/automation/runs/<run id>/, kept after
the run with the job. Ansible is configured through environment variables, never a
repo-wide ansible.cfg: no host key prompts (known_hosts inside the data dir), Cirrus's own
SSH key, the repository's roles, no retry files, bounded forks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

EventHandler = Callable[[dict[str, Any]], bool]
StatusHandler = Callable[[dict[str, Any], Any], None]


@dataclass(frozen=True)
class RunRequest:
    """What to run: a playbook against an inventory, as ansible-runner takes it."""

    ident: str
    private_data_dir: str
    playbook: str
    inventory: Mapping[str, Any]
    extra_vars: Mapping[str, Any] = field(default_factory=dict)
    limit: Sequence[str] = ()
    check: bool = False
    diff: bool = True
    forks: int = 10
    timeout: int | None = None
    private_key: str | None = None
    roles_path: Sequence[str] = ()
    collections_path: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    # SSH ControlMaster sockets: a short path (sockets are limited to 108 bytes), shared
    # by the runs of one Cirrus home so consecutive runs reuse their connections.
    control_path_dir: str | None = None


def control_path_dir(home: str) -> str:
    """A short private directory for the SSH control sockets of one Cirrus home."""
    import hashlib
    import tempfile

    digest = hashlib.sha1(os.path.abspath(home).encode()).hexdigest()[:8]
    path = os.path.join(tempfile.gettempdir(), f"cirrus-cp-{os.getuid()}-{digest}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


@dataclass(frozen=True)
class RunOutcome:
    status: str  # successful, failed, timeout, canceled
    rc: int | None
    artifacts: str


def ansible_env(request: RunRequest) -> dict[str, str]:
    """ANSIBLE_* settings of a run (what an ansible.cfg would otherwise say)."""
    data = request.private_data_dir
    known_hosts = os.path.join(data, "known_hosts")
    ssh_args = ("-o ControlMaster=auto -o ControlPersist=60s "
                f"-o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking=no "
                "-o IdentitiesOnly=yes -o ConnectTimeout=10")
    env = {
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_SSH_ARGS": ssh_args,
        "ANSIBLE_SSH_CONTROL_PATH_DIR": request.control_path_dir or os.path.join(data, "cp"),
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_NOCOLOR": "True",
        "ANSIBLE_FORCE_COLOR": "False",
        "ANSIBLE_LOCAL_TEMP": os.path.join(data, "tmp"),
        "ANSIBLE_GATHERING": "explicit",
        "ANSIBLE_INTERPRETER_PYTHON": "auto_silent",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
        "ANSIBLE_SYSTEM_WARNINGS": "False",
        "ANSIBLE_COMMAND_WARNINGS": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_PIPELINING": "True",
        "ANSIBLE_TIMEOUT": "10",
        # The runner's own Python runs ansible-playbook; keep any user ansible.cfg out.
        "ANSIBLE_CONFIG": os.path.join(data, "ansible.cfg"),
    }
    if request.private_key:
        env["ANSIBLE_PRIVATE_KEY_FILE"] = request.private_key
    if request.roles_path:
        env["ANSIBLE_ROLES_PATH"] = os.pathsep.join(request.roles_path)
    if request.collections_path:
        env["ANSIBLE_COLLECTIONS_PATH"] = os.pathsep.join(request.collections_path)
    env.update(request.env)
    return env


def prepare(request: RunRequest) -> dict[str, str]:
    """Write the data dir: inventory file, empty ansible.cfg; returns the environment."""
    data = request.private_data_dir
    for sub in ("inventory", "env", "tmp") if request.control_path_dir else (
            "inventory", "env", "tmp", "cp"):
        os.makedirs(os.path.join(data, sub), mode=0o700, exist_ok=True)
    with open(os.path.join(data, "inventory", "hosts.yml"), "w") as handle:
        yaml.safe_dump(dict(request.inventory), handle, default_flow_style=False)
    with open(os.path.join(data, "ansible.cfg"), "w") as handle:
        handle.write("# settings come from ANSIBLE_* variables (appliance/automation/runner.py)\n"
                     "[defaults]\n")
    return ansible_env(request)


def execute(request: RunRequest, *, event_handler: EventHandler,
            status_handler: StatusHandler,
            cancel: Callable[[], bool] | None = None) -> RunOutcome:
    """Run the playbook to its end, reporting through the handlers."""
    import ansible_runner

    env = prepare(request)
    # ansible-runner finds ansible-playbook on PATH: prefer the one beside this Python.
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    cmdline = []
    if request.check:
        cmdline.append("--check")
    if request.diff:
        cmdline.append("--diff")
    runner = ansible_runner.run(
        private_data_dir=request.private_data_dir,
        ident=request.ident,
        playbook=request.playbook,
        inventory=os.path.join(request.private_data_dir, "inventory", "hosts.yml"),
        extravars=dict(request.extra_vars),
        limit=",".join(request.limit) if request.limit else None,
        forks=request.forks,
        cmdline=" ".join(cmdline) or None,
        envvars=env,
        timeout=request.timeout,
        quiet=True,
        event_handler=event_handler,
        status_handler=status_handler,
        cancel_callback=cancel or (lambda: False),
        settings={"suppress_ansible_output": True},
    )
    artifacts = os.path.join(request.private_data_dir, "artifacts", request.ident)
    return RunOutcome(status=str(runner.status), rc=runner.rc, artifacts=artifacts)
