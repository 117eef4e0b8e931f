"""`cirrus demo` end to end on the embedded SQLite database: init, serve, build, log in,
stop on SIGTERM; a second run on the same home changes nothing and still shows the
password."""

from __future__ import annotations

import json
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from cs import CloudStack

from tests.support import datacenter, server

READY = "Ctrl-C stops it."


class Demo:
    """One `cirrus demo` process, its output collected line by line."""

    def __init__(self, home: Path, port: int) -> None:
        env = dict(os.environ, CIRRUS_HOME=str(home))
        env.pop("CIRRUS_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "appliance.cli", "demo", "--spec", datacenter.TINY,
             "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True)
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                raise AssertionError("cirrus demo exited:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if text in line:
                return
        raise AssertionError(f"no {text!r} within {timeout} s:\n" + "\n".join(self.lines))

    def value(self, label: str) -> str:
        (line,) = [line for line in self.lines if line.strip().startswith(label)]
        return line.split()[-1] if label != "password" else line.split()[1]

    def stop(self) -> int:
        """SIGTERM (cirrus demo then stops its server by pid); its exit status."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            status = self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            status = self.process.wait()
        self._reader.join(10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        return status


def test_cirrus_demo_sqlite(tmp_path: Path) -> None:
    home = tmp_path / "home"
    port = server.free_port()
    base = f"http://127.0.0.1:{port}"
    demo = Demo(home, port)
    try:
        demo.wait_for(READY)
        assert any(line.strip() == "created   zone tiny" for line in demo.lines), demo.lines
        assert f"API endpoint  http://127.0.0.1:{port}/client/api" in "\n".join(demo.lines)
        key, secret = demo.value("API key"), demo.value("secret key")
        password = demo.value("password")
        api = CloudStack(endpoint=f"{base}/client/api", key=key, secret=secret, timeout=30)
        (zone,) = api.listZones(name="tiny")["zone"]
        (template,) = api.listTemplates(templatefilter="all", name="tiny-template",
                                        zoneid=zone["id"])["template"]
        assert template["isready"] is True
        login = requests.post(f"{base}/client/api", data={
            "command": "login", "username": "admin", "password": password,
            "response": "json"}, timeout=30)
        assert login.status_code == 200 and "sessionkey" in login.json()["loginresponse"]
        saved = home / "admin-credentials.json"
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600
        assert json.loads(saved.read_text())["password"] == password
    finally:
        assert demo.stop() == 0, "\n".join(demo.lines)
    try:
        requests.get(f"{base}/health", timeout=2)
        raise AssertionError("the server still answers after cirrus demo stopped")
    except requests.ConnectionError:
        pass

    again = Demo(home, port)
    try:
        again.wait_for(READY)
        assert any(line.strip() == "unchanged zone tiny" for line in again.lines)
        applied = [line for line in again.lines if line.startswith("Applied ")]
        assert applied and "0 created, 0 updated" in applied[0], applied
        assert again.value("password") == password  # kept from the first run
    finally:
        assert again.stop() == 0, "\n".join(again.lines)


def test_cirrus_demo_sqlite_refuses_a_broken_spec(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("zones:\n  - name: z\n    networktype: Hybrid\n")
    env = dict(os.environ, CIRRUS_HOME=str(tmp_path / "home"))
    env.pop("CIRRUS_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "demo", "--spec", str(bad),
         "--bind", f"127.0.0.1:{server.free_port()}"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 2
    assert "zones[0].networktype: must be one of Basic, Advanced, got 'Hybrid'" in done.stderr
    assert "zones[0].dns1: required" in done.stderr
    assert "Applying" not in done.stdout  # nothing was served or applied
