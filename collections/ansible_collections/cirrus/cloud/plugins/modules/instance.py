#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: instance
short_description: Manages virtual machines
description:
  - Deploys virtual machines from a template or a bootable ISO, updates, starts, stops,
    reboots, destroys and expunges them (C(deployVirtualMachine),
    C(updateVirtualMachine), C(changeServiceForVirtualMachine), C(startVirtualMachine),
    C(stopVirtualMachine), C(rebootVirtualMachine), C(recoverVirtualMachine),
    C(destroyVirtualMachine), C(expungeVirtualMachine)).
  - A machine is found by O(name) (else O(display_name)) in its zone and owner. A
    destroyed machine that is not expunged yet counts as absent; V(present) and the
    running states recover it (administrators only).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description:
      - Host name of the machine; one of O(name) and O(display_name) is needed.
    type: str
  display_name:
    description: Display name of the machine.
    type: str
  zone:
    description: Name or id of the zone of the machine.
    type: str
    required: true
  state:
    description:
      - V(present) (or V(deployed)) deploys a missing machine, started, and leaves the
        power state of an existing one alone; V(started), V(stopped) and V(restarted) set
        it (a missing machine is deployed stopped for V(stopped)); V(restarted) always
        reboots.
      - V(absent) (or V(destroyed)) destroys the machine; it is expunged after the
        C(expunge.delay) setting. V(expunged) expunges it at once (administrators only).
    type: str
    choices: [present, deployed, started, stopped, restarted, absent, destroyed, expunged]
    default: present
  service_offering:
    description:
      - Name or id of the service offering; needed to deploy. A running machine is stopped
        to change it only when O(force) is set.
    type: str
  template:
    description: Name or id of the template to deploy from; one of O(template) and O(iso).
    type: str
  iso:
    description:
      - Name or id of a bootable ISO to deploy from (with O(disk_offering) for the root
        disk). C(cirrus.cloud.iso) attaches ISOs to existing machines.
    type: str
  template_filter:
    description: Which templates and ISOs O(template) and O(iso) are looked up among.
    type: str
    choices: [featured, self, selfexecutable, sharedexecutable, executable, community, all]
    default: executable
    aliases: [iso_filter]
  hypervisor:
    description: Hypervisor to deploy on.
    type: str
  disk_offering:
    description:
      - Name or id of the disk offering of a data disk deployed with the machine (the root
        disk when deploying from an ISO); used when deploying.
    type: str
  disk_size:
    description: Size in GB of that disk for a customized disk offering; used when deploying.
    type: int
  networks:
    description:
      - Names or ids of the networks of the machine, the default one first; used when
        deploying. Without them the machine gets the owner's default network of the zone.
    type: list
    elements: str
    aliases: [network]
  security_groups:
    description:
      - Names of the security groups of the machine (zones with security groups); used
        when deploying.
    type: list
    elements: str
    aliases: [security_group]
  user_data:
    description:
      - Data the machine can read from its router's metadata service; plain text, sent
        base64-encoded. Compared only when the API shows it (to administrators).
    type: str
  group:
    description: Group of the machine.
    type: str
  force:
    description: Whether a running machine may be stopped (and started again) to change
      its service offering.
    type: bool
    default: false
  account:
    description: Account the machine belongs to (with O(domain)); the caller's own when not set.
    type: str
  domain:
    description: Path (V(ROOT/a/b)) or id of the domain of O(account); V(ROOT) when only
      O(account) is set.
    type: str
extends_documentation_fragment:
  - cirrus.cloud.cirrus
  - cirrus.cloud.cirrus.attributes
"""

EXAMPLES = r"""
- name: A web server
  cirrus.cloud.instance:
    name: web-1
    zone: zone-1
    template: debian-12
    service_offering: small
    networks: [web]
    user_data: |
      #cloud-config
      packages: [nginx]

- name: Stopped, for maintenance
  cirrus.cloud.instance:
    name: web-1
    zone: zone-1
    state: stopped

- name: Gone for good
  cirrus.cloud.instance:
    name: web-1
    zone: zone-1
    state: expunged
"""

RETURN = r"""
id:
  description: Id of the machine.
  returned: success
  type: str
name:
  description: Host name of the machine.
  returned: success
  type: str
  sample: web-1
display_name:
  description: Display name of the machine.
  returned: success
  type: str
group:
  description: Group of the machine.
  returned: success
  type: str
account:
  description: Account of the machine.
  returned: success
  type: str
domain:
  description: Domain of the machine.
  returned: success
  type: str
domain_id:
  description: Id of the domain of the machine.
  returned: success
  type: str
created:
  description: When the machine was deployed.
  returned: success
  type: str
instance_state:
  description: "State of the machine: Running, Stopped, Starting, Stopping, Destroyed, Error, ..."
  returned: success
  type: str
  sample: Running
ha_enabled:
  description: Whether the machine is restarted elsewhere when its host fails.
  returned: success
  type: bool
