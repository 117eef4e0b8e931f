from appliance.services.allocation.filters import PodClusterEnabled
from tests.unit.services.allocation.fake import ctx, host


def test_host_in_disabled_cluster_or_pod_is_skipped() -> None:
    f = PodClusterEnabled()
    assert f.passes(host(), ctx())
    assert not f.passes(host(cluster_allocation_state="Disabled"), ctx())
    assert not f.passes(host(pod_allocation_state="Disabled"), ctx())
    assert f.passes(host(cluster_allocation_state="Disabled"), ctx(allow_disabled=True))
