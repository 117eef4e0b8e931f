from appliance.services.allocation.filters import Avoid
from tests.unit.services.allocation.fake import ctx, host


def test_hosts_the_vm_failed_on_are_avoided() -> None:
    c = ctx(avoid_host_ids=frozenset({"h1"}))
    assert not Avoid().passes(host("h1"), c)
    assert Avoid().passes(host("h2"), c)
    assert "besides the 1 the VM failed to start on" in Avoid().reason(c)
