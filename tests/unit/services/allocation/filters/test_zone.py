from appliance.services.allocation.filters import ZoneEnabled
from appliance.services.allocation.state import ZoneState
from tests.unit.services.allocation.fake import ctx, host

DISABLED = ZoneState(id="z1", name="Sandbox-1", allocation_state="Disabled")


def test_enabled_zone_passes_disabled_zone_does_not() -> None:
    f = ZoneEnabled()
    assert f.passes(host(), ctx())
    assert not f.passes(host(), ctx(zone=DISABLED))
    assert f.reason(ctx(zone=DISABLED)) == "zone Sandbox-1 is Disabled"


def test_root_admin_may_use_a_disabled_zone() -> None:
    assert ZoneEnabled().passes(host(), ctx(zone=DISABLED, allow_disabled=True))
