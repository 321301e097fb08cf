#!/usr/bin/env python3
"""Smoke test for the foreign peers (python_server.py, node_server.js).

Starts each server with ``--port 0``, reads its ``LISTENING <port>`` line,
exercises every endpoint over 127.0.0.1 with the PyPI ``websockets`` client
(plus raw sockets where the client library would hide what we check), then
sends SIGTERM and checks the graceful 1001 shutdown.

Usage: smoke_test.py [--server python|node|all]
Env:   WSDECK_NODE (default "node") to run node_server.js.
Ends with the line "N passed, N failed"; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Awaitable, Callable

from websockets.asyncio.client import connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

PEERS = Path(__file__).resolve().parent
MAX = 64 * 1024 * 1024


class Peer:
    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.argv = argv
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.argv + ["--port", "0"], stdout=subprocess.PIPE, text=True, cwd=PEERS
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"{self.name}: unexpected first line {line!r}")
        self.port = int(line.split()[1])
        assert line == f"LISTENING {self.port}\n", repr(line)

    def url(self, target: str) -> str:
        return f"ws://127.0.0.1:{self.port}{target}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def raw_handshake(port: int, target: str, extra: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send an upgrade request by hand and return (status, headers, body)."""
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
        **(extra or {}),
    }
    request = f"GET {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        if status == 101:
            return status, hdrs, b""
        length = int(hdrs.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, hdrs, body


def collect_pings(port: int, target: str, want: int, timeout: float = 5.0) -> tuple[list[tuple[float, bytes]], str]:
    """Connect with the sans-I/O client, record pings (answered with pongs), then echo one message."""
    proto = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}{target}"), max_size=None)
    pings: list[tuple[float, bytes]] = []
    echoed = ""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        proto.send_request(proto.connect())
        sent_msg = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for chunk in proto.data_to_send():
                if chunk:
                    sock.sendall(chunk)
            data = sock.recv(65536)
            if not data:
                break
            proto.receive_data(data)
            for event in proto.events_received():
                if isinstance(event, Response):
                    assert event.status_code == 101, event.status_code
                elif isinstance(event, Frame):
                    if event.opcode is Opcode.PING:
                        pings.append((time.monotonic(), bytes(event.data)))
                    elif event.opcode is Opcode.TEXT:
                        echoed = bytes(event.data).decode()
            if len(pings) >= want and not sent_msg:
                proto.send_text(b"after pings")
                sent_msg = True
            if echoed:
                proto.send_close(1000)
                for chunk in proto.data_to_send():
                    if chunk:
                        sock.sendall(chunk)
                break
    return pings, echoed


async def check_echo(p: Peer) -> None:
    async with connect(p.url("/echo"), max_size=MAX) as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
        await ws.send(b"\x00\x01\xff")
        assert await ws.recv() == b"\x00\x01\xff"
        await ws.send("")
        assert await ws.recv() == ""
        latency = await ws.ping(b"p1")
        await asyncio.wait_for(latency, 5)
        blob = os.urandom(3 * 1024 * 1024)
        await ws.send(blob)
        assert await ws.recv() == blob


async def check_subprotocols(p: Peer) -> None:
    cases = [
        (["superchat", "chat"], "superchat"),
        (["chat", "superchat"], "chat"),
        (["foo", "graphql-ws"], "graphql-ws"),
        (["foo"], None),
        (None, None),
    ]
    for offered, expected in cases:
        async with connect(p.url("/echo"), subprotocols=offered) as ws:
            assert ws.subprotocol == expected, (offered, ws.subprotocol)
            await ws.send("x")
            assert await ws.recv() == "x"


async def check_headers(p: Peer) -> None:
    async with connect(p.url("/headers"), additional_headers={"X-Wsdeck-Test": "yes"}) as ws:
        hdrs = json.loads(await ws.recv())
        assert hdrs["x-wsdeck-test"] == "yes", hdrs
        assert hdrs["upgrade"].lower() == "websocket", hdrs
        assert "sec-websocket-key" in hdrs and "host" in hdrs, hdrs
        assert all(k == k.lower() for k in hdrs), hdrs
        await ws.send("after")
        assert await ws.recv() == "after"
    status, _, body = raw_handshake(p.port, "/headers", {"X-Dup": "a", "x-dup": "b"})
    assert status == 101, status


async def check_auth(p: Peer) -> None:
    status, hdrs, body = raw_handshake(p.port, "/auth")
    assert status == 401 and body and hdrs["content-type"].startswith("text/plain"), (status, hdrs, body)
    status, _, _ = raw_handshake(p.port, "/auth", {"Authorization": "Bearer nope"})
    assert status == 401, status
    async with connect(p.url("/auth"), additional_headers={"Authorization": "Bearer wsdeck"}) as ws:
        await ws.send("ok")
        assert await ws.recv() == "ok"


