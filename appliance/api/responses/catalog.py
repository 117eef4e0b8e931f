"""Wire shapes of offerings, OS types, templates, ISOs, their permissions and tags."""

from __future__ import annotations

import json
from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import (
    Account,
    DiskOffering,
    Domain,
    DownloadStatus,
    NetworkOffering,
    OsCategory,
    OsType,
    ServiceOffering,
    Template,
    TemplateZone,
    Zone,
)
from appliance.services import tags
from appliance.services.context import CallContext
from appliance.services.templates import registry

GIB = 1024**3


def _domain(ctx: CallContext, domain_id: str | None) -> Domain | None:
    return ctx.session.get(Domain, domain_id) if domain_id else None


def render_service_offering(offering: ServiceOffering, ctx: CallContext) -> dict[str, Any]:
    domain = _domain(ctx, offering.domain_id)
    return drop_none({
        "id": offering.id, "name": offering.name, "displaytext": offering.display_text,
        "cpunumber": offering.cpu_number, "cpuspeed": offering.cpu_speed,
        "memory": offering.memory, "created": wire_date(offering.created),
        "storagetype": offering.storage_type, "offerha": offering.offer_ha,
        "limitcpuuse": offering.limit_cpu_use, "tags": offering.tags,
        "hosttags": offering.host_tags, "networkrate": offering.network_rate,
        "domainid": offering.domain_id, "domain": domain.name if domain else None,
        "issystem": offering.is_system, "systemvmtype": offering.system_vm_type,
        "defaultuse": False,
    })


SERVICE_OFFERING = ResponseSpec("serviceoffering", (
    ("id", "the id of the service offering"), ("name", "the name of the service offering"),
    ("displaytext", "an alternate display text of the service offering"),
    ("cpunumber", "the number of CPU"), ("cpuspeed", "the clock rate CPU speed in Mhz"),
    ("memory", "the memory in MB"), ("created", "the date this service offering was created"),
    ("storagetype", "the storage type for this service offering (shared or local)"),
    ("offerha", "the ha support in the service offering"),
    ("limitcpuuse", "restrict the CPU usage to committed service offering"),
    ("tags", "the tags for the service offering"),
    ("hosttags", "the host tag for the service offering"),
    ("networkrate", "data transfer rate in megabits per second allowed"),
    ("domainid", "the domain id of the service offering"),
    ("domain", "Domain name for the offering"),
    ("issystem", "is this a system vm offering"),
    ("systemvmtype", "is this a the systemvm type for system vm offering"),
    ("defaultuse", "is this a default system vm offering"),
), render_service_offering)


def render_disk_offering(offering: DiskOffering, ctx: CallContext) -> dict[str, Any]:
    domain = _domain(ctx, offering.domain_id)
    return drop_none({
        "id": offering.id, "name": offering.name, "displaytext": offering.display_text,
        "disksize": offering.disk_size // GIB, "created": wire_date(offering.created),
        "iscustomized": offering.is_customized, "tags": offering.tags,
        "storagetype": offering.storage_type, "domainid": offering.domain_id,
        "domain": domain.name if domain else None,
    })


DISK_OFFERING = ResponseSpec("diskoffering", (
    ("id", "unique ID of the disk offering"), ("name", "the name of the disk offering"),
    ("displaytext", "an alternate display text of the disk offering"),
    ("disksize", "the size of the disk offering in GB"),
    ("created", "the date this disk offering was created"),
    ("iscustomized", "true if disk offering uses custom size, false otherwise"),
    ("tags", "the tags for the disk offering"),
    ("storagetype", "the storage type for this disk offering"),
    ("domainid", "the domain ID this disk offering belongs to; empty when public"),
    ("domain", "the domain name this disk offering belongs to; empty when public"),
), render_disk_offering)


def render_network_offering(offering: NetworkOffering, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "id": offering.id, "name": offering.name, "displaytext": offering.display_text,
        "traffictype": offering.traffic_type, "guestiptype": offering.guest_ip_type,
        "availability": offering.availability, "isdefault": offering.is_default,
        "specifyvlan": offering.specify_vlan, "networkrate": offering.network_rate,
        "created": wire_date(offering.created), "state": offering.state,
        "service": [{"name": name} for name in json.loads(offering.services or "[]")],
    })


