"""Templates: real downloads from a loopback HTTP server, progress, verification, filters,
permissions, copy, extract and delete."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cs import CloudStack, CloudStackApiException

from tests.support.cloud import Cloud
from tests.support.image_server import (
    ImageServer,
    Route,
    add_zone_with_store,
    bz,
    gz,
    md5,
    qcow2_image,
    sha256,
    start_image_server,
)

GIB = 1024**3


def _status(call: Any, **kwargs: Any) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    code: int = caught.value.response.status_code
    return code


@pytest.fixture(scope="module")
def images() -> Iterator[ImageServer]:
    srv = start_image_server()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def zone(cloud: Cloud) -> tuple[str, str]:
    zone_id, directory = add_zone_with_store(cloud)
    assert directory is not None
    return zone_id, directory


@pytest.fixture(scope="module")
def ostype(cloud: Cloud) -> str:
    found = cloud.admin.listOsTypes(description="CentOS 5.6 (64-bit)")["ostype"]
    return str(found[0]["id"])


def _register(api: CloudStack, url: str, zone_id: str, ostype: str, **extra: Any
              ) -> dict[str, Any]:
    args = {"name": extra.pop("name", "tmpl"), "displaytext": "a test template", "url": url,
            "zoneid": zone_id, "format": "QCOW2", "hypervisor": "Simulator",
            "ostypeid": ostype, **extra}
    listed = api.registerTemplate(**args)["template"]
    assert len(listed) == 1
    return dict(listed[0])


def _wait(api: CloudStack, template_id: str, *, done: Any, timeout: float = 30,
          filter: str = "self") -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    entry: dict[str, Any] = {}
    while time.monotonic() < deadline:
        entry = api.listTemplates(templatefilter=filter, id=template_id)["template"][0]
        if done(entry):
            return entry
        time.sleep(0.1)
    raise AssertionError(f"template never reached the expected state: {entry}")


def _ready(entry: dict[str, Any]) -> bool:
    return bool(entry["isready"])


def _failed(entry: dict[str, Any]) -> bool:
    status = str(entry.get("status", ""))
    return not entry["isready"] and "Downloaded" not in status and status != "Processing"


def test_register_downloads_verifies_and_lists(cloud: Cloud, images: ImageServer,
                                               zone: tuple[str, str], ostype: str) -> None:
    zone_id, directory = zone
    image = qcow2_image(5 * GIB)
    url = images.serve("centos.qcow2", image)
    registered = _register(cloud.admin, url, zone_id, ostype, name="centos",
                           checksum="{SHA-256}" + sha256(image))
    assert registered["isready"] is False and registered["zoneid"] == zone_id
    assert registered["format"] == "QCOW2" and registered["ostypename"] == "CentOS 5.6 (64-bit)"
    ready = _wait(cloud.admin, registered["id"], done=_ready)
    assert ready["status"] == "Download Complete"
    assert ready["size"] == 5 * GIB and ready["physicalsize"] == len(image)
    account = ready["accountid"]
    path = os.path.join(directory, "template", "tmpl", account, ready["id"],
                        f"{ready['id']}.qcow2")
    with open(path, "rb") as handle:
        assert handle.read() == image
    jobs = cloud.admin.listAsyncJobs()["asyncjobs"]
    assert any(j["cmd"] == "downloadTemplateToZone" and j["jobstatus"] == 1 for j in jobs)
    events = cloud.admin.listEvents(type="TEMPLATE.DOWNLOAD.SUCCESS")["event"]
    assert any("centos" in e["description"] for e in events)


def test_compressed_images_are_decompressed(cloud: Cloud, images: ImageServer,
                                            zone: tuple[str, str], ostype: str) -> None:
    image = qcow2_image(2 * GIB, payload=64 * 1024)
    for name, body in (("disk.qcow2.gz", gz(image)), ("disk.qcow2.bz2", bz(image)),
                       ("disk-no-suffix", gz(image))):
        url = images.serve(name, body)
        registered = _register(cloud.admin, url, zone[0], ostype, name=name,
                               checksum=md5(body))
        ready = _wait(cloud.admin, registered["id"], done=_ready)
        assert ready["size"] == 2 * GIB, name
        assert ready["physicalsize"] == len(image), name


def test_progress_is_visible_while_downloading(cloud: Cloud, images: ImageServer,
                                               zone: tuple[str, str], ostype: str) -> None:
    body = os.urandom(400 * 1024)
    url = images.serve("slow.raw", body, chunks=40, chunk_delay=0.1)
    registered = _register(cloud.admin, url, zone[0], ostype, name="slow", format="RAW")
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entry = cloud.admin.listTemplates(templatefilter="self", id=registered["id"])[
            "template"][0]
        status = entry.get("status", "")
        if status.endswith("% Downloaded"):
            assert entry["isready"] is False
            seen.add(int(status.split("%")[0]))
        if entry["isready"]:
            break
        time.sleep(0.05)
    assert any(0 < pct < 100 for pct in seen), seen
    assert entry["isready"] and entry["size"] == len(body)


def test_failures_are_shown_in_status(cloud: Cloud, images: ImageServer,
                                      zone: tuple[str, str], ostype: str) -> None:
    missing = images.add("/nothing-here.qcow2", Route(status=404))
    entry = _wait(cloud.admin, _register(cloud.admin, missing, zone[0], ostype)["id"],
                  done=_failed)
    assert "HTTP 404" in entry["status"]

    image = qcow2_image(GIB)
    url = images.serve("bad-sum.qcow2", image)
    entry = _wait(cloud.admin, _register(cloud.admin, url, zone[0], ostype,
                                         checksum=md5(b"something else"))["id"], done=_failed)
    assert "Checksum mismatch" in entry["status"]

    cloud.admin.updateConfiguration(name="max.template.iso.size", value="1")
    try:
        huge = images.serve("huge.qcow2", image[:1024], content_length=2 * GIB)
        entry = _wait(cloud.admin, _register(cloud.admin, huge, zone[0], ostype)["id"],
                      done=_failed)
        assert "max.template.iso.size" in entry["status"]
    finally:
        cloud.admin.updateConfiguration(name="max.template.iso.size", value="50")
    failed = cloud.admin.listEvents(type="TEMPLATE.DOWNLOAD.FAILED")["event"]
    assert len(failed) >= 3


def test_register_checks_its_parameters(cloud: Cloud,
                                        zone: tuple[str, str], ostype: str) -> None:
    bare_zone, _ = add_zone_with_store(cloud, with_store=False)
    url = "http://127.0.0.1:9/x.qcow2"
    assert _status(cloud.admin.registerTemplate, name="t", displaytext="t", url=url,
                   zoneid=bare_zone, format="QCOW2", hypervisor="Simulator",
                   ostypeid=ostype) == 534
    for bad in ({"format": "EXE"}, {"url": "ftp://host/x.qcow2"}, {"hypervisor": "Hyper-X"},
                {"checksum": "xyz"}, {"zoneid": "not-a-zone"}):
        args = {"name": "t", "displaytext": "t", "url": url, "zoneid": zone[0],
                "format": "QCOW2", "hypervisor": "Simulator", "ostypeid": ostype, **bad}
        assert _status(cloud.admin.registerTemplate, **args) == 431, bad
    user = cloud.as_user(cloud.new_account())
    assert _status(user.registerTemplate, name="t", displaytext="t", url=url, zoneid=zone[0],
                   format="QCOW2", hypervisor="Simulator", ostypeid=ostype,
                   isfeatured=True) == 531
    assert _status(cloud.admin.listTemplates, templatefilter="bogus") == 431
    assert _status(user.listTemplates, templatefilter="all") == 431
    assert _status(cloud.admin.downloadTemplateToZone, id=zone[0]) == 432


def test_filters_permissions_and_visibility(cloud: Cloud, images: ImageServer,
                                            zone: tuple[str, str], ostype: str) -> None:
    domain = cloud.new_domain()
    owner_creds = cloud.new_account(domainid=domain["id"])
    other_creds = cloud.new_account(domainid=domain["id"])
    owner, other = cloud.as_user(owner_creds), cloud.as_user(other_creds)
    url = images.serve("private.qcow2", qcow2_image(GIB))
    private = _register(owner, url, zone[0], ostype, name="private")
    template_id = private["id"]
    _wait(owner, template_id, done=_ready)

    def ids(api: CloudStack, flt: str) -> set[str]:
        return {t["id"] for t in api.listTemplates(templatefilter=flt).get("template", [])}

    assert template_id in ids(owner, "self") and template_id in ids(owner, "selfexecutable")
    assert template_id in ids(owner, "executable")
    assert template_id not in ids(other, "executable") | ids(other, "sharedexecutable")
    assert _status(other.listTemplates, templatefilter="executable", id=template_id) == 531
    assert template_id in ids(cloud.admin, "all")

    owner.updateTemplatePermissions(id=template_id, op="add",
                                    accounts=other_creds.username)
    perms = owner.listTemplatePermissions(id=template_id)["templatepermission"]
    assert perms["account"] == [other_creds.username] and perms["ispublic"] is False
    assert template_id in ids(other, "sharedexecutable") and template_id in ids(
        other, "executable")
    assert template_id not in ids(other, "self")
    owner.updateTemplatePermissions(id=template_id, op="reset")
    assert template_id not in ids(other, "executable")

    assert _status(owner.updateTemplatePermissions, id=template_id, isfeatured=True) == 531
    owner.updateTemplatePermissions(id=template_id, ispublic=True)
    assert template_id in ids(other, "community") and template_id not in ids(other, "featured")
    cloud.admin.updateTemplatePermissions(id=template_id, isfeatured=True)
    assert template_id in ids(other, "featured") and template_id not in ids(other, "community")
    assert _status(other.updateTemplate, id=template_id, name="mine") == 531

    updated = owner.updateTemplate(id=template_id, name="renamed", passwordenabled=True)
    assert updated["template"]["name"] == "renamed"
    assert updated["template"]["passwordenabled"] is True


def test_copy_extract_and_delete(cloud: Cloud, images: ImageServer,
                                 zone: tuple[str, str], ostype: str) -> None:
    second, second_dir = add_zone_with_store(cloud)
    assert second_dir is not None
    image = qcow2_image(3 * GIB, payload=32 * 1024)
    url = images.serve("copyme.qcow2", image)
    template = _register(cloud.admin, url, zone[0], ostype, name="copyme",
                         isextractable=True)
    template_id = template["id"]
    _wait(cloud.admin, template_id, done=_ready)

    copied = cloud.admin.copyTemplate(id=template_id, sourcezoneid=zone[0],
                                      destzoneid=second, fetch_result=True)["template"]
    assert copied["zoneid"] == second and copied["isready"] is True
    listed = cloud.admin.listTemplates(templatefilter="self", id=template_id)["template"]
    assert {t["zoneid"] for t in listed} == {zone[0], second}
    assert _status(cloud.admin.copyTemplate, id=template_id, sourcezoneid=zone[0],
                   destzoneid=second) == 431

    extracted = cloud.admin.extractTemplate(id=template_id, mode="HTTP_DOWNLOAD",
                                            zoneid=second, fetch_result=True)["template"]
    assert extracted["state"] == "DOWNLOAD_URL_CREATED"
    assert extracted["url"].startswith(cloud.server.base + "/client/extract/")
    got = requests.get(extracted["url"], timeout=30)
    assert got.status_code == 200 and got.content == image
    assert requests.get(cloud.server.base + "/client/extract/nope", timeout=30).status_code \
        == 404
    assert _status(cloud.admin.extractTemplate, id=template_id, mode="FTP_UPLOAD") == 431

    path = os.path.join(second_dir, "template", "tmpl", template["accountid"], template_id,
                        f"{template_id}.qcow2")
    assert os.path.exists(path)
    cloud.admin.deleteTemplate(id=template_id, zoneid=second, fetch_result=True)
    assert not os.path.exists(path)
    assert requests.get(extracted["url"], timeout=30).status_code == 404
    listed = cloud.admin.listTemplates(templatefilter="self", id=template_id)["template"]
    assert [t["zoneid"] for t in listed] == [zone[0]]
    cloud.admin.deleteTemplate(id=template_id, fetch_result=True)
    assert _status(cloud.admin.listTemplates, templatefilter="self", id=template_id) == 431
    assert _status(cloud.admin.deleteTemplate, id=template_id) == 431


def test_all_zones_registration_and_template_limit(cloud: Cloud, images: ImageServer,
                                                   zone: tuple[str, str], ostype: str) -> None:
    creds = cloud.new_account()
    user = cloud.as_user(creds)
    url = images.serve("everywhere.qcow2", qcow2_image(GIB))
    listed = user.registerTemplate(name="everywhere", displaytext="all zones", url=url,
                                   zoneid="-1", format="QCOW2", hypervisor="KVM",
                                   ostypeid=ostype)["template"]
    zones_with_store = {t["zoneid"] for t in listed}
    assert zone[0] in zones_with_store and all(t["crossZones"] for t in listed)
    template_id = listed[0]["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        copies = user.listTemplates(templatefilter="self", id=template_id)["template"]
        if all(c["isready"] for c in copies):
            break
        time.sleep(0.1)
    assert {c["zoneid"] for c in copies if c["isready"]} == zones_with_store
    account = cloud.admin.listAccounts(id=creds.account["id"])["account"][0]
    assert account["templatetotal"] == 1
    cloud.admin.updateResourceLimit(resourcetype=4, max=1, account=creds.username,
                                    domainid=creds.account["domainid"])
    assert _status(user.registerTemplate, name="second", displaytext="second", url=url,
                   zoneid=zone[0], format="QCOW2", hypervisor="KVM", ostypeid=ostype) == 532
    user.deleteTemplate(id=template_id, fetch_result=True)
    account = cloud.admin.listAccounts(id=creds.account["id"])["account"][0]
    assert account["templatetotal"] == 0