zone:
  description: Name of the zone of the machine.
  returned: success
  type: str
zone_id:
  description: Id of the zone of the machine.
  returned: success
  type: str
host:
  description: Name of the host of the machine (root administrators only).
  returned: success
  type: str
host_id:
  description: Id of the host of the machine (root administrators only).
  returned: success
  type: str
instance_name:
  description: Name of the machine on its hypervisor (administrators only).
  returned: success
  type: str
template:
  description: Name of the template of the machine.
  returned: success
  type: str
template_id:
  description: Id of the template of the machine.
  returned: success
  type: str
template_display_text:
  description: Display text of the template of the machine.
  returned: success
  type: str
password_enabled:
  description: Whether the template supports password resets.
  returned: success
  type: bool
iso:
  description: Name of the ISO attached to the machine.
  returned: success
  type: str
iso_id:
  description: Id of the ISO attached to the machine.
  returned: success
  type: str
service_offering:
  description: Name of the service offering of the machine.
  returned: success
  type: str
service_offering_id:
  description: Id of the service offering of the machine.
  returned: success
  type: str
cpu_number:
  description: Number of CPUs of the machine.
  returned: success
  type: int
cpu_speed:
  description: Speed of each CPU in MHz.
  returned: success
  type: int
memory:
  description: Memory of the machine in MB.
  returned: success
  type: int
hypervisor:
  description: Hypervisor of the machine.
  returned: success
  type: str
user_data:
  description: Base64 user data of the machine (administrators only).
  returned: success
  type: str
nics:
  description: NICs of the machine (network id and name, address, MAC address, default or not).
  returned: success
  type: list
  elements: dict
security_groups:
  description: Security groups of the machine (id, name, description).
  returned: success
  type: list
  elements: dict
default_ip:
  description: Address of the machine's default NIC.
  returned: success
  type: str
  sample: "10.1.1.23"
password:
  description: Password of a machine deployed from a password-enabled template, when this run deployed it.
  returned: when the machine was deployed
  type: str