NETWORK_OFFERING = ResponseSpec("networkoffering", (
    ("id", "the id of the network offering"), ("name", "the name of the network offering"),
    ("displaytext", "an alternate display text of the network offering"),
    ("traffictype", "the traffic type for the network offering"),
    ("guestiptype", "guest ip type of the network offering (Virtual or Direct)"),
    ("availability", "availability of the network offering (Required, Optional, "
                     "Unavailable)"),
    ("isdefault", "true if network offering is default, false otherwise"),
    ("specifyvlan", "true if network offering supports vlans, false otherwise"),
    ("networkrate", "data transfer rate in megabits per second allowed"),
    ("created", "the date this network offering was created"),
    ("state", "state of the network offering"),
    ("service", "the list of supported services"),
), render_network_offering)


def render_os_type(os_type: OsType, ctx: CallContext) -> dict[str, Any]:
    return {"id": os_type.id, "oscategoryid": os_type.category_id,
            "description": os_type.description}


OS_TYPE = ResponseSpec("ostype", (
    ("id", "the ID of the OS type"), ("oscategoryid", "the ID of the OS category"),
    ("description", "the name/description of the OS type"),
), render_os_type)


def render_os_category(category: OsCategory, ctx: CallContext) -> dict[str, Any]:
    return {"id": category.id, "name": category.name}


OS_CATEGORY = ResponseSpec("oscategory", (
    ("id", "the ID of the OS category"), ("name", "the name of the OS category"),
), render_os_category)


def download_status(copy: TemplateZone) -> str:
    """The `status` text CloudStack shows for a copy: progress, completion or the error."""
    if copy.status == DownloadStatus.DOWNLOADED:
        return "Download Complete"
    if copy.status == DownloadStatus.DOWNLOAD_IN_PROGRESS:
        if copy.download_pct >= 100:
            return "Installing Template"
        return f"{copy.download_pct}% Downloaded"
    if copy.status == DownloadStatus.DOWNLOAD_ERROR:
        return copy.error or "Download failed"
    if copy.status == DownloadStatus.ABANDONED:
        return "Abandoned"
    return "Processing"


def _owner_fields(ctx: CallContext, template: Template) -> dict[str, Any]:
    account = ctx.session.get(Account, template.account_id)
    domain = _domain(ctx, template.domain_id)
    return {"account": account.name if account else None, "accountid": template.account_id,
            "domain": domain.name if domain else None, "domainid": template.domain_id}


def render_template(item: Template | TemplateZone, ctx: CallContext) -> dict[str, Any]:
    """A template or ISO; given a zone copy, with that zone's status, readiness and size."""
    copy = item if isinstance(item, TemplateZone) else None
    template = copy.template if copy is not None else item
    assert isinstance(template, Template)
    zone = ctx.session.get(Zone, copy.zone_id) if copy is not None else None
    os_type = template.os_type
    rtype = "ISO" if template.is_iso else "Template"
    body: dict[str, Any] = {
        "id": template.id, "name": template.name, "displaytext": template.display_text,
        "ispublic": template.is_public, "isfeatured": template.is_featured,
        "isextractable": template.is_extractable, "created": wire_date(template.created),
        "ostypeid": template.os_type_id, "ostypename": os_type.description if os_type else None,
        "crossZones": template.cross_zones, "checksum": template.checksum,
        "bootable": template.bootable, "passwordenabled": template.password_enabled,
        **_owner_fields(ctx, template),
        "tags": tags.tags_for(ctx, rtype, [template.id])[template.id],
    }
    if not template.is_iso:
        body.update({"format": template.format, "hypervisor": template.hypervisor,
                     "templatetype": template.template_type,
                     "requireshvm": template.requires_hvm})
    if copy is not None:
        body.update({
            "zoneid": copy.zone_id, "zonename": zone.name if zone else None,
            "isready": copy.ready, "status": download_status(copy),
            "size": copy.size if copy.ready else None,
            "physicalsize": copy.physical_size if copy.ready else None,
        })
    return drop_none(body)


