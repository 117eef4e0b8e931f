"""Snapshot backups on secondary storage: how much a delta saves over a full copy, and what
storing, restoring and deleting from the middle of a chain cost (the management server's
side of createSnapshot / createVolume from a snapshot / deleteSnapshot, seed §7.9.2).

A volume of --size MiB is filled with --used MiB of data; each round changes --changed MiB
of it, exports it as the host would (a standalone qcow2) and stores the snapshot: full, or
a delta on the previous one. Printed: per-snapshot size and time, the restore (flatten) time
of the newest, and the time to delete the first delta (its child is rebased).

    .venv/bin/python bench/snapshot_chain.py --size 2048 --used 512 --changed 16 --rounds 4
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

from appliance.services.storage import images

MIB = 1024**2


def _fill(path: str, offset_mib: int, size_mib: int, seed: int) -> None:
    block = os.urandom(MIB)
    with open(path, "r+b") as handle:
        for index in range(size_mib):
            handle.seek((offset_mib + index) * MIB)
            handle.write(bytes([seed % 256]) + block[1:])


def _size(path: str) -> float:
    return os.path.getsize(path) / MIB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2048, help="volume size, MiB")
    parser.add_argument("--used", type=int, default=512, help="data written first, MiB")
    parser.add_argument("--changed", type=int, default=16, help="changed per round, MiB")
    parser.add_argument("--rounds", type=int, default=4, help="snapshots after the full one")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="cirrus-bench-snap-")
    try:
        volume = os.path.join(work, "volume.raw")
        with open(volume, "wb") as handle:
            handle.truncate(args.size * MIB)
        _fill(volume, 0, args.used, 0)
        chain: list[str] = []
        delta_times: list[float] = []
        for index in range(args.rounds + 1):
            if index:
                _fill(volume, (index * args.changed) % max(1, args.used), args.changed, index)
            export = os.path.join(work, f"export-{index}.qcow2")
            images.convert(volume, export, source_format="raw")
            stored = os.path.join(work, f"snap-{index}.qcow2")
            started = time.perf_counter()
            if chain:
                images.convert_incremental(export, chain[-1], stored)
            else:
                shutil.copyfile(export, stored)
            took = time.perf_counter() - started
            if chain:
                delta_times.append(took)
            kind = "delta" if chain else "full "
            print(f"snapshot {index}: {kind} {_size(stored):8.1f} MiB stored "
                  f"(full copy {_size(export):8.1f} MiB) in {took:6.2f} s")
            os.unlink(export)
            chain.append(stored)
        restored = os.path.join(work, "restored.qcow2")
        started = time.perf_counter()
        images.convert(chain[-1], restored)
        restore = time.perf_counter() - started
        compare = os.path.join(work, "compare.raw")
        images_equal = _equal(restored, volume, compare)
        started = time.perf_counter()
        if len(chain) > 2:
            images.rebase(chain[2], chain[0])
            os.unlink(chain[1])
        delete = time.perf_counter() - started
        full = _size(chain[0])
        deltas = [_size(p) for p in chain[2:]]
        print(f"restore of the newest (flatten {len(chain)} layers): {restore:.2f} s, "
              f"identical to the volume: {images_equal}")
        print(f"delete of the first delta (child rebased): {delete:.2f} s")
        if delta_times:
            print(f"delta store median {statistics.median(delta_times):.2f} s; "
                  f"chain of {len(chain)} on secondary storage: "
                  f"{sum(_size(p) for p in chain if os.path.exists(p)):.1f} MiB vs "
                  f"{full * len(chain):.1f} MiB as full copies "
                  f"(deltas {min(deltas or [0]):.1f}-{max(deltas or [0]):.1f} MiB)")
    finally:
        shutil.rmtree(work)


def _equal(image: str, raw: str, scratch: str) -> bool:
    import subprocess

    subprocess.run(["qemu-img", "convert", "-q", "-O", "raw", image, scratch], check=True)
    with open(scratch, "rb") as left, open(raw, "rb") as right:
        while True:
            a, b = left.read(8 * MIB), right.read(8 * MIB)
            if a != b:
                return False
            if not a:
                return True


if __name__ == "__main__":
    main()
