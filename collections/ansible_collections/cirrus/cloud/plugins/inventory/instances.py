# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)

from __future__ import annotations

DOCUMENTATION = r"""
name: instances
short_description: Virtual machines of a Cirrus cloud as inventory hosts
description:
  - Lists the virtual machines the API user may see (C(listVirtualMachines) with C(listall)) and
    makes each one an inventory host, named after the VM.
  - O(connect_with=auto) (the default) sets C(ansible_host) to the public IP address the VM has
    through static NAT when it has one, else to the IP address of its default NIC. The
    addresses of port forwarding or load balancing rules to the VM are not used, since
    they do not reach its port 22 in general.
  - "Each host is put in groups, whose names have every character other than letters, digits
    and C(_) replaced by C(_): C(cirrus) (every VM), C(zone_<zone>), C(domain_<domain>),
    C(account_<domain>_<account>) (account names are unique only within their domain),
    C(network_<network>) for each network the VM has a NIC on, C(state_<state>) in lower
    case (C(state_running), C(state_stopped), ...), C(tag_<key>) and C(tag_<key>_<value>)
    for each resource tag."
  - The VM's facts become host variables whose names start with O(hostvars_prefix)
    (C(cirrus_id), C(cirrus_zone), C(cirrus_networks), C(cirrus_tags), ... see the examples);
    O(compose), O(groups) and O(keyed_groups) see them under those names.
  - Uses a YAML configuration file whose name ends with C(cirrus.yml) or C(cirrus.yaml).
  - Connection settings come from that file, or else from the environment, as for the
    collection's modules. The values of O(api_url), O(api_key) and O(api_secret) may be
    templates, for example a C(lookup).
author: Cirrus contributors (!UNKNOWN)
version_added: 0.1.0
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: Marks the file as a source of this plugin.
    type: str
    required: true
    choices: [cirrus.cloud.instances]
  api_url:
    description:
      - URL of the API, for example V(https://cirrus.example.com/client/api).
      - Required, here or in the environment.
    type: str
    env:
      - name: CLOUDSTACK_ENDPOINT
      - name: CIRRUS_ENDPOINT
  api_key:
    description:
      - API key of the user whose VMs are listed (an admin sees every VM of the domains
        it manages).
      - Required, here or in the environment.
    type: str
    env:
      - name: CLOUDSTACK_KEY
      - name: CIRRUS_API_KEY
  api_secret:
    description:
      - Secret key of that user; requests are signed with it.
      - Required, here or in the environment.
    type: str
    env:
      - name: CLOUDSTACK_SECRET
      - name: CIRRUS_SECRET_KEY
  api_http_method:
    description: HTTP method of the requests.
    type: str
    choices: [get, post]
    default: get
    env:
      - name: CLOUDSTACK_METHOD
      - name: CIRRUS_METHOD
  api_timeout:
    description: Timeout of one HTTP request, in seconds.
    type: int
    default: 10
    env:
      - name: CLOUDSTACK_TIMEOUT
      - name: CIRRUS_TIMEOUT
  validate_certs:
    description: Whether to verify the TLS certificate of an V(https) endpoint.
    type: bool
    default: true
    env:
      - name: CIRRUS_VALIDATE_CERTS
  zones:
    description:
      - Only VMs in these zones (names or ids). All zones when empty.
    type: list
    elements: str
    default: []
  domain:
    description:
      - Only VMs of this domain (a path such as V(ROOT/customers), or an id) and, with
        O(recursive), of its subdomains.
    type: str
  recursive:
    description: With O(domain), VMs of its subdomains too.
    type: bool
    default: true
  account:
    description: Only VMs of this account; needs O(domain).
    type: str
  states:
    description:
      - Only VMs in these states (V(Running), V(Stopped), ...; case does not matter). All
        but expunged VMs when empty.
    type: list
    elements: str
    default: []
  hostname:
    description:
      - Which name of the VM is the inventory host name. VMs of different accounts may have
        the same name; when two listed VMs would get the same host name, each of them is
        named C(<name>_<first 8 characters of its id>) instead.
    type: str
    choices: [name, display_name, id]
    default: name
  connect_with:
    description:
      - Which address becomes C(ansible_host).
      - V(auto), the public IP address of the VM's static NAT when it has one, else the IP
        address of its default NIC.
      - V(public_ip), the static NAT address only; VMs without one get no C(ansible_host).
      - V(private_ip), the IP address of the default NIC.
    type: str
    choices: [auto, public_ip, private_ip]
    default: auto
  hostvars_prefix:
    description: Prefix of the names of the host variables holding the VM's facts.
    type: str
    default: cirrus_
"""

