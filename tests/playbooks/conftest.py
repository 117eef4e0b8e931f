from tests.support.lab import lab_hosts  # noqa: F401
