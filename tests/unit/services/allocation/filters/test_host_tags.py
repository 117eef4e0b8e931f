from appliance.services.allocation.filters import HostTags
from tests.unit.services.allocation.fake import ctx, host


def test_every_offering_tag_must_be_on_the_host() -> None:
    f = HostTags()
    tagged = host(host_tags=("ssd", "gpu"))
    assert f.passes(tagged, ctx(host_tags=("gpu",)))
    assert f.passes(tagged, ctx(host_tags=("GPU", "ssd")))
    assert not f.passes(tagged, ctx(host_tags=("gpu", "fast")))
    assert not f.passes(host(), ctx(host_tags=("gpu",)))
    assert f.passes(host(), ctx())
    # A tag is a whole element, not a substring.
    assert not f.passes(host(host_tags=("gpu2",)), ctx(host_tags=("gpu",)))