EXAMPLES = r"""
# inventory/cirrus.yml; ansible-inventory --list -i inventory/cirrus.yml
# The connection comes from CIRRUS_ENDPOINT, CIRRUS_API_KEY and CIRRUS_SECRET_KEY (or
# CLOUDSTACK_ENDPOINT, CLOUDSTACK_KEY and CLOUDSTACK_SECRET).
plugin: cirrus.cloud.instances

---
# Running VMs of one customer domain, connection settings in the file, cached for 5 minutes.
plugin: cirrus.cloud.instances
api_url: https://cirrus.example.com/client/api
api_key: "{{ lookup('ansible.builtin.env', 'ACME_API_KEY') }}"
api_secret: "{{ lookup('ansible.builtin.env', 'ACME_SECRET_KEY') }}"
domain: ROOT/customers/acme
states: [Running]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/cirrus-inventory
cache_timeout: 300

---
# Groups and variables of your own from the VM's facts: cirrus_id, cirrus_name,
# cirrus_display_name, cirrus_account, cirrus_domain, cirrus_domain_id, cirrus_zone,
# cirrus_zone_id, cirrus_state, cirrus_host (root admins), cirrus_hypervisor,
# cirrus_instance_name (admins), cirrus_template, cirrus_service_offering,
# cirrus_cpu_number, cirrus_cpu_speed, cirrus_memory, cirrus_group, cirrus_ha_enabled,
# cirrus_created, cirrus_os, cirrus_private_ip, cirrus_public_ip, cirrus_networks,
# cirrus_nics, cirrus_security_groups, cirrus_tags.
plugin: cirrus.cloud.instances
connect_with: private_ip
keyed_groups:
  - key: cirrus_tags.role | default('none')
    prefix: role
  - key: cirrus_service_offering
    prefix: offering
groups:
  big: cirrus_memory >= 4096
compose:
  ansible_user: "'admin' if cirrus_template is search('Debian') else 'root'"
"""

import hashlib
import re
from typing import Any

from ansible.errors import AnsibleError
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible_collections.cirrus.cloud.plugins.module_utils.api import ApiClient, ApiError

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _group(name: str) -> str:
    """A group name with every character other than letters, digits and _ replaced."""
    return to_safe_group_name(name, force=True, silent=True)


def facts_of(vm: dict[str, Any]) -> dict[str, Any]:
    """What the inventory keeps of a listVirtualMachines item (unprefixed names)."""
    nics = [{
        "id": nic.get("id"), "network": nic.get("networkname"),
        "network_id": nic.get("networkid"), "ip_address": nic.get("ipaddress"),
        "netmask": nic.get("netmask"), "gateway": nic.get("gateway"),
        "mac_address": nic.get("macaddress"), "is_default": bool(nic.get("isdefault")),
        "type": nic.get("type"),
    } for nic in vm.get("nic") or []]
    default = next((nic for nic in nics if nic["is_default"]), nics[0] if nics else None)
    facts = {
        "id": vm.get("id"), "name": vm.get("name"),
        "display_name": vm.get("displayname") or vm.get("name"),
        "account": vm.get("account"), "domain": vm.get("domain"),
        "domain_id": vm.get("domainid"), "zone": vm.get("zonename"),
        "zone_id": vm.get("zoneid"), "state": vm.get("state"), "host": vm.get("hostname"),
        "hypervisor": vm.get("hypervisor"), "instance_name": vm.get("instancename"),
        "template": vm.get("templatename"), "template_id": vm.get("templateid"),
        "service_offering": vm.get("serviceofferingname"),
        "service_offering_id": vm.get("serviceofferingid"),
        "cpu_number": vm.get("cpunumber"), "cpu_speed": vm.get("cpuspeed"),
        "memory": vm.get("memory"), "group": vm.get("group"),
        "ha_enabled": vm.get("haenable"), "created": vm.get("created"),
        "os": vm.get("osdisplayname"),
        "private_ip": default["ip_address"] if default else None,
        "public_ip": vm.get("publicip"), "public_ip_id": vm.get("publicipid"),
        "networks": [nic["network"] for nic in nics if nic["network"]],
        "nics": nics,
        "security_groups": [group.get("name") for group in vm.get("securitygroup") or []],
        "tags": {tag.get("key"): tag.get("value") for tag in vm.get("tags") or []
                 if tag.get("key") is not None},
    }
    return {key: value for key, value in facts.items() if value is not None}