async def check_close(p: Peer) -> None:
    for target, code, reason in [("/close?code=4001&reason=bye", 4001, "bye"), ("/close", 1000, "")]:
        async with connect(p.url(target)) as ws:
            try:
                await asyncio.wait_for(ws.recv(), 5)
                raise AssertionError("expected close")
            except ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == code and exc.rcvd.reason == reason, exc
    status, _, _ = raw_handshake(p.port, "/close?code=1005")
    assert status == 400, status


async def check_redirect(p: Peer) -> None:
    status, hdrs, body = raw_handshake(p.port, "/redirect?to=/echo")
    assert status == 302 and hdrs["location"] == "/echo" and body, (status, hdrs, body)
    status, hdrs, _ = raw_handshake(p.port, "/redirect?to=/headers%3Fa%3D1")
    assert status == 302 and hdrs["location"] == "/headers?a=1", (status, hdrs)
    # The python client follows same-origin redirects: ends up on /echo.
    async with connect(p.url("/redirect?to=/echo")) as ws:
        await ws.send("r")
        assert await ws.recv() == "r"


async def check_ping(p: Peer) -> None:
    pings, echoed = await asyncio.to_thread(collect_pings, p.port, "/ping?count=3&payload=hi", 3)
    assert [d for _, d in pings] == [b"hi"] * 3, pings
    gaps = [b[0] - a[0] for a, b in zip(pings, pings[1:])]
    assert all(g >= 0.03 for g in gaps), gaps
    assert echoed == "after pings", echoed


async def check_big(p: Peer) -> None:
    for size in (0, 1, 300, 5_000_000):
        async with connect(p.url(f"/big?size={size}"), max_size=MAX) as ws:
            data = await ws.recv()
            assert isinstance(data, bytes) and len(data) == size, (size, type(data), len(data))
            assert data == bytes(i % 256 for i in range(min(size, 1024))) + data[1024:], "pattern"
            if size > 1024:
                assert data[-1] == (size - 1) % 256
            await ws.send("then echo")
            assert await ws.recv() == "then echo"
    status, _, _ = raw_handshake(p.port, f"/big?size={MAX + 1}")
    assert status == 400, status


async def check_status(p: Peer) -> None:
    for code in (500, 503, 403, 200):
        status, hdrs, body = raw_handshake(p.port, f"/status?code={code}")
        assert status == code and body and hdrs["content-type"].startswith("text/plain"), (code, status, body)
    status, _, body = raw_handshake(p.port, "/status")
    assert status == 500 and body, status
    status, _, _ = raw_handshake(p.port, "/nope")
    assert status == 404, status


async def check_sigterm(p: Peer) -> None:
    async with connect(p.url("/echo")) as ws:
        await ws.send("x")
        assert await ws.recv() == "x"
        assert p.proc is not None
        p.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(ws.recv(), 5)
            raise AssertionError("expected close")
        except ConnectionClosed as exc:
            assert exc.rcvd is not None and exc.rcvd.code == 1001, exc
    rc = await asyncio.to_thread(p.proc.wait, 10)
    assert rc == 0, rc
    rest = p.proc.stdout.read() if p.proc.stdout else ""
    assert rest == "", f"extra stdout: {rest!r}"


CHECKS: list[tuple[str, Callable[[Peer], Awaitable[None]]]] = [
    ("echo", check_echo),
    ("subprotocols", check_subprotocols),
    ("headers", check_headers),
    ("auth", check_auth),
    ("close", check_close),
    ("redirect", check_redirect),
    ("ping", check_ping),
    ("big", check_big),
    ("status+404", check_status),
    ("sigterm", check_sigterm),  # last: stops the server
]


async def run(peer: Peer) -> tuple[int, int]:
    passed = failed = 0
    peer.start()
    try:
        for name, check in CHECKS:
            t0 = time.monotonic()
            try:
                await asyncio.wait_for(check(peer), 30)
                passed += 1
                print(f"ok   {peer.name} {name} ({time.monotonic() - t0:.2f}s)")
            except Exception:
                failed += 1
                print(f"FAIL {peer.name} {name}")
                traceback.print_exc(file=sys.stdout)
    finally:
        peer.stop()
    return passed, failed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", choices=["python", "node", "all"], default="all")
    args = ap.parse_args()
    peers = []
    if args.server in ("python", "all"):
        peers.append(Peer("python", [sys.executable, str(PEERS / "python_server.py")]))
    if args.server in ("node", "all"):
        peers.append(Peer("node", [os.environ.get("WSDECK_NODE", "node"), str(PEERS / "node_server.js")]))
    passed = failed = 0
    for peer in peers:
        p, f = asyncio.run(run(peer))
        passed += p
        failed += f
    print(f"peers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
