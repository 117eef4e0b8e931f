#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""Keep one router daemon running (or stopped) from its own pid file, no service manager."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_vr_daemon
short_description: Start, reload or stop one virtual router daemon by its pid file
description:
  - The router may be a network namespace sharing its host's file system, so daemons are
    tracked only through the pid file under the router's state directory, never through a
    service manager or the packaged defaults in /etc.
  - A pid counts as running when the process exists and its command line contains
    C(match) (a recycled pid of another program is not our daemon).
  - C(state=started) starts the daemon when it is not running; when it runs and C(reload)
    is true, it reloads it with C(reload_method).
options:
  name: {description: Name used in messages., type: str, required: true}
  pidfile: {description: The daemon's pid file., type: path, required: true}
  command: {description: Command line that starts the daemon., type: list, elements: str}
  match: {description: Text the daemon's command line contains., type: str, required: true}
  foreground:
    description:
      - The command stays in the foreground; the module detaches it and writes the pid
        file itself. Otherwise the command daemonizes and writes the pid file.
    type: bool
    default: false
  log: {description: File that receives a foreground daemon's output., type: path}
  reload:
    description: The configuration changed; reload a running daemon.
    type: bool
    default: false
  reload_method:
    description:
      - C(hup) sends SIGHUP; C(restart) stops and starts; C(replace) starts the command
        with C(-sf <old pids>) appended (haproxy's soft reload).
    type: str
    default: hup
    choices: [hup, restart, replace]
  state: {description: Wanted state., type: str, default: started, choices: [started, stopped]}
"""

RETURN = r"""
pid: {description: Pid of the running daemon (0 when stopped)., type: int, returned: always}
action: {description: "none, started, reloaded, restarted or stopped.", type: str, returned: always}
"""

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def read_pids(pidfile: str) -> list[int]:
    try:
        with open(pidfile) as f:
            return [int(word) for word in f.read().split() if word.isdigit()]
    except FileNotFoundError:
        return []


def is_ours(pid: int, match: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        with open(f"/proc/{pid}/stat") as f:
            # A zombie left for a slow reaper is not a running daemon.
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return match in cmdline


def live_pids(pidfile: str, match: str) -> list[int]:
    return [pid for pid in read_pids(pidfile) if is_ours(pid, match)]


def wait_gone(pids: list[int], match: str, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = [pid for pid in pids if is_ours(pid, match)]
    return pids


def stop(pids: list[int], match: str) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    for pid in wait_gone(pids, match):
        os.kill(pid, signal.SIGKILL)
    wait_gone(pids, match)


def start(module: AnsibleModule, command: list[str]) -> int:
    p = module.params
    if p["foreground"]:
        with open(p["log"] or os.devnull, "ab") as out:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                    start_new_session=True, close_fds=True)
        with open(p["pidfile"], "w") as f:
            f.write(f"{proc.pid}\n")
        time.sleep(0.2)
        if proc.poll() is not None:
            module.fail_json(msg=f"{p['name']} exited at once with status {proc.returncode}"
                             f" (see {p['log']})", command=command)
        return proc.pid
    # A self-daemonizing command must not keep Ansible's pipes open through its children.
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, close_fds=True, start_new_session=True)
    if result.returncode != 0:
        module.fail_json(msg=f"{p['name']} failed to start: {result.stderr.strip()}",
                         command=command, rc=result.returncode)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pids = live_pids(p["pidfile"], p["match"])
        if pids:
            return pids[0]
        time.sleep(0.05)
    module.fail_json(msg=f"{p['name']} started but {p['pidfile']} names no running process",
                     command=command)
    return 0


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            pidfile=dict(type="path", required=True),
            command=dict(type="list", elements="str"),
            match=dict(type="str", required=True),
            foreground=dict(type="bool", default=False),
            log=dict(type="path"),
            reload=dict(type="bool", default=False),
            reload_method=dict(type="str", default="hup", choices=["hup", "restart", "replace"]),
            state=dict(type="str", default="started", choices=["started", "stopped"]),
        ),
        required_if=[("state", "started", ["command"])],
        supports_check_mode=True,
    )
    p = module.params
    pids = live_pids(p["pidfile"], p["match"])

    if p["state"] == "stopped":
        if not pids:
            module.exit_json(changed=False, pid=0, action="none")
        if not module.check_mode:
            stop(pids, p["match"])
            if os.path.exists(p["pidfile"]):
                os.unlink(p["pidfile"])
        module.exit_json(changed=True, pid=0, action="stopped")

    if pids and not p["reload"]:
        module.exit_json(changed=False, pid=pids[0], action="none")
    if module.check_mode:
        module.exit_json(changed=True, pid=pids[0] if pids else 0,
                         action="reloaded" if pids else "started")
    if not pids:
        module.exit_json(changed=True, pid=start(module, p["command"]), action="started")
    if p["reload_method"] == "hup":
        for pid in pids:
            os.kill(pid, signal.SIGHUP)
        module.exit_json(changed=True, pid=pids[0], action="reloaded")
    if p["reload_method"] == "restart":
        stop(pids, p["match"])
        module.exit_json(changed=True, pid=start(module, p["command"]), action="restarted")
    # Soft reload: the new process takes the sockets over, the old ones finish their
    # connections and exit; the pid file then names the new process.
    new_pid = start(module, [*p["command"], "-sf", *map(str, pids)])
    module.exit_json(changed=True, pid=new_pid, action="reloaded")


if __name__ == "__main__":
    main()
