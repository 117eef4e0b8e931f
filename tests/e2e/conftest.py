"""Lab fixtures for end-to-end tests."""

from tests.support.lab import lab_hosts  # noqa: F401
