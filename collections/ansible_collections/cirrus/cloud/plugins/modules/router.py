#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: router
short_description: Manages virtual routers
description:
  - Starts, stops, reboots and destroys the virtual routers of guest networks
    (C(startRouter), C(stopRouter), C(rebootRouter), C(destroyRouter)); administrators
    only. The cloud makes a network's router when the network needs one, so the module
    does not create routers (V(present) fails when there is none).
  - A router is found by O(name), or as the router of O(network).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  name:
    description: Name of the router.
    type: str
  network:
    description: Name or id of the network whose router is meant.
    type: str
  zone:
    description: Name or id of the zone of the router.
    type: str
  state:
    description:
      - V(started) and V(stopped) set the router's power state; V(restarted) reboots a
        running router (its configuration is applied again) and starts a stopped one,
        always a change; V(absent) destroys it (the network gets a new one when it needs
        one).
    type: str
    choices: [present, started, stopped, restarted, absent]
    default: present
  account:
    description: Account of the network (with O(domain)); the caller's own when not set.
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
- name: The web network's router, restarted
  cirrus.cloud.router:
    network: web
    zone: zone-1
    account: acme
    domain: ROOT/customers
    state: restarted
"""

RETURN = r"""
id:
  description: Id of the router.
  returned: success
  type: str
name:
  description: Name of the router.
  returned: success
  type: str
  sample: r-12-VM
router_state:
  description: "State of the router: Running, Stopped, Starting, Stopping, ..."
  returned: success
  type: str
  sample: Running
zone:
  description: Name of the zone of the router.
  returned: success
  type: str
zone_id:
  description: Id of that zone.
  returned: success
  type: str
dns1:
  description: First DNS server of the router.
  returned: success
  type: str
dns2:
  description: Second DNS server of the router.
  returned: success
  type: str
network_domain:
  description: DNS domain the router serves.
  returned: success
  type: str
gateway:
  description: Public gateway of the router.
  returned: success
  type: str
public_ip:
  description: Public address of the router.
  returned: success
  type: str
guest_ip_address:
  description: Address of the router on its guest network.
  returned: success
  type: str
network:
  description: Name of the guest network of the router.
  returned: success
  type: str
network_id:
  description: Id of that network.
  returned: success
  type: str
host:
  description: Name of the host of the router.
  returned: success
  type: str
host_id:
  description: Id of that host.
  returned: success
  type: str
link_local_ip:
  description: Link-local address of the router.
  returned: success
  type: str
account:
  description: Account of the router's network.
  returned: success
  type: str
domain:
  description: Domain of that account.
  returned: success
  type: str
domain_id:
  description: Id of that domain.
  returned: success
  type: str
created:
  description: When the router was made.
  returned: success
  type: str
role:
  description: Role of the router.
  returned: success
  type: str
requires_upgrade:
  description: Whether the router runs an older system VM image than the cloud's.
  returned: success
  type: bool
redundant_state:
  description: Redundancy state of the router.
  returned: success
  type: str
version:
  description: Version of the router's image.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import CirrusModule, first
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import ROUTER

# A router state as the module's state option says it.
WORDS = {"Running": "started", "Starting": "started", "Stopped": "stopped",
         "Stopping": "stopped"}


class Router(CirrusModule):
    noun = "router"
    key = "router"
    list_command = "listRouters"
    tenant = True
    options = {
        "name": {"type": "str"},
        "network": {"type": "str"},
        "zone": {"type": "str"},
        "state": {"type": "str", "default": "present",
                  "choices": ["present", "started", "stopped", "restarted", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    required_one_of = [["name", "network"]]
    returns = ROUTER

    def __init__(self, module):
        super().__init__(module)
        self.before = {}
        self.after = {}

    def get(self):
        absent = self.params["state"] == "absent"
        owner = self.owner(missing_ok=absent)
        if owner is None:
            return None
        scope = dict(owner) if owner else {"listall": True}
        for option, param in (("zone", "zoneid"), ("network", "networkid")):
            if self.params[option]:
                scope[param] = self.ref_id(option, missing_ok=absent)
                if scope[param] is None:
                    return None
        name = self.params["name"]
        if name:
            return self.find(self.list_command, self.key, match={"name": name}, name=name,
                             **scope)
        return self.find(self.list_command, self.key, **scope)

    def changed(self, before, after):
        self.result["changed"] = True
        self.before.update(before)
        self.after.update(after)

    def run(self):
        state = self.params["state"]
        router = self.get()
        if router is None:
            if state != "absent":
                what = self.params["name"] or f"of network {self.params['network']!r}"
                self.fail(f"router {what} not found: the cloud makes a network's router "
                          "when the network needs one (a machine starts on it)")
        elif state == "absent":
            self.changed({"state": WORDS.get(router.get("state"), router.get("state"))},
                         {"state": "absent"})
            if not self.module.check_mode:
                self.client.call("destroyRouter", id=router["id"])
        else:
            router = self.power(router, state)
        self.result.update(self.returned(router))
        self.result["diff"] = {"before": self.before, "after": self.after}

    def power(self, router, state):
        now = router.get("state")
        word = WORDS.get(now, str(now).lower())
        if state == "present" or (state == word and state in ("started", "stopped")):
            return router
        if state == "stopped":
            command, target = "stopRouter", "Stopped"
        elif state == "restarted" and word == "started":
            command, target = "rebootRouter", "Running"
        else:
            command, target = "startRouter", "Running"
        self.changed({"state": word}, {"state": state})
        if self.module.check_mode:
            return dict(router, state=target)
        return first(self.client.call(command, id=router["id"]), self.key) or self.get()


def main():
    Router.main()


if __name__ == "__main__":
    main()
