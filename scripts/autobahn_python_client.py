#!/usr/bin/env python3
"""Reference Autobahn test client built on the PyPI `websockets` package.

Drives a fuzzingserver (kosoku or the Autobahn TestSuite) the same way
`wsdeck autobahn` does, so scripts/autobahn.sh and scripts/autobahn_check.py
can be exercised without our binary:

  1. /getCaseCount                 -> one text message with the number N
  2. /runCase?case=i&agent=AGENT   -> echo every message back (text as text,
                                      binary as binary) until the server closes
  3. /updateReports?agent=AGENT    -> tells the fuzzingserver we are done
                                      (kosoku answers 101 and then just drops
                                      the TCP connection: that is expected)

Usage: autobahn_python_client.py ws://127.0.0.1:PORT [--agent NAME]
                                 [--case-timeout SECONDS] [--compression]
Exit status: 0 when every case was driven (whatever its verdict), 1 when the
fuzzingserver could not be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from urllib.parse import quote

# websockets fails a message of more than 4096 fragments with 1009 (a library
# safety limit read at import time); Autobahn 9.3.x/9.4.x send 4 MiB in
# 64-byte fragments, so lift it to test the protocol rather than that limit.
os.environ.setdefault("WEBSOCKETS_MAX_FRAGMENTS", str(1 << 20))

from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, WebSocketException  # noqa: E402


async def get_case_count(base: str) -> int:
    async with connect(f"{base}/getCaseCount", compression=None, ping_interval=None) as ws:
        return int(await ws.recv())


async def run_case(base: str, case: int, agent: str, compression: bool) -> None:
    url = f"{base}/runCase?case={case}&agent={quote(agent)}"
    async with connect(
        url,
        # wsdeck does not offer permessage-deflate, so by default neither do we.
        compression="deflate" if compression else None,
        max_size=None,  # 9.x sends messages up to 16 MiB
        max_queue=None,
        ping_interval=None,
        open_timeout=10,
        close_timeout=10,
    ) as ws:
        async for message in ws:
            await ws.send(message)


async def update_reports(base: str, agent: str) -> None:
    try:
        async with connect(
            f"{base}/updateReports?agent={quote(agent)}",
            compression=None,
            ping_interval=None,
            close_timeout=2,
        ) as ws:
            await ws.close()
    except (ConnectionClosed, WebSocketException, OSError, asyncio.TimeoutError):
        pass  # kosoku drops the TCP connection right after the 101


async def main() -> int:
    ap = argparse.ArgumentParser(description="Autobahn test client using `websockets`")
    ap.add_argument("url", help="fuzzingserver base URL, e.g. ws://127.0.0.1:9001")
    ap.add_argument("--agent", default="python-websockets")
    ap.add_argument("--case-timeout", type=float, default=60.0, help="seconds per case")
    ap.add_argument("--compression", action="store_true", help="offer permessage-deflate")
    args = ap.parse_args()
    base = args.url.rstrip("/")

    try:
        count = await get_case_count(base)
    except (OSError, WebSocketException) as exc:
        print(f"autobahn client: cannot get case count from {base}: {exc}", file=sys.stderr)
        return 1
    print(f"autobahn client: {count} cases, agent {args.agent!r}", flush=True)

    started = time.monotonic()
    errors = 0
    for case in range(1, count + 1):
        try:
            await asyncio.wait_for(run_case(base, case, args.agent, args.compression), args.case_timeout)
        except ConnectionClosed:
            pass  # the case decides how the connection ends; the verdict is the server's
        except (WebSocketException, OSError, asyncio.TimeoutError) as exc:
            errors += 1
            print(f"autobahn client: case {case}: {type(exc).__name__}: {exc}", file=sys.stderr)
        if case % 50 == 0 or case == count:
            print(f"autobahn client: {case}/{count} cases ({time.monotonic() - started:.1f}s)", flush=True)

    await update_reports(base, args.agent)
    print(f"autobahn client: done, {errors} client-side errors", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
