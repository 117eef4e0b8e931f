"""The demo template image is a well-formed qcow2 that says how big it is."""

from __future__ import annotations

import struct

from appliance.api.demo_files import GIB, QCOW2_MAGIC, TEMPLATES, qcow2_image
from appliance.app import create_app


def test_qcow2_header_tables_and_refcounts() -> None:
    image = qcow2_image(2 * GIB)
    (magic, version, _, _, cluster_bits, size, crypt, l1_size, l1_offset, rt_offset,
     rt_clusters, snapshots, _) = struct.unpack_from(">4sIQIIQIIQQIIQ", image)
    cluster = 1 << cluster_bits
    assert (magic, version, size, crypt, snapshots) == (QCOW2_MAGIC, 2, 2 * GIB, 0, 0)
    assert l1_size * (cluster // 8) * cluster >= size  # the L1 table maps the whole disk
    assert len(image) % cluster == 0 and len(image) <= 32 * 1024
    assert l1_offset + l1_size * 8 <= len(image)
    assert not any(image[l1_offset:l1_offset + l1_size * 8])  # nothing allocated
    (block,) = struct.unpack_from(">Q", image, rt_offset)
    counts = struct.unpack_from(f">{len(image) // cluster}H", image, block)
    assert rt_clusters == 1 and counts == (1,) * (len(image) // cluster)


def test_served_over_http() -> None:
    app = create_app({"DATABASE_URL": "sqlite://"})
    client = app.test_client()
    (name,) = TEMPLATES
    answer = client.get(f"/demo/templates/{name}")
    assert answer.status_code == 200 and answer.data == qcow2_image(TEMPLATES[name])
    assert answer.headers["Content-Length"] == str(len(answer.data))
    assert client.get("/demo/templates/other.qcow2").status_code == 404
