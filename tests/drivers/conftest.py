from tests.support.lab import lab_hosts, lab_images  # noqa: F401
