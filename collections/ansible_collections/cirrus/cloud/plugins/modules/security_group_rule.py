#!/usr/bin/python
# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
module: security_group_rule
short_description: Manages rules of security groups
description:
  - Authorizes ingress and egress traffic of a security group and revokes it
    (C(authorizeSecurityGroupIngress), C(authorizeSecurityGroupEgress),
    C(revokeSecurityGroupIngress), C(revokeSecurityGroupEgress)).
  - A rule is found by all its values (direction, protocol, ports or ICMP type and code,
    and the source network or group), so a different value is another rule.
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
options:
  security_group:
    description: Name or id of the group.
    type: str
    required: true
  type:
    description: Direction of the rule.
    type: str
    choices: [ingress, egress]
    default: ingress
  protocol:
    description: Protocol of the rule.
    type: str
    choices: [tcp, udp, icmp, all]
    default: tcp
  start_port:
    description: First port of a TCP or UDP rule.
    type: int
    aliases: [port]
  end_port:
    description: Last port of a TCP or UDP rule; O(start_port) alone when not set.
    type: int
  icmp_type:
    description: ICMP type of an ICMP rule.
    type: int
  icmp_code:
    description: ICMP code of an ICMP rule.
    type: int
  cidr:
    description: Network the rule allows (from, or to for egress); V(0.0.0.0/0) unless O(user_security_group) is set.
    type: str
  user_security_group:
    description: Name of a group of the same account whose machines the rule allows, instead of O(cidr).
    type: str
  state:
    description: Whether the rule is present or absent.
    type: str
    choices: [present, absent]
    default: present
  account:
    description: Account of the group (with O(domain)); the caller's own when not set.
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
- name: SSH from the office
  cirrus.cloud.security_group_rule:
    security_group: web
    port: 22
    cidr: 198.51.100.0/24

- name: The database port from the web servers
  cirrus.cloud.security_group_rule:
    security_group: db
    port: 5432
    user_security_group: web
"""

RETURN = r"""
id:
  description: Id of the rule.
  returned: success
  type: str
security_group:
  description: Name of the group of the rule.
  returned: success
  type: str
type:
  description: Direction of the rule.
  returned: success
  type: str
  sample: ingress
protocol:
  description: Protocol of the rule.
  returned: success
  type: str
  sample: tcp
start_port:
  description: First port of the rule.
  returned: success
  type: int
  sample: 22
end_port:
  description: Last port of the rule.
  returned: success
  type: int
  sample: 22
icmp_type:
  description: ICMP type of the rule.
  returned: success
  type: int
icmp_code:
  description: ICMP code of the rule.
  returned: success
  type: int
cidr:
  description: Network the rule allows.
  returned: success
  type: str
user_security_group:
  description: Group whose machines the rule allows.
  returned: success
  type: str
