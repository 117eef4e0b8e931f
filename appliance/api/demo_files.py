"""Read-only downloads for the demo datacenter: tiny template images the appliance serves
itself, so `registerTemplate` of the demo spec really fetches a file over HTTP.

GET /demo/templates/<name> answers a valid, empty qcow2 image (version 2, 4 KiB clusters,
no data clusters allocated) whose header says 2 GiB: five clusters, 20 KiB in all.  It is
generated once per process; nothing is read from or written to disk.
"""

from __future__ import annotations

import functools
import struct

from flask import Blueprint, Response, abort

bp = Blueprint("demo_files", __name__)

GIB = 1024**3
# The images on offer: file name -> virtual size in bytes.
TEMPLATES = {"centos56-x86_64-simulator.qcow2": 2 * GIB}

QCOW2_MAGIC = b"QFI\xfb"
_CLUSTER_BITS = 12


@functools.cache
def qcow2_image(virtual_size: int) -> bytes:
    """An empty qcow2 v2 image of `virtual_size` bytes that `qemu-img check` accepts.

    Layout, one 4 KiB cluster each: 0 header, 1 refcount table, 2 refcount block, 3.. L1
    table (all zero entries: nothing allocated yet).  The refcount block counts the
    clusters in use (16-bit entries, the v2 refcount width), each once.
    """
    cluster = 1 << _CLUSTER_BITS
    l2_span = (cluster // 8) * cluster  # bytes one L2 table maps
    l1_entries = max(1, -(-virtual_size // l2_span))
    l1_clusters = -(-(l1_entries * 8) // cluster)
    refcount_table, refcount_block, l1_table = cluster, 2 * cluster, 3 * cluster
    clusters = 3 + l1_clusters
    header = struct.pack(
        ">4sIQIIQIIQQIIQ",
        QCOW2_MAGIC, 2,  # magic, version
        0, 0,  # backing file offset, size
        _CLUSTER_BITS, virtual_size,
        0,  # crypt method
        l1_entries, l1_table,
        refcount_table, 1,  # refcount table offset, clusters
        0, 0,  # snapshots: count, offset
    )
    image = bytearray(clusters * cluster)
    image[:len(header)] = header
    struct.pack_into(">Q", image, refcount_table, refcount_block)
    for index in range(clusters):
        struct.pack_into(">H", image, refcount_block + 2 * index, 1)
    return bytes(image)


@bp.route("/demo/templates/<name>")
def template_image(name: str) -> Response:
    size = TEMPLATES.get(name)
    if size is None:
        abort(404)
    return Response(qcow2_image(size), content_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "public, max-age=86400"})
