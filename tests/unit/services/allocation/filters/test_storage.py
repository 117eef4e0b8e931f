from appliance.services.allocation.filters import Storage
from appliance.services.allocation.state import GIB
from tests.unit.services.allocation.fake import ctx, host, pool


def test_nfs_pool_is_over_provisioned_others_are_not() -> None:
    nfs = host(pools=(pool(capacity_bytes=100 * GIB, allocated_bytes=150 * GIB),))
    iscsi = host(pools=(pool(capacity_bytes=100 * GIB, allocated_bytes=95 * GIB,
                             pool_type="IscsiLUN"),))
    assert Storage().passes(nfs, ctx(root_disk_bytes=50 * GIB, storage_factor=2))
    assert not Storage().passes(nfs, ctx(root_disk_bytes=51 * GIB, storage_factor=2))
    assert Storage().passes(iscsi, ctx(root_disk_bytes=5 * GIB, storage_factor=2))
    assert not Storage().passes(iscsi, ctx(root_disk_bytes=6 * GIB, storage_factor=2))


def test_pool_must_carry_every_storage_tag_and_be_up() -> None:
    tagged = host(pools=(pool(tags=("ssd", "fast")),))
    assert Storage().passes(tagged, ctx(root_disk_bytes=GIB, root_storage_tags=("ssd",)))
    assert not Storage().passes(tagged, ctx(root_disk_bytes=GIB,
                                            root_storage_tags=("ssd", "nvme")))
    down = host(pools=(pool(state="Maintenance"),))
    assert not Storage().passes(down, ctx(root_disk_bytes=GIB))


def test_local_storage_needs_the_hosts_own_pool() -> None:
    own = pool("local", scope="HOST", cluster_id=None, host_id="h1")
    other = pool("local2", scope="HOST", cluster_id=None, host_id="h2")
    assert Storage().passes(host("h1", pools=(own,)), ctx(root_disk_bytes=GIB,
                                                          local_storage=True))
    assert not Storage().passes(host("h1", pools=(other,)), ctx(root_disk_bytes=GIB,
                                                               local_storage=True))
    # A shared pool does not serve a local disk, nor a local pool a shared one.
    assert not Storage().passes(host("h1"), ctx(root_disk_bytes=GIB, local_storage=True))
    assert not Storage().passes(host("h1", pools=(own,)), ctx(root_disk_bytes=GIB))


def test_no_new_disk_needs_no_pool_and_data_disk_needs_its_own_fit() -> None:
    assert Storage().passes(host(pools=()), ctx(root_disk_bytes=0))
    small = host(pools=(pool(capacity_bytes=10 * GIB),))
    assert not Storage().passes(small, ctx(root_disk_bytes=GIB, data_disk_bytes=20 * GIB))
    c = ctx(root_disk_bytes=GIB, data_disk_bytes=20 * GIB, data_storage_tags=("ssd",))
    assert "shared primary storage tagged 'ssd' with 20 GB free for the data disk" in (
        Storage().reason(c))
