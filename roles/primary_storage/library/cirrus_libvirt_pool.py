#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""Define, start and autostart (or stop and undefine) a libvirt storage pool through virsh."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_libvirt_pool
short_description: A libvirt storage pool defined, running and autostarted (or gone)
description:
  - Talks to libvirtd with C(virsh -c <uri>), so it needs no Python libvirt binding on the host.
  - Compares the defined pool's type and target path with I(xml); a pool whose type or target
    differs is stopped, undefined and defined again.
  - C(state=absent) stops and undefines the pool; it never deletes the pool's directory or
    the volumes in it.
options:
  uri: {description: libvirt connection URI., type: str, default: "qemu:///system"}
  name: {description: Pool name (Cirrus uses the storage pool id)., type: str, required: true}
  xml: {description: Pool definition (pool-define input); needed for state=present., type: str}
  autostart: {description: Start the pool with libvirtd., type: bool, default: true}
  state: {description: Wanted state., type: str, default: present, choices: [present, absent]}
"""

RETURN = r"""
commands:
  description: The virsh commands run (or planned in check mode).
  type: list
  returned: always
pool: {description: The pool's state after the run., type: dict, returned: always}
"""

import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import tempfile  # noqa: E402
from typing import Any  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def pool_shape(xml: str) -> dict[str, str | None]:
    """The parts of a pool definition that decide whether it must be defined again."""
    kind = re.search(r"<pool\s+type=['\"]([^'\"]+)['\"]", xml)
    path = re.search(r"<target>.*?<path>\s*([^<]+?)\s*</path>", xml, re.S)
    return {"type": kind.group(1) if kind else None, "target": path.group(1) if path else None}


class Virsh:
    def __init__(self, module: AnsibleModule, uri: str) -> None:
        self.module = module
        self.uri = uri

    def argv(self, *args: str) -> list[str]:
        return ["virsh", "-q", "-c", self.uri, *args]

    def run(self, *args: str, check: bool = True) -> tuple[int, str, str]:
        rc, out, err = self.module.run_command(self.argv(*args))
        if check and rc != 0:
            self.module.fail_json(msg=f"'{shlex.join(self.argv(*args))}' failed: {err.strip()}")
        return rc, out, err

    def observe(self, name: str) -> dict[str, Any]:
        rc, out, err = self.run("pool-info", name, check=False)
        if rc != 0:
            if "not found" in err or "no storage pool" in err.lower():
                return {"defined": False}
            self.module.fail_json(msg=f"cannot read pool {name} at {self.uri}: {err.strip()}")
        info = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.partition(":") for line in out.splitlines()) if v
        )
        _rc, xml, _err = self.run("pool-dumpxml", "--inactive", name)
        return {"defined": True, "running": info.get("state") == "running",
                "autostart": info.get("autostart") == "yes", **pool_shape(xml)}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "uri": {"type": "str", "default": "qemu:///system"},
            "name": {"type": "str", "required": True},
            "xml": {"type": "str"},
            "autostart": {"type": "bool", "default": True},
            "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        },
        required_if=[("state", "present", ["xml"])],
        supports_check_mode=True,
    )
    p = module.params
    virsh = Virsh(module, p["uri"])
    name = p["name"]
    before = virsh.observe(name)
    plan: list[tuple[str, ...]] = []
    if p["state"] == "present":
        want = pool_shape(p["xml"])
        defined, running, autostart = (before["defined"], before.get("running", False),
                                       before.get("autostart", False))
        if defined and (before["type"], before["target"]) != (want["type"], want["target"]):
            if running:
                plan.append(("pool-destroy", name))
            plan.append(("pool-undefine", name))
            defined = running = autostart = False
        if not defined:
            plan.append(("pool-define", "<xml>"))
        if not running:
            plan.append(("pool-start", name))
        if autostart != p["autostart"]:
            plan.append(("pool-autostart", name) if p["autostart"]
                        else ("pool-autostart", "--disable", name))
        after = {"defined": True, "running": True, "autostart": p["autostart"], **want}
    else:
        if before.get("running"):
            plan.append(("pool-destroy", name))
        if before["defined"]:
            plan.append(("pool-undefine", name))
        after = {"defined": False}

    result: dict[str, Any] = {"changed": bool(plan), "pool": after,
                              "commands": [shlex.join(virsh.argv(*step)) for step in plan]}
    if module._diff and plan:
        result["diff"] = {"before": before, "after": after,
                          "before_header": f"libvirt pool {name}",
                          "after_header": f"libvirt pool {name}"}
    if module.check_mode:
        module.exit_json(**result)
    for step in plan:
        if step == ("pool-define", "<xml>"):
            with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as tmp:
                tmp.write(p["xml"])
            try:
                virsh.run("pool-define", tmp.name)
            finally:
                os.unlink(tmp.name)
        else:
            virsh.run(*step)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
