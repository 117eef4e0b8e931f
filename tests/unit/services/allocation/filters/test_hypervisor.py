from appliance.services.allocation.filters import Hypervisor
from tests.unit.services.allocation.fake import ctx, host


def test_hypervisor_must_match_when_asked() -> None:
    assert Hypervisor().passes(host(hypervisor="KVM"), ctx(hypervisor="kvm"))
    assert not Hypervisor().passes(host(hypervisor="Simulator"), ctx(hypervisor="KVM"))
    assert Hypervisor().passes(host(hypervisor="Simulator"), ctx())
    assert Hypervisor().reason(ctx(hypervisor="KVM")) == (
        "no available KVM host in zone Sandbox-1")
