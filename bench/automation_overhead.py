"""What the automation bridge costs: one no-op action, three ways.

The same one-task play (`ansible.builtin.command: "true"` on localhost, connection local,
no fact gathering) is timed `--runs` times each way, interleaved so machine load hits all
three alike:

- bridge: `appliance.automation.run()` inside an async job — settings from the database,
  inventory rendered from the database, a private data dir under $CIRRUS_HOME, the lock
  row, ansible-runner with the event handler writing each event to `job_log` and the
  job's progress, the RunResult;
- ansible-playbook: the bare `ansible-playbook -i <inventory> <play>` with the same
  environment (no runner, no events, no database);
- raw: the command itself (`true`) through subprocess.

It prints the median and p90 of each and the ratios bridge/ansible-playbook and
bridge/raw.

    .venv/bin/python bench/automation_overhead.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PLAY = """\
- name: No-op action
  hosts: all
  gather_facts: false
  tasks:
    - name: Run true
      ansible.builtin.command: "true"
      changed_when: false
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each way")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs of each way")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="cirrus-bench-automation-")
    os.environ["CIRRUS_HOME"] = home
    try:
        return _bench(home, args.runs, args.warmup)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _bench(home: str, runs: int, warmup: int) -> int:
    from sqlalchemy import select

    from appliance import automation, schema
    from appliance.automation.runner import RunRequest, ansible_env, prepare
    from appliance.db import Database
    from appliance.jobs import queue
    from appliance.models import User
    from appliance.models.automation import JobLogLine
    from appliance.services import bootstrap
    from appliance.services.context import CallContext

    play = os.path.join(home, "noop.yml")
    with open(play, "w") as handle:
        handle.write(PLAY)
    db = Database(f"sqlite:///{os.path.join(home, 'cirrus.db')}")
    schema.upgrade(db)
    with db.session() as session:
        bootstrap.ensure_root(session)
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        admin_id = admin.id
    local = automation.InventoryHost.local()

    def bridge() -> None:
        with db.session() as session:
            user = session.get(User, admin_id)
            assert user is not None
            ctx = CallContext.for_user(session, user, db=db)
            job = queue.submit(ctx, "dryRunAction", {}, event_type=None,
                               description="bench", instance_type=None, instance_id=None)
            ctx = CallContext.for_user(session, user, job_id=job.id, db=db)
            result = automation.run(ctx, play, extra_hosts=[local])
            assert result.ok and result.stats["localhost"]["ok"] == 1

    # The bare run gets the same inventory and environment the bridge writes.
    bare_dir = os.path.join(home, "bare")
    from appliance.automation import inventory

    request = RunRequest(ident="bare", private_data_dir=bare_dir, playbook=play,
                         inventory=inventory.render(None, (), [local]))
    env = dict(os.environ, **prepare(request))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    bare_cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
                os.path.join(bare_dir, "inventory", "hosts.yml"), play]
    assert ansible_env(request)["ANSIBLE_CONFIG"].startswith(bare_dir)

    def bare() -> None:
        subprocess.run(bare_cmd, env=env, check=True, stdout=subprocess.DEVNULL)

    def raw() -> None:
        subprocess.run(["true"], check=True)

    ways = {"bridge (automation.run)": bridge, "bare ansible-playbook": bare,
            "raw command `true`": raw}
    times: dict[str, list[float]] = {name: [] for name in ways}
    for index in range(warmup + runs):
        for name, fn in ways.items():
            started = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - started
            if index >= warmup:
                times[name].append(elapsed)
    with db.session(write=False) as session:
        logged = len(list(session.scalars(select(JobLogLine.id))))
    db.dispose()

    print(f"{runs} timed runs each (after {warmup} warm-up), interleaved; "
          f"{logged} job_log rows written by the bridge runs")
    print(f"{'way':28} {'median':>10} {'p90':>10}")
    medians = {}
    for name, values in times.items():
        values.sort()
        medians[name] = statistics.median(values)
        p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
        print(f"{name:28} {medians[name] * 1000:8.1f}ms {p90 * 1000:8.1f}ms")
    bridge_m, bare_m, raw_m = medians.values()
    print(f"bridge / ansible-playbook = {bridge_m / bare_m:.2f}x "
          f"(+{(bridge_m - bare_m) * 1000:.0f} ms per action)")
    print(f"bridge / raw command      = {bridge_m / raw_m:.0f}x")
    print(f"ansible-playbook / raw    = {bare_m / raw_m:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
