"""Lifecycle scenarios of the cirrus.cloud modules, run by real `ansible-playbook` against a
live server: the playbook they make, the run, and what each step must have reported.

A scenario takes one module through check-mode create (nothing made) → create → create
again (unchanged) → check-mode update with its diff → update → the _info module showing
the new values → its own steps → check-mode remove → remove → remove again (unchanged).
Chains of scenarios and plain steps run as inventory hosts of one play (strategy free, so
chains proceed in parallel); a test-only callback records every task's result.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(REPO, "collections")
COLLECTION = os.path.join(COLLECTIONS, "ansible_collections", "cirrus", "cloud")
CALLBACKS = os.path.join(REPO, "tests", "collection", "callback_plugins")

Results = dict[str, dict[str, Any]]  # inventory host -> task name -> result


class _Any:
    """Equal to every value (a size the server chose)."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0


ANY = _Any()


@dataclass
class Step:
    name: str
    options: dict[str, Any]
    changed: bool = True
    fails_with: str | None = None  # text the failure message must contain
    errorcode: int | None = None
    register: str | None = None  # a variable for later tasks' options
    retry: bool = False  # until it succeeds (what it needs is made in the background)

    def extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"ignore_errors": True} if self.fails_with else {}
        if self.register:
            extra["register"] = self.register
        if self.retry:
            extra.update(register="_retried", until="_retried is succeeded", retries=30,
                         delay=1)
        return extra


@dataclass
class Scenario:
    module: str
    ident: dict[str, Any]
    create: dict[str, Any]
    update: dict[str, Any]
    info: tuple[str, dict[str, Any]]
    shows: dict[str, tuple[Any, Any]]  # info key -> (after create, after update)
    steps: list[Step] = field(default_factory=list)
    remove: dict[str, Any] = field(default_factory=lambda: {"state": "absent"})
    again_module: str | None = None  # the module name the create-again step uses
    preexisting: bool = False  # a setting or limit: "create" changes what is there
    label: str | None = None  # names the tasks when one chain has two of a module
    register: str | None = None  # the create task's result, for later tasks' options
    after: list[Step] = field(default_factory=list)  # steps after the removal

    @property
    def name(self) -> str:
        return self.label or self.module

    def options(self, *parts: dict[str, Any]) -> dict[str, Any]:
        merged = dict(self.ident)
        for part in parts:
            merged.update(part)
        return merged


Chains = dict[str, list[Scenario | Step]]  # inventory host -> what it runs, in order


def task(name: str, module: str, options: dict[str, Any], **extra: Any) -> dict[str, Any]:
    options = {k: v for k, v in options.items() if v is not None}
    return {"name": name, f"cirrus.cloud.{module}": options, **extra}


def scenario_tasks(s: Scenario) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The setup tasks of a scenario, and its teardown tasks."""
    m, n = s.module, s.name
    present = s.options(s.create)
    updated = s.options(s.create, s.update)
    registered = {"register": s.register} if s.register else {}
    setup = [
        task(f"{n}: create in check mode", m, present, check_mode=True, diff=True),
        task(f"{n}: create", m, present, **registered),
        task(f"{n}: create again", s.again_module or m, present),
    ]
    if s.update:
        setup += [
            task(f"{n}: update in check mode", m, updated, check_mode=True, diff=True),
            task(f"{n}: update", m, updated),
        ]
    setup.append(task(f"{n}: info", s.info[0], s.info[1]))
    for step in s.steps:
        setup.append(task(f"{n}: {step.name}", m, step.options, **step.extra()))
    removed = s.options(s.remove)
    teardown = [
        task(f"{n}: remove in check mode", m, removed, check_mode=True, diff=True),
        task(f"{n}: remove", m, removed),
        task(f"{n}: remove again", m, removed),
    ]
    teardown += [task(f"{n}: {step.name}", m, step.options, **step.extra())
                 for step in s.after]
    return setup, teardown


def chain_tasks(host: str, chain: list[Scenario | Step]
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A chain's tasks that build (scenarios in order, with the plain steps among them) and
    those that tear down (scenarios in reverse, then the plain steps that remove)."""
    setup: list[dict[str, Any]] = []
    teardown: list[dict[str, Any]] = []
    final: list[dict[str, Any]] = []  # plain steps that remove what others used
    for item in chain:
        if isinstance(item, Step):
            options = dict(item.options)
            module = options.pop("module")
            removing = options.get("state") in ("absent", "expunged")
            (final if removing else setup).append(
                task(f"{host}: {item.name}", module, options, **item.extra()))
            continue
        first, last = scenario_tasks(item)
        setup += first
        teardown = last + teardown
    return setup, teardown + final


def write_play(workdir: str, name: str, tasks: dict[str, list[dict[str, Any]]], *,
               endpoint: str, key: str, secret: str, job_timeout: int = 60,
               request_timeout: int = 120) -> None:
    """`<name>.yml`: each inventory host runs its own task list (`<name>-<host>.yml`), the
    cirrus.cloud modules connected to `endpoint`; and the inventory."""
    for host, listed in tasks.items():
        with open(os.path.join(workdir, f"{name}-{host}.yml"), "w") as handle:
            yaml.safe_dump(listed, handle, sort_keys=False)
    play = [{
        "name": "cirrus.cloud modules against a live server",
        "hosts": "all", "gather_facts": False, "strategy": "free",
        "module_defaults": {"group/cirrus.cloud.cirrus": {
            "api_url": endpoint, "api_key": key, "api_secret": secret,
            "api_timeout": request_timeout, "api_job_timeout": job_timeout}},
        "tasks": [{"ansible.builtin.include_tasks": f"{name}-{{{{ inventory_hostname }}}}.yml"}],
    }]
    with open(os.path.join(workdir, f"{name}.yml"), "w") as handle:
        yaml.safe_dump(play, handle, sort_keys=False)
    write_local_inventory(workdir, list(tasks))


