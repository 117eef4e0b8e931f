#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""Mount or unmount a file system now (no fstab entry), check-mode aware, with a diff."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_mount
short_description: Mount or unmount an NFS export (or a bind mount) on a host
description:
  - Reads C(/proc/self/mountinfo) of the module's mount namespace, and runs C(mount) or
    C(umount) only when the state differs. Nothing is written to C(/etc/fstab): Cirrus mounts
    its storage again when it adds the pool or the host.
  - A different file system already mounted on I(path) is an error, never replaced.
options:
  src: {description: "What to mount: server:/path for nfs, a directory for bind.", type: str}
  path: {description: Mount point (created when missing)., type: str, required: true}
  fstype: {description: File system type; C(bind) for a bind mount., type: str, default: nfs}
  opts: {description: Mount options., type: str, default: ""}
  state: {description: Wanted state., type: str, default: mounted, choices: [mounted, unmounted]}
"""

RETURN = r"""
commands:
  description: The commands run (or planned in check mode).
  type: list
  returned: always
mounted_src: {description: What was mounted on path before., type: str, returned: always}
"""

import os  # noqa: E402
import shlex  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def unescape(field: str) -> str:
    """Undo the octal escapes (\\040 for a space) of /proc/self/mountinfo."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_at(path: str) -> dict[str, str] | None:
    """The topmost mount on path: its fstype, source and root, or None."""
    found = None
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:
        for line in mountinfo:
            left, _, right = line.rstrip("\n").partition(" - ")
            fields, tail = left.split(), right.split()
            if unescape(fields[4]) == path:
                found = {"fstype": tail[0], "src": unescape(tail[1]), "root": unescape(fields[3])}
    return found


def same_source(current: dict[str, str], fstype: str, src: str) -> bool:
    if fstype == "bind":
        return True  # a bind mount shows the device, not the directory: trust the mount point
    if current["fstype"] not in (fstype, "nfs4" if fstype == "nfs" else fstype):
        return False
    return current["src"].rstrip("/") == src.rstrip("/")


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "str"},
            "path": {"type": "path", "required": True},
            "fstype": {"type": "str", "default": "nfs"},
            "opts": {"type": "str", "default": ""},
            "state": {"type": "str", "default": "mounted", "choices": ["mounted", "unmounted"]},
        },
        required_if=[("state", "mounted", ["src"])],
        supports_check_mode=True,
    )
    p = module.params
    path = os.path.normpath(p["path"])
    current = mount_at(path)
    result: dict[str, Any] = {"changed": False, "commands": [],
                              "mounted_src": current["src"] if current else ""}
    cmds: list[list[str]] = []
    if p["state"] == "mounted":
        if current is not None:
            if not same_source(current, p["fstype"], p["src"]):
                module.fail_json(msg=f"{path} already has {current['fstype']} {current['src']} "
                                     f"mounted, not {p['src']}; unmount it first", **result)
        else:
            if not os.path.isdir(path):
                cmds.append(["mkdir", "-p", path])
            cmd = ["mount"]
            if p["fstype"] == "bind":
                cmd.append("--bind")
            else:
                cmd += ["-t", p["fstype"]]
            if p["opts"]:
                cmd += ["-o", p["opts"]]
            cmds.append(cmd + [p["src"], path])
        after = f"{p['src']} on {path} type {p['fstype']}\n"
    else:
        if current is not None:
            cmds.append(["umount", path])
        after = ""
    before = f"{current['src']} on {path} type {current['fstype']}\n" if current else ""
    result["changed"] = bool(cmds)
    result["commands"] = [shlex.join(c) for c in cmds]
    if module._diff and cmds:
        result["diff"] = {"before": before, "after": after,
                          "before_header": f"mounts ({path})", "after_header": f"mounts ({path})"}
    if module.check_mode:
        module.exit_json(**result)
    for cmd in cmds:
        if cmd[0] == "mkdir":
            os.makedirs(path, exist_ok=True)
            continue
        rc, _out, err = module.run_command(cmd)
        if rc != 0:
            hint = ""
            if p["fstype"].startswith("nfs") and "No such device" in err:
                hint = " (this kernel has no NFS client file system)"
            module.fail_json(msg=f"'{shlex.join(cmd)}' failed: {err.strip()}{hint}", rc=rc,
                             **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
