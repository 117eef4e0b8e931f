"""Lab fixtures for end-to-end tests: the lab, a Cirrus whose zones run on it, and the
loopback HTTP server templates are registered from."""

from collections.abc import Iterator

import pytest

import lab
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer, start_image_server
from tests.support.lab import lab_hosts  # noqa: F401
from tests.support.lab_cloud import lab_cloud


@pytest.fixture(scope="module")
def cloud(lab_hosts: lab.Lab) -> Iterator[Cloud]:  # noqa: F811
    with lab_cloud(hosts=2) as made:
        yield made


@pytest.fixture(scope="module")
def files() -> Iterator[ImageServer]:
    served = start_image_server()
    yield served
    served.stop()
