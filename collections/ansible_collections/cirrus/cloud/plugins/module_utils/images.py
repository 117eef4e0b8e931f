# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What the template and ISO modules share: a template or ISO is found by name among
those its filter shows (the API lists one entry per zone), its attributes change with the
update command and its visibility with the permissions command, and it is deleted from
one zone or all."""

from __future__ import annotations

from typing import Any

from ansible_collections.cirrus.cloud.plugins.module_utils.base import ResourceModule, first

FILTERS = ["featured", "self", "selfexecutable", "sharedexecutable", "executable",
           "community", "all"]


class ImageModule(ResourceModule):
    """A template or ISO; `filter_param` is the list command's filter parameter and
    `permissions_command` the command that changes public, featured and extractable."""

    tenant = True
    filter_param = ""
    permissions_command = ""

    def lookup_owner(self, missing_ok: bool) -> dict[str, Any] | None:
        return self.owner(missing_ok=missing_ok)

    def get(self) -> dict[str, Any] | None:
        absent = self.params["state"] == "absent"
        owner = self.lookup_owner(absent)
        scope: dict[str, Any] = {self.filter_param: self.params[self.filter_param.replace(
            "filter", "_filter")]}
        if self.params.get("zone") and not self.params.get("cross_zones"):
            scope["zoneid"] = self.ref_id("zone", missing_ok=absent)
            if scope["zoneid"] is None:
                return None
        if owner is None:
            return None
        name = self.params["name"]
        return self.find(self.list_command, self.key, match={"name": name}, name=name,
                         **scope, **owner)

    def update(self, current: dict[str, Any], changes: dict[str, Any]
               ) -> dict[str, Any] | None:
        permission_params = {f.param for f in self.fields if f.update_with}
        permissions = {k: v for k, v in changes.items() if k in permission_params}
        attributes = {k: v for k, v in changes.items() if k not in permission_params}
        if permissions:
            self.client.call(self.permissions_command, id=current["id"], **permissions)
        if attributes:
            answer = self.client.call(str(self.update_command), id=current["id"],
                                      **attributes)
            current = first(answer, self.key) or current
        return self.get() or current

    def delete_params(self, current: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"id": current["id"]}
        if self.params.get("zone") and not self.params.get("cross_zones"):
            params["zoneid"] = current.get("zoneid")
        return params
