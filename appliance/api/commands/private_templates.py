"""createTemplate: a private template from a snapshot or a stopped VM's root volume
(seed §7.8.2, §7.9.4)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from appliance.api.params import BOOLEAN, INTEGER, STRING, UUID, param
from appliance.api.registry import Command, api_command
from appliance.api.responses.catalog import TEMPLATE
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import TemplateZone
from appliance.orchestration import private_templates as orchestration
from appliance.services.context import CallContext
from appliance.services.storage import private_templates


@api_command("createTemplate", response=TEMPLATE, is_async=True, event="TEMPLATE.CREATE",
             instance_type="Template", idempotent=True, related=("listTemplates",))
@dataclass(frozen=True)
class CreateTemplate(Command):
    """Creates a template of a virtual machine's root volume (the VM stopped) or of a
    snapshot; it is private to the caller unless made public"""

    name: str = param(STRING, required=True, doc="the name of the template")
    displaytext: str = param(STRING, required=True, length=4096,
                             doc="the display text of the template")
    ostypeid: str = param(UUID, required=True, doc="the ID of the OS type of the template")
    snapshotid: str | None = param(UUID, doc="the ID of the snapshot the template is made "
                                   "from; either this or volumeid")
    volumeid: str | None = param(UUID, doc="the ID of the root volume of a stopped VM the "
                                 "template is made from; either this or snapshotid")
    ispublic: bool | None = param(BOOLEAN, doc="true if the template is usable by every "
                                  "account; private by default")
    isfeatured: bool | None = param(BOOLEAN, doc="true if the template is featured "
                                    "(administrators only)")
    passwordenabled: bool | None = param(BOOLEAN, doc="true if the template supports the "
                                         "password reset feature")
    requireshvm: bool | None = param(BOOLEAN, doc="true if the template requires HVM "
                                     "(default true)")
    bits: int | None = param(INTEGER, doc="32 or 64 bits support (informational)")
    isextractable: bool | None = param(BOOLEAN, doc="true if the template may be "
                                       "downloaded by extractTemplate")

    def accept(self, ctx: CallContext) -> str | None:
        copy = private_templates.create(ctx, private_templates.TemplateRequest(
            name=self.name, display_text=self.displaytext, os_type_id=self.ostypeid,
            snapshot_id=self.snapshotid, volume_id=self.volumeid,
            is_public=bool(self.ispublic), is_featured=bool(self.isfeatured),
            is_extractable=bool(self.isextractable),
            password_enabled=bool(self.passwordenabled),
            requires_hvm=self.requireshvm is not False))
        return copy.template_id

    def run(self, ctx: CallContext) -> TemplateZone:
        template_id = queue.instance_id(ctx.session, ctx.job_id)
        copy = ctx.session.scalar(select(TemplateZone).where(
            TemplateZone.template_id == template_id)) if template_id else None
        if copy is None:
            raise InternalError("createTemplate job has no template")
        return orchestration.create(ctx, copy)
