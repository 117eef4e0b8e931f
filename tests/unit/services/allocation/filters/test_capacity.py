from appliance.services.allocation.filters import Capacity
from appliance.services.allocation.state import MIB
from tests.unit.services.allocation.fake import ctx, host


def test_cpu_is_over_provisioned_by_the_factor() -> None:
    # Seed §11.7.2: 2 cores x 2 GHz with factor 1.5 takes guests up to 6 GHz.
    h = host(cpu_count=2, cpu_speed_mhz=2000, cpu_used_mhz=5000)
    assert Capacity().passes(h, ctx(cpu_number=1, cpu_speed_mhz=1000, cpu_factor=1.5))
    assert not Capacity().passes(h, ctx(cpu_number=1, cpu_speed_mhz=1001, cpu_factor=1.5))
    assert not Capacity().passes(h, ctx(cpu_number=1, cpu_speed_mhz=1000, cpu_factor=1.0))


def test_memory_is_never_over_provisioned() -> None:
    h = host(memory=8192 * MIB, memory_used=7168 * MIB)
    assert Capacity().passes(h, ctx(memory_bytes=1024 * MIB, cpu_factor=4))
    assert not Capacity().passes(h, ctx(memory_bytes=1025 * MIB, cpu_factor=4))


def test_reason_names_what_was_asked() -> None:
    c = ctx(cpu_number=4, cpu_speed_mhz=1000, memory_bytes=8192 * MIB)
    assert Capacity().reason(c) == "no host with 4 CPUs x 1000 MHz/8192 MB free in zone Sandbox-1"
