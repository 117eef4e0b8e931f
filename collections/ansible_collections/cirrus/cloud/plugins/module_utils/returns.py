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
