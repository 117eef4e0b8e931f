"""ICMP echo to one address (the lab hosts have no ping binary): exit 0 on a reply."""

import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def ping(address: str, tries: int = 5, timeout: float = 1.0) -> bool:
    ident = os.getpid() & 0xFFFF
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as sock:
        for seq in range(tries):
            payload = b"cirrus-molecule"
            header = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq) + payload
            sock.sendto(packet, (address, 0))
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                if not select.select([sock], [], [], left)[0]:
                    break
                data, (source, _port) = sock.recvfrom(2048)
                kind, _code, _sum, rid, rseq = struct.unpack("!BBHHH", data[20:28])
                if source == address and kind == 0 and rid == ident and rseq == seq:
                    return True
    return False


if __name__ == "__main__":
    ok = ping(sys.argv[1])
    print(f"{sys.argv[1]} {'answered' if ok else 'did not answer'}")
    sys.exit(0 if ok else 1)
