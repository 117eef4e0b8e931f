#!/usr/bin/python
# Copyright: Cirrus contributors
# Apache License 2.0
"""Write (or remove) all of a router's rendered files in one step."""

from __future__ import annotations

DOCUMENTATION = r"""
module: cirrus_vr_files
short_description: Write the virtual router's rendered files, reporting which ones changed
description:
  - One module call for the router's dozen files instead of a template task each (two
    module round trips apiece), so an apply takes seconds.
  - A file is replaced atomically (temporary file, optional validation, rename) only when
    its content or mode differ. C(state=absent) removes a file or a whole directory.
  - Parent directories are created with mode 0755 (dnsmasq re-reads its files after
    dropping root); secrets get their own mode, typically 0600.
options:
  files:
    description: The files.
    type: list
    elements: dict
    required: true
    suboptions:
      path: {description: Absolute path., type: path, required: true}
      content: {description: Content (ignored when absent)., type: str, default: ""}
      secret:
        description: The content must not appear in logs or diffs.
        type: bool
        default: false
      mode: {description: Octal mode., type: str, default: "0644"}
      validate:
        description: Command run on the new content before it replaces the file; C(%s) is its path.
        type: str
      state:
        description: present or absent.
        type: str
        default: present
        choices: [present, absent]
"""

RETURN = r"""
changed_files:
  description: Paths written or removed (or that would be, in check mode).
  type: list
  returned: always
"""

import os  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402


def current(path: str) -> tuple[bytes | None, int | None]:
    try:
        with open(path, "rb") as f:
            return f.read(), os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return None, None


def write(module: AnsibleModule, spec: dict, data: bytes, mode: int) -> None:
    directory = os.path.dirname(spec["path"])
    os.makedirs(directory, mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cirrus-")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if spec.get("validate"):
            command = spec["validate"].replace("%s", shlex.quote(tmp))
            rc, out, err = module.run_command(command, use_unsafe_shell=True)
            if rc != 0:
                module.fail_json(msg=f"{spec['path']} failed validation ({spec['validate']}): "
                                 f"{(err or out).strip()}")
        os.replace(tmp, spec["path"])
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main() -> None:
    module = AnsibleModule(
        argument_spec=dict(
            files=dict(type="list", elements="dict", required=True, options=dict(
                path=dict(type="path", required=True),
                content=dict(type="str", default=""),
                secret=dict(type="bool", default=False),
                mode=dict(type="str", default="0644"),
                validate=dict(type="str"),
                state=dict(type="str", default="present", choices=["present", "absent"]),
            )),
        ),
        supports_check_mode=True,
    )
    for spec in module.params["files"]:
        if spec["secret"] and spec["content"]:
            module.no_log_values.add(spec["content"])

    changed_files: list[str] = []
    diffs = []
    for spec in module.params["files"]:
        path = spec["path"]
        if spec["state"] == "absent":
            if os.path.lexists(path):
                changed_files.append(path)
                if not module.check_mode:
                    if os.path.isdir(path) and not os.path.islink(path):
                        shutil.rmtree(path)
                    else:
                        os.unlink(path)
            continue
        data = spec["content"].encode()
        mode = int(spec["mode"], 8)
        old, old_mode = current(path)
        if old == data and old_mode == mode:
            continue
        changed_files.append(path)
        if not spec["secret"]:
            diffs.append({"before_header": path, "after_header": path,
                          "before": (old or b"").decode(errors="replace"),
                          "after": spec["content"]})
        if not module.check_mode:
            write(module, spec, data, mode)

    module.exit_json(changed=bool(changed_files), changed_files=changed_files, diff=diffs)


if __name__ == "__main__":
    main()
