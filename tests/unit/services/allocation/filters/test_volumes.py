from appliance.services.allocation.filters import Volumes
from tests.unit.services.allocation.fake import ctx, host, pool


def test_required_cluster() -> None:
    c = ctx(required_cluster_id="c1")
    assert Volumes().passes(host(cluster_id="c1"), c)
    assert not Volumes().passes(host(cluster_id="c2"), c)


def test_pinned_pools_must_be_reachable_and_up() -> None:
    local = pool("local", scope="HOST", cluster_id=None, host_id="h1")
    c = ctx(required_pool_ids=("local",), pinned=(local,))
    assert Volumes().passes(host("h1"), c)
    assert not Volumes().passes(host("h2"), c)
    down = pool("p1", state="Maintenance")
    assert not Volumes().passes(host(), ctx(required_pool_ids=("p1",), pinned=(down,)))
    # A pinned pool that no longer exists leaves no host.
    assert not Volumes().passes(host(), ctx(required_pool_ids=("gone",), pinned=()))
