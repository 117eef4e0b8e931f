# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The volume a snapshot or snapshot policy module means: O(volume) by name or id, or a
volume of O(vm) (its ROOT disk by default, a data disk by O(volume_type) and
O(device_id))."""

from __future__ import annotations

from typing import Any

from ansible_collections.cirrus.cloud.plugins.module_utils.base import CirrusModule, text

# The options of modules that name a volume this way (documented in each module).
VOLUME_OPTIONS: dict[str, dict[str, Any]] = {
    "volume": {"type": "str"},
    "vm": {"type": "str", "aliases": ["instance"]},
    "volume_type": {"type": "str", "default": "ROOT", "choices": ["ROOT", "DATADISK"]},
    "device_id": {"type": "int"},
}


def volume_id(module: CirrusModule, missing_ok: bool = False) -> str | None:
    """The id of the volume the options name; None when it (or what names it) is missing
    and `missing_ok`, else the module fails."""
    params = module.params
    if params.get("volume"):
        return module.ref_id("volume", missing_ok=missing_ok)
    vm_id = module.ref_id("vm", missing_ok=missing_ok)
    owner = module.owner(missing_ok=missing_ok)
    if vm_id is None or owner is None:
        return None
    found = module.list_objects("listVolumes", "volume", virtualmachineid=vm_id,
                                type=params["volume_type"], **owner)
    if params.get("device_id") is not None:
        found = [v for v in found if text(v.get("deviceid")) == text(params["device_id"])]
    if len(found) == 1:
        return str(found[0]["id"])
    if not found and missing_ok:
        return None
    module.fail(f"virtual machine {params['vm']!r} has {len(found)} {params['volume_type']} "
                "volumes that match; name the volume, or its device_id")
    return None