"""

import base64

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    first,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import INSTANCE

REMOVE = ("absent", "destroyed", "expunged")
RUNNING = ("Running", "Starting")
STOPPED = ("Stopped", "Stopping")


class Instance(ResourceModule):
    noun = "virtual machine"
    key = "virtualmachine"
    list_command = "listVirtualMachines"
    create_command = "deployVirtualMachine"
    update_command = "updateVirtualMachine"
    delete_command = "destroyVirtualMachine"
    tenant = True
    options = {
        "name": {"type": "str"},
        "display_name": {"type": "str"},
        "zone": {"type": "str", "required": True},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "deployed", "started", "stopped", "restarted",
                              "absent", "destroyed", "expunged"]},
        "service_offering": {"type": "str"},
        "template": {"type": "str"},
        "iso": {"type": "str"},
        "template_filter": {"type": "str", "default": "executable", "aliases": ["iso_filter"],
                            "choices": ["featured", "self", "selfexecutable",
                                        "sharedexecutable", "executable", "community",
                                        "all"]},
        "hypervisor": {"type": "str"},
        "disk_offering": {"type": "str"},
        "disk_size": {"type": "int"},
        "networks": {"type": "list", "elements": "str", "aliases": ["network"]},
        "security_groups": {"type": "list", "elements": "str", "aliases": ["security_group"]},
        "user_data": {"type": "str"},
        "group": {"type": "str"},
        "force": {"type": "bool", "default": False},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_one_of = [["name", "display_name"]]
    mutually_exclusive = [["template", "iso"]]
    fields = (
        Field("zone", "zoneid", ref="zone", mutable=False, required=True),
        Field("service_offering", "serviceofferingid", ref="service_offering",
              required=True, update_with="changeServiceForVirtualMachine"),
        Field("template", "templateid", ref="template", mutable=False, required=True),
        Field("iso", "templateid", ref="iso", mutable=False, compare=False),
        Field("name", "name", mutable=False),
        Field("display_name", "displayname"),
        Field("group", "group"),
        Field("user_data", "userdata"),
        Field("hypervisor", "hypervisor", mutable=False, casefold=True),
        Field("disk_offering", "diskofferingid", ref="disk_offering", mutable=False,
              compare=False),
        Field("disk_size", "size", mutable=False, compare=False),
        Field("networks", "networkids", ref="network", mutable=False, compare=False),
        Field("security_groups", "securitygroupnames", mutable=False, compare=False),
        Field("account", "account", mutable=False, compare=False),
        Field("domain", "domainid", ref="domain", mutable=False, compare=False),
    )
    returns = INSTANCE
    computed = ("default_ip", "password")

    def ref_constant(self, kind):
        if kind == "template":
            return {"templatefilter": self.params["template_filter"]}
        if kind == "iso":
            return {"isofilter": self.params["template_filter"]}
        return super().ref_constant(kind)

    def get(self):
        removing = self.params["state"] in REMOVE
        zone_id = self.ref_id("zone", missing_ok=removing)
        owner = self.owner(missing_ok=removing)
        if zone_id is None or owner is None:
            return None
        by = "name" if self.params["name"] else "displayname"
        wanted = self.params["name"] or self.params["display_name"]
        found = [vm for vm in self.list_objects(self.list_command, self.key, name=wanted,
                                                zoneid=zone_id, **owner)
                 if vm.get(by) == wanted and vm.get("state") != "Expunging"]
        live = [vm for vm in found if vm.get("state") != "Destroyed"]
        if len(live) > 1:
            self.fail(f"{len(live)} virtual machines are named {wanted!r}; cannot tell which "
                      "one is meant")
        return live[0] if live else (found[0] if found else None)

    def option_value(self, field):
        value = self.params.get(field.option)
        if value is None:
            return None
        if field.option == "user_data":
            return base64.b64encode(value.encode("utf-8")).decode("ascii")
        if field.option == "networks":
            return ",".join(self.ref_id("network", network) for network in value)
        return super().option_value(field)

    def same(self, field, actual, wanted):
        if field.option == "user_data" and actual is None:
            return True  # shown to administrators only
        return super().same(field, actual, wanted)

    def shown(self, field, api_value):
        if field.option == "user_data" and api_value:
            try:
                return base64.b64decode(api_value).decode("utf-8")
            except ValueError:
                return api_value
        return super().shown(field, api_value)

    def create_defaults(self):
        defaults = dict(self.owner())
        if self.params["state"] == "stopped":
            defaults["startvm"] = False
        return defaults

    def create(self, wanted):
        created = super().create(wanted)
        if created and created.get("password"):
            self.result["password"] = created["password"]
        return created

    def update(self, current, changes):
        offering = changes.pop("serviceofferingid", None)
        if offering is not None:
            current = self.change_offering(current, offering)
        if changes:
            current = super().update(current, changes)
        return current

    def change_offering(self, current, offering):
        running = current.get("state") in RUNNING
        if running and not self.params["force"]:
            self.fail(f"virtual machine {self.title(current)} is {current.get('state')}: "
                      "its service offering changes only while it is stopped; stop it or "
                      "set force=true")
        vm_id = current["id"]
        if running:
            self.client.call("stopVirtualMachine", id=vm_id)
        current = first(self.client.call("changeServiceForVirtualMachine", id=vm_id,
                                         serviceofferingid=offering), self.key) or current
        if running:
            current = first(self.client.call("startVirtualMachine", id=vm_id),
                            self.key) or current
        return current

    def run(self):
        state = self.params["state"]
        current = self.get()
        if state in REMOVE:
            self.destroy(current, expunge=state == "expunged")
        else:
            if current is not None and current.get("state") == "Destroyed":
                current = self.recover(current)
            current = self.ensure(current)
            current = self.power(current, state)
        self.result.update(self.returned(current))
        self.result["diff"] = {"before": self.before, "after": self.after}

    def recover(self, current):
        self.changed({"state": "Destroyed"}, {"state": "Stopped"})
        if self.module.check_mode:
            return dict(current, state="Stopped")
        return first(self.client.call("recoverVirtualMachine", id=current["id"]),
                     self.key) or self.get()

    def destroy(self, current, expunge):
        if current is None:
            return
        if current.get("state") == "Destroyed":
            if not expunge:
                return
            self.changed({"state": "Destroyed"}, {"state": "Expunged"})
            if not self.module.check_mode:
                self.client.call("expungeVirtualMachine", id=current["id"])
            return
        self.changed({"state": current.get("state")},
                     {"state": "Expunged" if expunge else "Destroyed"})
        if not self.module.check_mode:
            self.client.call(self.delete_command, id=current["id"],
                             expunge=True if expunge else None)

    def power(self, current, state):
        if current is None or state in ("present", "deployed"):
            return current
        now = current.get("state")
        vm_id = current.get("id")
        if state == "started" and now in RUNNING:
            return current
        if state == "stopped" and now in STOPPED:
            return current
        if state == "restarted" and now in RUNNING:
            command, target = "rebootVirtualMachine", "Running"
        elif state == "stopped":
            command, target = "stopVirtualMachine", "Stopped"
        else:
            command, target = "startVirtualMachine", "Running"
        self.changed({"state": now}, {"state": target})
        if self.module.check_mode or vm_id is None:
            return dict(current, state=target)
        return first(self.client.call(command, id=vm_id), self.key) or self.get()

    def returned(self, obj):
        out = super().returned(obj)
        nics = (obj or {}).get("nic") or []
        default = [nic for nic in nics if nic.get("isdefault")] or nics
        if default and default[0].get("ipaddress"):
            out["default_ip"] = default[0]["ipaddress"]
        return out


def main():
    Instance.main()


if __name__ == "__main__":
    main()
