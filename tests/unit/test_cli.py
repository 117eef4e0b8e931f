"""`cirrus serve` as a process tree: the master stops the job workers it forked, and only it."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time

from tests.support import server
from tests.support.waiting import eventually


def _children(pid: int) -> set[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return {int(line) for line in found.stdout.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"


def test_sigterm_to_the_master_stops_job_workers_without_tracebacks() -> None:
    home = tempfile.mkdtemp(prefix="cirrus-cli-")
    url = f"sqlite:///{home}/cirrus.db"
    server.init(url, home)
    srv = server.start(url, home=home, job_workers=2, workers=2)
    try:
        # Two API workers (gunicorn may still be starting the second), two job workers.
        def all_workers() -> set[int] | None:
            found = _children(srv.process.pid)
            return found if len(found) >= 4 else None

        children: set[int] = eventually(all_workers, 30, "the server's four workers")
        # Only the master gets the signal (not the process group, as Server.stop sends):
        # it must pass the stop on to the job workers itself.
        srv.process.send_signal(signal.SIGTERM)
        assert srv.process.wait(60) == 0
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)]
        assert "Traceback" not in srv.log()
    finally:
        srv.kill()
