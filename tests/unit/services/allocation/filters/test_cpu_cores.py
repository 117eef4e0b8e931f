from appliance.services.allocation.filters import CpuCores
from tests.unit.services.allocation.fake import ctx, host


def test_core_count_is_strict_and_core_speed_may_not_exceed_the_hosts() -> None:
    f = CpuCores()
    h = host(cpu_count=4, cpu_speed_mhz=2000)
    assert f.passes(h, ctx(cpu_number=4, cpu_speed_mhz=2000))
    assert not f.passes(h, ctx(cpu_number=5, cpu_speed_mhz=500))
    assert not f.passes(h, ctx(cpu_number=1, cpu_speed_mhz=2001))