def write_playbook(chains: Chains, workdir: str, *, endpoint: str, key: str, secret: str,
                   job_timeout: int = 60) -> None:
    """site.yml: every chain built and torn down in one run."""
    tasks = {host: [step for part in chain_tasks(host, chain) for step in part]
             for host, chain in chains.items()}
    write_play(workdir, "site", tasks, endpoint=endpoint, key=key, secret=secret,
               job_timeout=job_timeout)


def write_local_inventory(workdir: str, hosts: list[str]) -> None:
    with open(os.path.join(workdir, "inventory.ini"), "w") as handle:
        handle.write("[all]\n" + "".join(
            f"{host} ansible_connection=local ansible_python_interpreter={sys.executable}\n"
            for host in hosts))


def run_playbook(workdir: str, name: str, env: dict[str, str], timeout: int = 600,
                 extra_vars: dict[str, Any] | None = None
                 ) -> tuple[subprocess.CompletedProcess[str], Results]:
    """Run `<name>.yml` with the collection and the recording callback; the connection
    comes only from the playbook or from `env` (none of the caller's CIRRUS_*/CLOUDSTACK_*).
    `extra_vars`: what an earlier run registered, for this one's options."""
    record = os.path.join(workdir, f"{name}.json")
    full_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
                    ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
                    ANSIBLE_CALLBACKS_ENABLED="record_results", RECORD_RESULTS_PATH=record,
                    ANSIBLE_PIPELINING="1", ANSIBLE_FORKS="5", ANSIBLE_NOCOLOR="1",
                    ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "tmp"),
                    ANSIBLE_HOME=os.path.join(workdir, "ansible-home"), **env)
    for variable in ("CIRRUS_ENDPOINT", "CIRRUS_API_KEY", "CIRRUS_SECRET_KEY",
                     "CLOUDSTACK_ENDPOINT", "CLOUDSTACK_KEY", "CLOUDSTACK_SECRET"):
        if variable not in env:
            full_env.pop(variable, None)
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
         os.path.join(workdir, "inventory.ini"), os.path.join(workdir, f"{name}.yml"),
         *(["-e", json.dumps(extra_vars)] if extra_vars else [])],
        capture_output=True, text=True, env=full_env, timeout=timeout, cwd=workdir)
    results: Results = {}
    if os.path.exists(record):
        with open(record) as handle:
            results = json.load(handle)
    return done, results


def result(results: Results, host: str, name: str, stdout: str = "") -> dict[str, Any]:
    assert name in results.get(host, {}), f"no result for {host}: {name}\n{stdout[-4000:]}"
    found: dict[str, Any] = results[host][name]
    return found


def check_step(results: Results, host: str, name: str, step: Step) -> None:
    got = result(results, host, name)
    if step.fails_with:
        assert got["status"] == "failed" and step.fails_with in got["msg"], got
        assert got.get("errorcode") == step.errorcode, got
    else:
        assert got["status"] == "ok" and got["changed"] is step.changed, (step, got)


def check_lifecycle(results: Results, host: str, s: Scenario) -> None:
    """Every task of the scenario reported what its step must: changes where asked,
    none on re-runs, check mode's diff and nothing done, the info module's values."""
    m = s.name

    def outcome(step: str) -> dict[str, Any]:
        got = result(results, host, f"{m}: {step}")
        assert got["status"] == "ok", (step, got)
        return got

    created = outcome("create in check mode")
    assert created["changed"] is True
    assert (created["diff"]["before"] == {}) is not s.preexisting, created["diff"]
    assert outcome("create")["changed"] is True  # so check mode created nothing
    assert outcome("create again")["changed"] is False
    if s.update:
        preview = outcome("update in check mode")
        assert preview["changed"] is True
        wanted = dict(s.update)
        assert set(preview["diff"]["after"]) == set(wanted), preview["diff"]
        assert preview["diff"]["after"] == wanted, preview["diff"]
        assert preview["diff"]["before"] != preview["diff"]["after"]
        assert outcome("update")["changed"] is True  # so check mode changed nothing
    listed = outcome("info")
    (items,) = [value for key, value in listed.items() if isinstance(value, list)
                and key not in ("warnings", "deprecations")]
    assert len(items) == 1, items
    for key, (_, later) in s.shows.items():
        assert items[0].get(key) == later, (key, items[0])
    for step in s.steps:
        check_step(results, host, f"{m}: {step.name}", step)
    removing = outcome("remove in check mode")
    assert removing["changed"] is True
    assert outcome("remove")["changed"] is True  # so check mode removed nothing
    assert outcome("remove again")["changed"] is False
    for step in s.after:
        check_step(results, host, f"{m}: {step.name}", step)
    created_result = result(results, host, f"{m}: create")
    for key, (first, _) in s.shows.items():
        assert first == created_result.get(key), (m, key, created_result)
