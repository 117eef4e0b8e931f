"""registry.usable_for_deploy: the check the VM lifecycle makes before deploying."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.errors import ParamError, PermissionDenied, ResourceUnavailable
from appliance.models import (
    DownloadStatus,
    ImageStore,
    Template,
    TemplatePermission,
    TemplateZone,
    User,
    Zone,
)
from appliance.services import accounts, bootstrap
from appliance.services.context import CallContext
from appliance.services.storage import secondary
from appliance.services.templates import install_path, usable_for_deploy


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def _ctx(session: object, username: str) -> CallContext:
    user = session.scalar(select(User).where(User.username == username))  # type: ignore[attr-defined]
    return CallContext.for_user(session, user)  # type: ignore[arg-type]


def test_usable_for_deploy(db: Database, tmp_path: object) -> None:
    with db.session() as session:
        admin = _ctx(session, "admin")
        for name in ("tpl-owner", "tpl-friend", "tpl-stranger"):
            accounts.create(admin, account_type=0, username=name, password="pw",
                            firstname="f", lastname="l", email=None, name=None,
                            domain_id=None, network_domain=None, timezone=None)
        owner = _ctx(session, "tpl-owner")
        zone, other_zone = Zone(name="z-ready", network_type="Basic"), Zone(
            name="z-other", network_type="Basic")
        session.add_all([zone, other_zone])
        session.flush()
        root = str(tmp_path)
        store = ImageStore(name="s", zone_id=zone.id, url=f"file://{root}", protocol="file",
                           local_path=root)
        session.add(store)
        session.flush()
        secondary.mark(root, store.id)
        os.makedirs(os.path.join(root, "template"))
        with open(os.path.join(root, "template", "t.qcow2"), "wb") as image:
            image.write(b"QFI\xfb")
        template = Template(name="t", display_text="t", format="QCOW2",
                            account_id=owner.caller.account.id,
                            domain_id=owner.caller.domain.id)
        pending = Template(name="p", display_text="p", format="QCOW2",
                           account_id=owner.caller.account.id,
                           domain_id=owner.caller.domain.id)
        session.add_all([template, pending])
        session.flush()
        session.add_all([
            TemplateZone(template_id=template.id, zone_id=zone.id, image_store_id=store.id,
                         status=DownloadStatus.DOWNLOADED, install_path="template/t.qcow2"),
            TemplateZone(template_id=pending.id, zone_id=zone.id, image_store_id=store.id,
                         status=DownloadStatus.DOWNLOAD_IN_PROGRESS, download_pct=40),
        ])
        friend = _ctx(session, "tpl-friend")
        session.add(TemplatePermission(template_id=template.id,
                                       account_id=friend.caller.account.id))
        session.flush()

        found, copy = usable_for_deploy(owner, template.id, zone.id)
        assert found.id == template.id and copy.zone_id == zone.id
        assert install_path(owner, copy) == os.path.join(root, "template", "t.qcow2")
        assert usable_for_deploy(friend, template.id, zone.id)[0].id == template.id
        assert usable_for_deploy(admin, template.id, zone.id)[0].id == template.id
        with pytest.raises(PermissionDenied):
            usable_for_deploy(_ctx(session, "tpl-stranger"), template.id, zone.id)
        with pytest.raises(ParamError, match="not been completely downloaded"):
            usable_for_deploy(owner, pending.id, zone.id)
        with pytest.raises(ParamError, match="not available in zone"):
            usable_for_deploy(owner, template.id, other_zone.id)
        with pytest.raises(ParamError, match="Unable to find template"):
            usable_for_deploy(owner, "00000000-0000-0000-0000-000000000000", zone.id)
        template.is_public = True
        assert usable_for_deploy(_ctx(session, "tpl-stranger"), template.id, zone.id)
        # the new VM's disk is made from the file: 534 while the store is out
        os.rename(os.path.join(root, secondary.MARKER), os.path.join(root, "marker.away"))
        with pytest.raises(ResourceUnavailable, match="Secondary storage s "):
            usable_for_deploy(owner, template.id, zone.id)
