from appliance.errors import ErrorCode
from appliance.services.allocation.filters import Dedication
from appliance.services.allocation.state import ZoneState
from tests.unit.services.allocation.fake import ctx, host

DEDICATED = ZoneState(id="z1", name="Sandbox-1", dedicated_path="/acme/",
                      dedicated_name="ROOT/acme")


def test_public_zone_takes_every_domain() -> None:
    assert Dedication().passes(host(), ctx(domain_path="/other/"))


def test_dedicated_zone_takes_the_domain_and_its_subtree_only() -> None:
    f = Dedication()
    assert f.passes(host(), ctx(zone=DEDICATED, domain_path="/acme/"))
    assert f.passes(host(), ctx(zone=DEDICATED, domain_path="/acme/dev/"))
    assert not f.passes(host(), ctx(zone=DEDICATED, domain_path="/acmeX/"))
    assert not f.passes(host(), ctx(zone=DEDICATED, domain_path="/"))


def test_another_domains_zone_is_a_permission_error() -> None:
    c = ctx(zone=DEDICATED, domain_path="/other/")
    error = Dedication().failure(c, Dedication().reason(c))
    assert error.code == ErrorCode.ACCOUNT_ERROR
    assert "dedicated to domain ROOT/acme" in error.text