"""

from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    Field,
    ResourceModule,
    text,
)

ANY = "0.0.0.0/0"


def icmp(value):
    """An ICMP type or code as compared: any (-1, the API's) or a number."""
    return "" if value is None or text(value) == "-1" else text(value)


class SecurityGroupRule(ResourceModule):
    noun = "security group rule"
    key = "securitygroup"
    list_command = "listSecurityGroups"
    create_command = "authorizeSecurityGroupIngress"
    delete_command = "revokeSecurityGroupIngress"
    tenant = True
    options = {
        "security_group": {"type": "str", "required": True},
        "type": {"type": "str", "default": "ingress", "choices": ["ingress", "egress"]},
        "protocol": {"type": "str", "default": "tcp",
                     "choices": ["tcp", "udp", "icmp", "all"]},
        "start_port": {"type": "int", "aliases": ["port"]},
        "end_port": {"type": "int"},
        "icmp_type": {"type": "int"},
        "icmp_code": {"type": "int"},
        "cidr": {"type": "str"},
        "user_security_group": {"type": "str"},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "account": {"type": "str"},
        "domain": {"type": "str"},
    }
    mutually_exclusive = [["cidr", "user_security_group"]]
    # The rule's values are matched in get(); none is compared after it is found.
    fields = (
        Field("security_group", "securitygroupid", ref="security_group", mutable=False,
              compare=False),
        Field("protocol", "protocol", mutable=False, compare=False),
        Field("start_port", "startport", mutable=False, compare=False),
        Field("end_port", "endport", mutable=False, compare=False),
        Field("icmp_type", "icmptype", mutable=False, compare=False),
        Field("icmp_code", "icmpcode", mutable=False, compare=False),
        Field("cidr", "cidrlist", mutable=False, compare=False),
        Field("user_security_group", "usersecuritygrouplist", mutable=False, compare=False),
    )
    computed = ("id", "security_group", "type", "protocol", "start_port", "end_port",
                "icmp_type", "icmp_code", "cidr", "user_security_group")

    def egress(self):
        return self.params["type"] == "egress"

    def get(self):
        absent = self.params["state"] == "absent"
        group_id = self.ref_id("security_group", missing_ok=absent)
        owner = self.owner(missing_ok=absent)
        if group_id is None or owner is None:
            return None
        self.group = self.find(self.list_command, self.key, id=group_id, **owner)
        rules = (self.group or {}).get("egressrule" if self.egress() else "ingressrule")
        found = [rule for rule in rules or [] if self.matches(rule)]
        return self.rule(found[0]) if found else None

    def ends(self):
        p = self.params
        if p["protocol"] in ("tcp", "udp"):
            start = p["start_port"]
            return start, p["end_port"] if p["end_port"] is not None else start
        return None, None

    def matches(self, rule):
        p = self.params
        start, end = self.ends()
        same = (text(rule.get("protocol")).lower() == p["protocol"]
                and text(rule.get("startport")) == text(start)
                and text(rule.get("endport")) == text(end))
        if p["protocol"] == "icmp":
            same = same and icmp(rule.get("icmptype")) == icmp(p["icmp_type"]) \
                and icmp(rule.get("icmpcode")) == icmp(p["icmp_code"])
        if p["user_security_group"]:
            return same and rule.get("securitygroupname") == p["user_security_group"]
        return same and rule.get("cidr") == (p["cidr"] or ANY)

    def rule(self, listed):
        """A listed rule as the module shows it (the API's key names)."""
        return dict(listed, id=listed.get("ruleid"), group=self.group.get("name"))

    def returned(self, obj):
        if not obj:
            return {}
        return {"id": obj.get("id"), "security_group": obj.get("group"),
                "type": self.params["type"], "protocol": obj.get("protocol"),
                "start_port": obj.get("startport"), "end_port": obj.get("endport"),
                "icmp_type": obj.get("icmptype"), "icmp_code": obj.get("icmpcode"),
                "cidr": obj.get("cidr"),
                "user_security_group": obj.get("securitygroupname")}

    def run(self):
        current = self.get()
        wanted = self.wanted_rule()
        if self.params["state"] == "absent":
            if current is not None:
                self.changed(self.returned(current), {})
                if not self.module.check_mode:
                    command = "revokeSecurityGroupEgress" if self.egress() \
                        else self.delete_command
                    self.client.call(command, id=current["id"])
        elif current is None:
            self.changed({}, {k: v for k, v in self.returned(wanted).items()
                              if v is not None and k != "id"})
            if not self.module.check_mode:
                current = self.authorize()
            else:
                current = wanted
        self.result.update({k: v for k, v in self.returned(current).items()
                            if v is not None})
        self.result["diff"] = {"before": self.before, "after": self.after}

    def wanted_rule(self):
        p = self.params
        start, end = self.ends()
        return {"protocol": p["protocol"], "startport": start, "endport": end,
                "icmptype": p["icmp_type"], "icmpcode": p["icmp_code"],
                "cidr": None if p["user_security_group"] else (p["cidr"] or ANY),
                "securitygroupname": p["user_security_group"],
                "group": self.params["security_group"]}

    def authorize(self):
        p = self.params
        start, end = self.ends()
        params = {"securitygroupid": self.group["id"], "protocol": p["protocol"],
                  "startport": start, "endport": end}
        if p["protocol"] == "icmp":
            params.update(icmptype=p["icmp_type"], icmpcode=p["icmp_code"])
        if p["user_security_group"]:
            params["usersecuritygrouplist[0].account"] = self.group.get("account")
            params["usersecuritygrouplist[0].group"] = p["user_security_group"]
        else:
            params["cidrlist"] = p["cidr"] or ANY
        command = "authorizeSecurityGroupEgress" if self.egress() else self.create_command
        self.client.call(command, **params)
        return self.get()


def main():
    SecurityGroupRule.main()


if __name__ == "__main__":
    main()
