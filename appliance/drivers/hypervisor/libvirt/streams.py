"""Files of the management server to and from a host's storage volumes through libvirt
storage streams (virStorageVolUpload/Download over the driver's connection: no shell or file
access on the host). Both ways are sparse: holes are sent as holes, not as zeros.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Any

from appliance.drivers.hypervisor.libvirt.connection import libvirt


def upload(conn: Any, volume: Any, source: str) -> int:
    """Write the bytes of file `source` into `volume` from offset 0; returns the size."""
    fd = os.open(source, os.O_RDONLY)
    stream = conn.newStream(0)
    try:
        size = os.fstat(fd).st_size
        volume.upload(stream, 0, size, libvirt.VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM)
        stream.sparseSendAll(_read, section, _skip, fd)
        stream.finish()
        return size
    except BaseException:
        with contextlib.suppress(Exception):  # the stream may be gone already
            stream.abort()
        raise
    finally:
        os.close(fd)


def download(conn: Any, volume: Any, dest: str) -> None:
    """Write the whole content of `volume` (its file as the host stores it: a qcow2 volume
    arrives as a qcow2 file) into the new file `dest`."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    stream = conn.newStream(0)
    try:
        volume.download(stream, 0, 0, libvirt.VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)
        stream.sparseRecvAll(_write, _hole, fd)
        os.ftruncate(fd, os.lseek(fd, 0, os.SEEK_CUR))  # a hole at the end has no bytes
        stream.finish()
    except BaseException:
        with contextlib.suppress(Exception):
            stream.abort()
        raise
    finally:
        os.close(fd)


def _read(_stream: Any, nbytes: int, fd: int) -> bytes:
    return os.read(fd, nbytes)


def _skip(_stream: Any, length: int, fd: int) -> int:
    return os.lseek(fd, length, os.SEEK_CUR)


def section(_stream: Any, fd: int) -> tuple[bool, int]:
    """(in data, length) of the section of file `fd` at its offset (kept): a sparseSendAll
    hole handler."""
    here = os.lseek(fd, 0, os.SEEK_CUR)
    try:
        data = os.lseek(fd, here, os.SEEK_DATA)
    except OSError as error:
        if error.errno != errno.ENXIO:
            raise
        end = os.fstat(fd).st_size  # no data after here: a hole up to the end
        os.lseek(fd, here, os.SEEK_SET)
        return False, end - here
    if data > here:
        os.lseek(fd, here, os.SEEK_SET)
        return False, data - here
    hole = os.lseek(fd, here, os.SEEK_HOLE)
    os.lseek(fd, here, os.SEEK_SET)
    return True, hole - here


def _write(_stream: Any, data: bytes, fd: int) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    return len(data)


def _hole(_stream: Any, length: int, fd: int) -> int:
    return os.lseek(fd, length, os.SEEK_CUR)