def groups_of(facts: dict[str, Any]) -> list[str]:
    """The built-in groups a VM belongs to (sanitized names)."""
    names = ["cirrus"]
    if facts.get("zone"):
        names.append(f"zone_{facts['zone']}")
    if facts.get("domain"):
        names.append(f"domain_{facts['domain']}")
        if facts.get("account"):
            names.append(f"account_{facts['domain']}_{facts['account']}")
    names.extend(f"network_{network}" for network in facts.get("networks", []))
    if facts.get("state"):
        names.append(f"state_{str(facts['state']).lower()}")
    for key, value in sorted(facts.get("tags", {}).items()):
        names.append(f"tag_{key}")
        names.append(f"tag_{key}_{value}")
    seen: list[str] = []
    for name in map(_group, names):
        if name not in seen:
            seen.append(name)
    return seen


def ansible_host_of(facts: dict[str, Any], connect_with: str) -> str | None:
    public, private = facts.get("public_ip"), facts.get("private_ip")
    if connect_with == "public_ip":
        return public
    if connect_with == "private_ip":
        return private
    return public or private


def host_names(vms: list[dict[str, Any]], hostname: str) -> list[str]:
    """Inventory names of the VMs in order; names two VMs share get each VM's id prefix."""
    wanted = [str(facts.get(hostname) or facts["id"]) for facts in vms]
    taken = {name for name in wanted if wanted.count(name) > 1}
    return [f"{name}_{facts['id'][:8]}" if name in taken else name
            for name, facts in zip(wanted, vms, strict=True)]


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "cirrus.cloud.instances"

    def verify_file(self, path: str) -> bool:
        return bool(super().verify_file(path)
                    and path.endswith(("cirrus.yml", "cirrus.yaml")))

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        vms = self._cached_or_fetched(path, cache)
        self._populate(vms)

    # -- fetching ------------------------------------------------------------------------

    def _connection(self) -> dict[str, Any]:
        """api_url, api_key and api_secret; templates (a lookup, a vaulted variable) are
        rendered."""
        settings = {}
        for name in ("api_url", "api_key", "api_secret"):
            value = self.get_option(name)
            if isinstance(value, str) and "{{" in value:
                value = self.templar.template(value)
            settings[name] = str(value) if value else None
        missing = [name for name, value in settings.items() if not value]
        if missing:
            raise AnsibleError(f"cirrus.cloud.instances needs {', '.join(missing)} (or the "
                               "CIRRUS_ENDPOINT, CIRRUS_API_KEY, CIRRUS_SECRET_KEY "
                               "environment variables)")
        return settings

    def _cached_or_fetched(self, path: str, cache: bool) -> list[dict[str, Any]]:
        connection = self._connection()
        use_cache = bool(self.get_option("cache"))
        # Who asks where and for what, not only the file, decides the cache entry.
        what = "|".join(str(value) for value in (
            connection["api_url"], connection["api_key"], self.get_option("zones"),
            self.get_option("domain"), self.get_option("recursive"),
            self.get_option("account"), self.get_option("states")))
        key = f"{self.get_cache_key(path)}_{hashlib.sha256(what.encode()).hexdigest()[:12]}"
        if use_cache and cache:
            try:
                return list(self._cache[key])
            except KeyError:
                pass
        client = ApiClient(connection["api_url"], connection["api_key"],
                           connection["api_secret"], timeout=self.get_option("api_timeout"),
                           method=self.get_option("api_http_method"),
                           verify=self.get_option("validate_certs"))
        vms = self._fetch(client)
        if use_cache:
            self._cache[key] = vms
        return vms

    def _fetch(self, client: ApiClient) -> list[dict[str, Any]]:
        try:
            scope: dict[str, Any] = {"listall": True}
            domain = self.get_option("domain")
            account = self.get_option("account")
            if account and not domain:
                raise AnsibleError("cirrus.cloud.instances: account needs domain")
            if domain:
                scope["domainid"] = self._domain_id(client, domain)
                scope["isrecursive"] = bool(self.get_option("recursive"))
            if account:
                scope["account"] = account
            zones = [self._zone_id(client, zone) for zone in self.get_option("zones") or []]
            items: list[dict[str, Any]] = []
            for zone_id in zones or [None]:
                items.extend(client.list_all("listVirtualMachines", "virtualmachine",
                                             zoneid=zone_id, **scope))
        except ApiError as error:
            raise AnsibleError(f"cirrus.cloud.instances: {error}") from None
        states = {state.lower() for state in self.get_option("states") or []}
        vms = [facts_of(vm) for vm in items]
        return [facts for facts in vms
                if not states or str(facts.get("state", "")).lower() in states]

    @staticmethod
    def _zone_id(client: ApiClient, zone: str) -> str:
        if _UUID.match(zone):
            found = _quiet_list(client, "listZones", "zone", id=zone)
            if found:
                return str(found[0]["id"])
        found = [item for item in client.list_all("listZones", "zone", name=zone)
                 if item.get("name") == zone]
        if not found:
            raise AnsibleError(f"cirrus.cloud.instances: zone {zone!r} not found")
        return str(found[0]["id"])

    @staticmethod
    def _domain_id(client: ApiClient, domain: str) -> str:
        if _UUID.match(domain):
            found = _quiet_list(client, "listDomains", "domain", id=domain, listall=True)
            if found:
                return str(found[0]["id"])
        parts = [part for part in domain.strip().strip("/").split("/") if part]
        if not parts or parts[0].upper() != "ROOT":
            parts.insert(0, "ROOT")
        path = "/".join(["ROOT", *parts[1:]])
        if path == "ROOT":
            found = client.list_all("listDomains", "domain", level=0, listall=True)
        else:
            found = client.list_all("listDomains", "domain", name=parts[-1], listall=True)
        found = [item for item in found if str(item.get("path", "")).upper() == path.upper()]
        if not found:
            raise AnsibleError(f"cirrus.cloud.instances: domain {domain!r} not found")
        return str(found[0]["id"])

    # -- populating ----------------------------------------------------------------------

    def _populate(self, vms: list[dict[str, Any]]) -> None:
        prefix = self.get_option("hostvars_prefix") or ""
        connect_with = self.get_option("connect_with")
        strict = self.get_option("strict")
        for name, facts in zip(host_names(vms, self.get_option("hostname")), vms, strict=True):
            self.inventory.add_host(name)
            for group in groups_of(facts):
                self.inventory.add_group(group)
                self.inventory.add_child(group, name)
            variables = {f"{prefix}{key}": value for key, value in facts.items()}
            address = ansible_host_of(facts, connect_with)
            if address:
                variables["ansible_host"] = address
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name,
                                     strict=strict)
            # Groups see the composed variables too.
            variables = self.inventory.get_host(name).get_vars()
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name,
                                              strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name,
                                           strict=strict)


def _quiet_list(client: ApiClient, command: str, key: str, **filters: Any
                ) -> list[dict[str, Any]]:
    """A listing by id; none when the API answers 431 for an id that names nothing."""
    try:
        return client.list_all(command, key, **filters)
    except ApiError as error:
        if error.code == 431:
            return []
        raise
