#!/usr/bin/env python3
"""Memory of a WebSocket server before, during and after many connections (loopback only).

Opens CONNECTIONS WebSocket connections to ws://127.0.0.1:PORT/echo in waves, holds them all
open, sends one SIZE-byte text message on each and reads its echo, then closes every one of
them with a close handshake and reports the server's VmRSS (from /proc/PID/status) at each
step. No dependency beyond Python 3.

    python3 rss_after_close.py --pid PID --port PORT [--connections 16000] [--size 1024]

Example (the numbers in the echo crate's notes came from this):
    wsdeck echo-server --port 9001 & python3 rss_after_close.py --pid $! --port 9001
"""

import argparse
import asyncio
import base64
import os
import struct
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def frame(opcode, payload):
    """A masked client frame."""
    mask = os.urandom(4)
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


async def read_frame(reader):
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    return b0 & 0x0F, await reader.readexactly(n)


async def open_one(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head[:40])
    return reader, writer


async def echo_one(conn, payload):
    reader, writer = conn
    writer.write(frame(0x1, payload))
    opcode, data = await read_frame(reader)
    if opcode != 0x1 or len(data) != len(payload):
        raise RuntimeError("bad echo")


async def close_one(conn):
    reader, writer = conn
    writer.write(frame(0x8, struct.pack("!H", 1000)))
    try:
        await asyncio.wait_for(read_frame(reader), 10)
    finally:
        writer.close()


async def waves(items, fn, wave):
    out = []
    for i in range(0, len(items), wave):
        out += await asyncio.gather(*(fn(x) for x in items[i : i + wave]))
    return out


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=16000)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--wave", type=int, default=500)
    p.add_argument("--settle", type=float, default=5.0, help="seconds to wait after closing")
    a = p.parse_args()
    print(f"idle before: {rss_kib(a.pid)} KiB")
    conns = await waves(list(range(a.connections)), lambda _: open_one(a.port), a.wave)
    print(f"{len(conns)} open: {rss_kib(a.pid)} KiB")
    payload = b"x" * a.size
    await waves(conns, lambda c: echo_one(c, payload), a.wave)
    print(f"{len(conns)} open, one {a.size}-byte echo each: {rss_kib(a.pid)} KiB")
    await waves(conns, close_one, a.wave)
    conns.clear()
    time.sleep(a.settle)
    print(f"all closed, {a.settle:.0f} s later: {rss_kib(a.pid)} KiB")


asyncio.run(main())
