"""addSecondaryStorage (2.2), addImageStore, deleteImageStore, listImageStores."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import MAP, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import IMAGE_STORE, SECONDARY_STORAGE
from appliance.models import ImageStore
from appliance.services.context import CallContext
from appliance.services.infra import image_stores
from appliance.services.paging import Page


@api_command("addSecondaryStorage", response=SECONDARY_STORAGE, roles=ROOT_ADMIN,
             related=("listImageStores",))
@dataclass(frozen=True)
class AddSecondaryStorage(Command):
    """Adds secondary storage."""

    url: str = param(STRING, required=True, length=1024,
                     doc="the URL of the secondary storage: nfs://server/path or "
                     "file:///path")
    zoneid: str | None = param(UUID, doc="the Zone ID for the secondary storage")

    def run(self, ctx: CallContext) -> ImageStore:
        return image_stores.add(ctx, zone_id=self.zoneid, url=self.url, name=None,
                                provider="NFS")

    def describe(self) -> str:
        return f"adding secondary storage {self.url}"


@api_command("addImageStore", response=IMAGE_STORE, roles=ROOT_ADMIN, since="4.2.0",
             related=("listImageStores",))
@dataclass(frozen=True)
class AddImageStore(Command):
    """Adds backup image store."""

    provider: str = param(STRING, required=True, doc="the image store provider name: NFS")
    name: str | None = param(STRING, doc="the name for the image store")
    url: str | None = param(STRING, length=1024, doc="the URL for the image store: "
                            "nfs://server/path or file:///path")
    zoneid: str | None = param(UUID, doc="the Zone ID for the image store")
    details: dict[str, object] | None = param(MAP, doc="the details for the image store")

    def run(self, ctx: CallContext) -> ImageStore:
        from appliance.errors import ParamError

        if self.url is None:
            raise ParamError("url is required for an NFS image store")
        return image_stores.add(ctx, zone_id=self.zoneid, url=self.url, name=self.name,
                                provider=self.provider)


@api_command("deleteImageStore", roles=ROOT_ADMIN, since="4.2.0")
@dataclass(frozen=True)
class DeleteImageStore(Command):
    """Deletes an image store or Secondary Storage."""

    id: str = param(UUID, required=True, doc="the image store ID or Secondary Storage ID")

    def run(self, ctx: CallContext) -> None:
        image_stores.delete(ctx, image_stores.get(ctx, self.id))


@api_command("listImageStores", response=IMAGE_STORE, roles=ROOT_ADMIN, since="4.2.0")
@dataclass(frozen=True)
class ListImageStores(ListCommand):
    """Lists image stores."""

    id: str | None = param(UUID, doc="the ID of the storage pool")
    name: str | None = param(STRING, doc="the name of the image store")
    zoneid: str | None = param(UUID, doc="the Zone ID for the image store")
    provider: str | None = param(STRING, doc="the image store provider")
    protocol: str | None = param(STRING, doc="the image store protocol")

    def run(self, ctx: CallContext) -> Page[ImageStore]:
        return image_stores.list_stores(
            ctx, store_id=self.id, name=self.name, zone_id=self.zoneid,
            provider=self.provider, protocol=self.protocol, keyword=self.keyword,
            page=self.page, pagesize=self.pagesize)
