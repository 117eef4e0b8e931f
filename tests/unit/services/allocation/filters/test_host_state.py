import pytest

from appliance.services.allocation.filters import HostUp
from tests.unit.services.allocation.fake import ctx, host


def test_up_enabled_routing_host_passes() -> None:
    assert HostUp().passes(host(), ctx())


@pytest.mark.parametrize("change", [
    {"status": "Down"}, {"status": "Disconnected"}, {"status": "Connecting"},
    {"resource_state": "Maintenance"}, {"resource_state": "PrepareForMaintenance"},
    {"resource_state": "Disabled"}, {"type": "SecondaryStorage"},
])
def test_other_states_are_skipped(change: dict[str, str]) -> None:
    assert not HostUp().passes(host(**change), ctx())
