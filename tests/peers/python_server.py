#!/usr/bin/env python3
"""Foreign WebSocket peer for wsdeck's interop tests (PyPI package `websockets`).

Usage: python_server.py [--port 0]

Binds 127.0.0.1 only, prints exactly one line ``LISTENING <port>`` on stdout
once ready, then serves until SIGTERM/SIGINT, which closes live connections
with 1001 (going away) and exits 0.

Endpoints (kept identical to node_server.js):

  /echo                       echo text as text, binary as binary
  /headers                    one text message: JSON object of the handshake
                              request headers (lowercase names, duplicates
                              joined with ", "), then echo
  /auth                       needs "Authorization: Bearer wsdeck", else HTTP
                              401 with a plain-text body; then echo
  /close?code=4001&reason=bye close with that code/reason right after open
                              (defaults: 1000, "")
  /redirect?to=/echo          HTTP 302 with "Location: <to>" (default /echo)
  /ping?count=3&payload=hi    send <count> pings 50 ms apart, then echo
                              (defaults: 1, empty payload)
  /big?size=N                 one binary message of N bytes (byte i is
                              i % 256), then echo (0 <= N <= 64 MiB)
  /status?code=500            reject the upgrade with that status (200..599)
                              and a plain-text body
  anything else               HTTP 404

Every endpoint: subprotocols ["chat", "superchat", "graphql-ws"], picking the
first one the client offers that the server supports (none offered or none
supported: no subprotocol, the connection is still accepted). Pings are
answered automatically. max message size 64 MiB. permessage-deflate stays at
the library default. Bad query parameters give HTTP 400.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import http
import json
import logging
import signal
import sys
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

MAX_SIZE = 64 * 1024 * 1024
SUBPROTOCOLS = ["chat", "superchat", "graphql-ws"]
AUTH_VALUE = "Bearer wsdeck"
ENDPOINTS = {"/echo", "/headers", "/auth", "/close", "/redirect", "/ping", "/big", "/status"}
# Close codes a server may send (RFC 6455 7.4.1 + IANA registry, 3000-4999 private).
SENDABLE_CLOSE_CODES = set(range(1000, 1004)) | set(range(1007, 1015)) | set(range(3000, 5000))


class BadRequest(ValueError):
    pass


def plain_response(status: int, body: str, extra: list[tuple[str, str]] | None = None) -> Response:
    """A plain-text HTTP response; works for any status 100..599."""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Status"
    data = body.encode()
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Connection", "close"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(data))),
        ]
        + (extra or [])
    )
    return Response(status, phrase, headers, data)


def split_path(target: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    return parts.path, query


def int_param(query: dict[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw, 10)
    except ValueError:
        raise BadRequest(f"{name} must be an integer, got {raw!r}") from None
    if not lo <= value <= hi:
        raise BadRequest(f"{name} must be in {lo}..{hi}, got {value}")
    return value


def check_params(path: str, query: dict[str, str]) -> None:
    """Validate query parameters before the upgrade so errors become HTTP 400."""
    if path == "/close":
        code = int_param(query, "code", 1000, 1000, 4999)
        if code not in SENDABLE_CLOSE_CODES:
            raise BadRequest(f"close code {code} cannot be sent in a close frame")
        if len(query.get("reason", "").encode()) > 123:
            raise BadRequest("reason longer than 123 bytes")
    elif path == "/ping":
        int_param(query, "count", 1, 0, 1000)
        if len(query.get("payload", "").encode()) > 125:
            raise BadRequest("ping payload longer than 125 bytes")
    elif path == "/big":
        int_param(query, "size", 0, 0, MAX_SIZE)
    elif path == "/redirect":
        if any(c in query.get("to", "") for c in "\r\n"):
            raise BadRequest("to must not contain CR or LF")


def process_request(connection: ServerConnection, request: Request) -> Response | None:
    path, query = split_path(request.path)
    if path not in ENDPOINTS:
        return plain_response(404, f"no such endpoint: {path}\n")
    try:
        check_params(path, query)
        if path == "/status":
            code = int_param(query, "code", 500, 200, 599)
            return plain_response(code, f"status {code} requested by /status\n")
    except BadRequest as exc:
        return plain_response(400, f"bad request: {exc}\n")
    if path == "/redirect":
        to = query.get("to") or "/echo"
        return plain_response(302, f"redirecting to {to}\n", [("Location", to)])
    if path == "/auth" and request.headers.get("Authorization") != AUTH_VALUE:
        return plain_response(401, "unauthorized: expected Authorization: Bearer wsdeck\n")
    return None


def select_subprotocol(connection: ServerConnection, offered: list[str]) -> str | None:
    for proto in offered:
        if proto in SUBPROTOCOLS:
            return proto
    return None


def headers_json(headers: Headers) -> str:
    out: dict[str, str] = {}
    for name, value in headers.raw_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return json.dumps(out, sort_keys=True, separators=(",", ":"))


async def echo(ws: ServerConnection) -> None:
    async for message in ws:
        await ws.send(message)


async def handler(ws: ServerConnection) -> None:
    path, query = split_path(ws.request.path)
    try:
        if path == "/headers":
            await ws.send(headers_json(ws.request.headers))
        elif path == "/close":
            await ws.close(int(query.get("code") or 1000), query.get("reason", ""))
            return
        elif path == "/ping":
            count = int(query.get("count") or 1)
            payload = query.get("payload", "").encode()
            for i in range(count):
                if i:
                    await asyncio.sleep(0.05)
                await ws.ping(payload)
        elif path == "/big":
            size = int(query.get("size") or 0)
            await ws.send(bytes(range(256)) * (size // 256) + bytes(range(size % 256)))
        await echo(ws)
    except ConnectionClosed:
        pass


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = any free port)")
    args = parser.parse_args()

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="python_server: %(message)s")

    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))

    async with serve(
        handler,
        "127.0.0.1",
        args.port,
        process_request=process_request,
        select_subprotocol=select_subprotocol,
        subprotocols=SUBPROTOCOLS,
        max_size=MAX_SIZE,
        # No unsolicited keepalive pings: tests should only see pings they ask for.
        ping_interval=None,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"LISTENING {port}", flush=True)
        await stop
        # Graceful: close live connections with 1001 going away, wait for handlers.
        server.close(close_connections=True, code=1001, reason="going away")
        await server.wait_closed()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
