# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""What the modules return of each kind of object: API answer key -> result key.

A module and its _info module return the same keys; each documents them in RETURN (the
collection's tests compare the two).
"""

from __future__ import annotations

ZONE = {
    "id": "id", "name": "name", "networktype": "network_type", "dns1": "dns1",
    "dns2": "dns2", "internaldns1": "internal_dns1", "internaldns2": "internal_dns2",
    "guestcidraddress": "guest_cidr_address", "vlan": "vlan",
    "isolationmethod": "isolation_method", "domain": "network_domain",
    "domainname": "domain", "domainid": "domain_id", "allocationstate": "allocation_state",
    "securitygroupsenabled": "securitygroups_enabled",
    "localstorageenabled": "local_storage_enabled", "dhcpprovider": "dhcp_provider",
}

POD = {
    "id": "id", "name": "name", "zonename": "zone", "zoneid": "zone_id",
    "gateway": "gateway", "netmask": "netmask", "startip": "start_ip", "endip": "end_ip",
    "allocationstate": "allocation_state",
}

CLUSTER = {
    "id": "id", "name": "name", "zonename": "zone", "zoneid": "zone_id", "podname": "pod",
    "podid": "pod_id", "hypervisortype": "hypervisor", "clustertype": "cluster_type",
    "allocationstate": "allocation_state", "managedstate": "managed_state",
    "libvirtdomaintype": "libvirt_domain_type",
    "cpuovercommitratio": "cpu_overcommit_ratio",
    "memoryovercommitratio": "memory_overcommit_ratio",
}

HOST = {
    "id": "id", "name": "name", "state": "host_state", "type": "type",
    "ipaddress": "ip_address", "zonename": "zone", "zoneid": "zone_id", "podname": "pod",
    "podid": "pod_id", "clustername": "cluster", "clusterid": "cluster_id",
    "hypervisor": "hypervisor", "version": "version", "cpunumber": "cpu_number",
    "cpuspeed": "cpu_speed", "memorytotal": "memory_total", "hosttags": "host_tags",
    "resourcestate": "resource_state", "created": "created",
}

STORAGE_POOL = {
    "id": "id", "name": "name", "zonename": "zone", "zoneid": "zone_id", "podname": "pod",
    "podid": "pod_id", "clustername": "cluster", "clusterid": "cluster_id",
    "ipaddress": "ip_address", "path": "path", "type": "type", "scope": "scope",
    "hypervisor": "hypervisor", "disksizetotal": "capacity_bytes",
    "disksizeallocated": "disk_size_allocated", "disksizeused": "disk_size_used",
    "tags": "storage_tags", "state": "pool_state", "created": "created",
}

SECONDARY_STORAGE = {
    "id": "id", "name": "name", "zonename": "zone", "zoneid": "zone_id", "url": "url",
    "protocol": "protocol", "providername": "provider", "scope": "scope",
    "state": "store_state", "disksizetotal": "disk_size_total",
    "disksizeused": "disk_size_used",
}

VLAN_IP_RANGE = {
    "id": "id", "zoneid": "zone_id", "vlan": "vlan", "startip": "start_ip",
    "endip": "end_ip", "gateway": "gateway", "netmask": "netmask",
    "forvirtualnetwork": "for_virtual_network", "podid": "pod_id", "podname": "pod",
    "account": "account", "domain": "domain", "domainid": "domain_id",
    "networkid": "network_id", "description": "description",
}

SERVICE_OFFERING = {
    "id": "id", "name": "name", "displaytext": "display_text", "cpunumber": "cpu_number",
    "cpuspeed": "cpu_speed", "memory": "memory", "offerha": "offer_ha",
    "limitcpuuse": "limit_cpu_usage", "storagetype": "storage_type",
    "tags": "storage_tags", "hosttags": "host_tags", "networkrate": "network_rate",
    "domain": "domain", "domainid": "domain_id", "issystem": "is_system",
    "systemvmtype": "system_vm_type", "created": "created",
}

DISK_OFFERING = {
    "id": "id", "name": "name", "displaytext": "display_text", "disksize": "disk_size",
    "iscustomized": "customized", "storagetype": "storage_type", "tags": "storage_tags",
    "domain": "domain", "domainid": "domain_id", "created": "created",
}

DOMAIN = {
    "id": "id", "name": "name", "path": "path", "level": "level",
    "parentdomainid": "parent_domain_id", "parentdomainname": "parent_domain",
    "networkdomain": "network_domain", "haschild": "has_child",
}

ACCOUNT = {
    "id": "id", "name": "name", "accounttype": "account_type", "roletype": "role_type",
    "domain": "domain", "domainid": "domain_id", "domainpath": "domain_path",
    "state": "account_state", "networkdomain": "network_domain", "created": "created",
}

USER = {
    "id": "id", "username": "username", "firstname": "first_name",
    "lastname": "last_name", "email": "email", "account": "account",
    "accountid": "account_id", "accounttype": "account_type", "domain": "domain",
    "domainid": "domain_id", "state": "user_state", "timezone": "timezone",
    "apikey": "user_api_key", "created": "created",
}

RESOURCE_LIMIT = {
    "resourcetype": "resource_type", "resourcetypename": "resource_type_name",
    "max": "limit", "account": "account", "domain": "domain", "domainid": "domain_id",
}

CONFIGURATION = {
    "name": "name", "value": "value", "category": "category",
    "description": "description", "defaultvalue": "default_value", "type": "type",
}

INSTANCE = {
    "id": "id", "name": "name", "displayname": "display_name", "group": "group",
    "account": "account", "domain": "domain", "domainid": "domain_id",
    "created": "created", "state": "instance_state", "haenable": "ha_enabled",
    "zoneid": "zone_id", "zonename": "zone", "hostid": "host_id", "hostname": "host",
    "instancename": "instance_name", "templateid": "template_id",
    "templatename": "template", "templatedisplaytext": "template_display_text",
    "passwordenabled": "password_enabled", "isoid": "iso_id", "isoname": "iso",
    "serviceofferingid": "service_offering_id", "serviceofferingname": "service_offering",
    "cpunumber": "cpu_number", "cpuspeed": "cpu_speed", "memory": "memory",
    "hypervisor": "hypervisor", "userdata": "user_data", "nic": "nics",
    "securitygroup": "security_groups",
}

VOLUME = {
    "id": "id", "name": "name", "zoneid": "zone_id", "zonename": "zone", "type": "type",
    "deviceid": "device_id", "virtualmachineid": "vm_id", "vmname": "vm",
    "vmstate": "vm_state", "size": "size", "created": "created", "attached": "attached",
    "state": "volume_state", "account": "account", "domain": "domain",
    "domainid": "domain_id", "diskofferingid": "disk_offering_id",
    "diskofferingname": "disk_offering", "storage": "storage", "storageid": "storage_id",
    "hypervisor": "hypervisor", "snapshotid": "snapshot_id",
}

SNAPSHOT = {
    "id": "id", "name": "name", "account": "account", "domain": "domain",
    "domainid": "domain_id", "snapshottype": "snapshot_type",
    "intervaltype": "interval_type", "volumeid": "volume_id", "volumename": "volume",
    "volumetype": "volume_type", "created": "created", "state": "snapshot_state",
    "zoneid": "zone_id", "zonename": "zone", "physicalsize": "physical_size",
    "virtualsize": "virtual_size", "locationtype": "location_type",
}

SNAPSHOT_POLICY = {
    "id": "id", "volumeid": "volume_id", "schedule": "schedule",
    "intervaltype": "interval_type", "maxsnaps": "max_snaps", "timezone": "time_zone",
}

# What listSnapshotPolicies answers as intervaltype: 0 hourly, 1 daily, 2 weekly, 3 monthly.
INTERVALS = ("hourly", "daily", "weekly", "monthly")


def interval_name(value: object) -> str:
    """A policy's interval type (0-3 as listed, or a name) as the modules say it."""
    try:
        return INTERVALS[int(str(value))]
    except (ValueError, IndexError):
        return str(value).lower()


TEMPLATE = {
    "id": "id", "name": "name", "displaytext": "display_text", "ispublic": "is_public",
    "isfeatured": "is_featured", "isextractable": "is_extractable", "created": "created",
    "ostypeid": "os_type_id", "ostypename": "os_type", "checksum": "checksum",
    "bootable": "bootable", "passwordenabled": "password_enabled", "account": "account",
    "domain": "domain", "domainid": "domain_id", "format": "format",
    "hypervisor": "hypervisor", "templatetype": "template_type",
    "requireshvm": "requires_hvm", "zoneid": "zone_id", "zonename": "zone",
    "isready": "is_ready", "status": "status", "size": "size", "crossZones": "cross_zones",
}

ISO = {
    "id": "id", "name": "name", "displaytext": "display_text", "ispublic": "is_public",
    "isfeatured": "is_featured", "isextractable": "is_extractable", "created": "created",
    "ostypeid": "os_type_id", "ostypename": "os_type", "checksum": "checksum",
    "bootable": "bootable", "account": "account", "domain": "domain",
    "domainid": "domain_id", "zoneid": "zone_id", "zonename": "zone", "isready": "is_ready",
    "status": "status", "size": "size", "crossZones": "cross_zones",
}

NETWORK = {
    "id": "id", "name": "name", "displaytext": "display_text",
    "traffictype": "traffic_type", "gateway": "gateway", "netmask": "netmask",
    "cidr": "cidr", "startip": "start_ip", "endip": "end_ip", "zoneid": "zone_id",
    "zonename": "zone", "networkofferingid": "network_offering_id",
    "networkofferingname": "network_offering",
    "networkofferingdisplaytext": "network_offering_display_text",
    "networkofferingavailability": "network_offering_availability",
    "isshared": "is_shared", "issystem": "is_system", "state": "network_state",
    "broadcastdomaintype": "broadcast_domain_type", "broadcasturi": "broadcast_uri",
    "dns1": "dns1", "dns2": "dns2", "type": "type", "guestiptype": "guest_ip_type",
    "vlan": "vlan", "isolationmethod": "isolation_method", "account": "account",
    "domain": "domain", "domainid": "domain_id", "isdefault": "is_default",
    "networkdomain": "network_domain",
}

PUBLIC_IP = {
    "id": "id", "ipaddress": "ip_address", "allocated": "allocated", "zoneid": "zone_id",
    "zonename": "zone", "issourcenat": "is_source_nat", "account": "account",
    "domain": "domain", "domainid": "domain_id",
    "forvirtualnetwork": "for_virtual_network", "vlanid": "vlan_id", "vlanname": "vlan",
    "isstaticnat": "is_static_nat", "virtualmachineid": "vm_id",
    "virtualmachinename": "vm", "virtualmachinedisplayname": "vm_display_name",
    "associatednetworkid": "network_id", "state": "ip_address_state",
}

STATIC_NAT = {
    "id": "id", "ipaddress": "ip_address", "zoneid": "zone_id", "zonename": "zone",
    "account": "account", "domain": "domain", "domainid": "domain_id",
    "isstaticnat": "is_static_nat", "virtualmachineid": "vm_id",
    "virtualmachinename": "vm", "virtualmachinedisplayname": "vm_display_name",
    "associatednetworkid": "network_id",
}

PORT_FORWARD = {
    "id": "id", "protocol": "protocol", "ipaddressid": "ip_address_id",
    "ipaddress": "ip_address", "virtualmachineid": "vm_id", "virtualmachinename": "vm",
    "virtualmachinedisplayname": "vm_display_name", "state": "rule_state",
    "cidrlist": "cidr", "publicport": "public_port", "publicendport": "public_end_port",
    "privateport": "private_port", "privateendport": "private_end_port",
    "vmguestip": "vm_guest_ip", "networkid": "network_id",
}

FIREWALL = {
    "id": "id", "protocol": "protocol", "startport": "start_port", "endport": "end_port",
    "ipaddressid": "ip_address_id", "ipaddress": "ip_address", "networkid": "network_id",
    "state": "rule_state", "cidrlist": "cidr", "icmptype": "icmp_type",
    "icmpcode": "icmp_code", "traffictype": "traffic_type",
}

LOAD_BALANCER = {
    "id": "id", "name": "name", "description": "description", "algorithm": "algorithm",
    "publicipid": "ip_address_id", "publicip": "ip_address", "publicport": "public_port",
    "privateport": "private_port", "protocol": "protocol", "cidrlist": "cidr",
    "account": "account", "domain": "domain", "domainid": "domain_id", "zoneid": "zone_id",
    "networkid": "network_id", "state": "rule_state",
}

SECURITY_GROUP = {
    "id": "id", "name": "name", "description": "description", "account": "account",
    "domain": "domain", "domainid": "domain_id", "ingressrule": "ingress_rules",
    "egressrule": "egress_rules", "virtualmachinecount": "vm_count",
    "virtualmachineids": "vm_ids",
}

VPN = {
    "id": "id", "publicipid": "ip_address_id", "publicip": "ip_address",
    "iprange": "ip_range", "presharedkey": "preshared_key", "state": "vpn_state",
    "networkid": "network_id", "account": "account", "domain": "domain",
    "domainid": "domain_id",
}

VPN_USER = {
    "id": "id", "username": "username", "state": "vpn_user_state", "account": "account",
    "domain": "domain", "domainid": "domain_id",
}

ROUTER = {
    "id": "id", "name": "name", "state": "router_state", "zoneid": "zone_id",
    "zonename": "zone", "dns1": "dns1", "dns2": "dns2", "networkdomain": "network_domain",
    "gateway": "gateway", "publicip": "public_ip", "guestipaddress": "guest_ip_address",
    "guestnetworkid": "network_id", "guestnetworkname": "network", "hostid": "host_id",
    "hostname": "host", "linklocalip": "link_local_ip", "account": "account",
    "domain": "domain", "domainid": "domain_id", "created": "created", "role": "role",
    "requiresupgrade": "requires_upgrade", "redundantstate": "redundant_state",
    "version": "version",
}
