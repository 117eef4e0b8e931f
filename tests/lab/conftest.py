from tests.support.lab import lab_hosts, lab_image_urls, lab_images  # noqa: F401