_TEMPLATE_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "the template ID"), ("name", "the template name"),
    ("displaytext", "the template display text"),
    ("ispublic", "true if this template is a public template, false otherwise"),
    ("isfeatured", "true if this template is a featured template, false otherwise"),
    ("isextractable", "true if the template is extractable, false otherwise"),
    ("created", "the date this template was created"),
    ("ostypeid", "the ID of the OS type for this template"),
    ("ostypename", "the name of the OS type for this template"),
    ("crossZones", "true if the template is managed across all Zones, false otherwise"),
    ("checksum", "checksum of the template"), ("bootable", "true if the ISO is bootable"),
    ("passwordenabled", "true if the reset password feature is enabled, false otherwise"),
    ("account", "the account name to which the template belongs"),
    ("accountid", "the account id to which the template belongs"),
    ("domain", "the name of the domain to which the template belongs"),
    ("domainid", "the ID of the domain to which the template belongs"),
    ("tags", "the list of resource tags associated with the template"),
    ("format", "the format of the template"),
    ("hypervisor", "the hypervisor on which the template runs"),
    ("templatetype", "the type of the template"),
    ("requireshvm", "true if the template requires HVM"),
    ("zoneid", "the ID of the zone for this template"),
    ("zonename", "the name of the zone for this template"),
    ("isready", "true if the template is ready to be deployed from, false otherwise"),
    ("status", "the status of the template: download progress, completion or the error"),
    ("size", "the size of the template (virtual size, bytes)"),
    ("physicalsize", "the physical size of the stored file (bytes)"),
)

TEMPLATE = ResponseSpec("template", _TEMPLATE_FIELDS, render_template)
ISO = ResponseSpec("iso", _TEMPLATE_FIELDS, render_template)


def render_permissions(template: Template, ctx: CallContext) -> dict[str, Any]:
    accounts = [a.name for a in registry.permitted_accounts(ctx, template)]
    return drop_none({"id": template.id, "ispublic": template.is_public,
                      "domainid": template.domain_id, "account": accounts or None})


TEMPLATE_PERMISSION = ResponseSpec("templatepermission", (
    ("id", "the template ID"), ("ispublic", "true if this template is a public template"),
    ("domainid", "the ID of the domain to which the template belongs"),
    ("account", "the list of accounts the template is available for"),
), render_permissions)


def render_extract(copy: TemplateZone, ctx: CallContext) -> dict[str, Any]:
    template = copy.template
    zone = ctx.session.get(Zone, copy.zone_id)
    return drop_none({
        "id": template.id, "name": template.name, "extractId": copy.id,
        "accountid": template.account_id, "created": wire_date(template.created),
        "state": "DOWNLOAD_URL_CREATED", "status": "DOWNLOAD_URL_CREATED",
        "uploadpercentage": 100, "storagetype": "Secondary", "zoneid": copy.zone_id,
        "zonename": zone.name if zone else None, "extractMode": "HTTP_DOWNLOAD",
        "url": copy.extract_url,
    })


_EXTRACT_FIELDS = (
    ("id", "the id of extracted object"), ("name", "the name of the extracted object"),
    ("extractId", "the upload id of extracted object"),
    ("accountid", "the account id to which the extracted object belongs"),
    ("created", "the time and date the object was created"),
    ("state", "the state of the extracted object"), ("status", "the status of the extraction"),
    ("uploadpercentage", "the percentage of the entity uploaded to the specified location"),
    ("storagetype", "type of the storage"), ("zoneid", "zone ID the object was extracted from"),
    ("zonename", "zone name the object was extracted from"),
    ("extractMode", "the mode of extraction - upload or download"),
    ("url", "the url created to download the template or ISO (expires)"),
)
EXTRACTED_TEMPLATE = ResponseSpec("template", _EXTRACT_FIELDS, render_extract)
EXTRACTED_ISO = ResponseSpec("iso", _EXTRACT_FIELDS, render_extract)

TAG = ResponseSpec("tag", (
    ("key", "tag key name"), ("value", "tag value"), ("resourcetype", "resource type"),
    ("resourceid", "id of the resource"), ("account", "the account associated with the tag"),
    ("domainid", "the ID of the domain associated with the tag"),
    ("domain", "the domain associated with the tag"),
    ("customer", "customer associated with the tag"),
), tags.render_tag)
