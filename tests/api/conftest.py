"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from tests.support import datacenter
from tests.support.cloud import Cloud


@pytest.fixture(scope="module")
def dc(cloud: Cloud) -> dict[str, str]:
    """The tiny simulator datacenter (tests/support/specs/tiny.yaml), once per test module; a
    module needing another one defines its own `dc`."""
    return datacenter.build(cloud)
