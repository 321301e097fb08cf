#!/usr/bin/env python3
"""A small client of wsdeck's JSON-RPC API (the MetaMask Snaps WebSocket dialect).

It starts `wsdeck rpc` with the network permission, opens a WebSocket, sends a text and a
binary message, prints every event that arrives (`onWebSocketEvent` notifications), closes,
and exits when the close event has arrived. Only the standard library is used.

    python3 examples/python/rpc_client.py ws://127.0.0.1:9001/echo
    python3 examples/python/rpc_client.py ws://127.0.0.1:9001/echo --wsdeck target/release/wsdeck
"""

import argparse
import itertools
import json
import subprocess
import sys


class RpcClient:
    """JSON-RPC 2.0 over the stdin/stdout of `wsdeck rpc`, one JSON text per line."""

    def __init__(self, wsdeck):
        self.proc = subprocess.Popen(
            [wsdeck, "rpc", "--grant", "endowment:network-access"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.ids = itertools.count(1)
        self.events = []  # notifications that arrived while waiting for a response

    def call(self, method, params=None):
        """Sends a request and waits for its response; notifications are kept for later."""
        request_id = next(self.ids)
        request = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            request["params"] = params
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        while True:
            message = self._read()
            if message.get("id") == request_id:
                if "error" in message:
                    error = message["error"]
                    raise RuntimeError(f"{method} failed: {error['code']} {error['message']}")
                return message["result"]
            self.events.append(message)

    def next_event(self):
        """The next `onWebSocketEvent` event (waits for one)."""
        while True:
            message = self.events.pop(0) if self.events else self._read()
            if message.get("method") == "onWebSocketEvent":
                return message["params"]["event"]

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("wsdeck rpc ended unexpectedly")
        return json.loads(line)

    def finish(self):
        self.proc.stdin.close()
        return self.proc.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="ws:// or wss:// URL of an echo server")
    parser.add_argument("--wsdeck", default="wsdeck", help="path of the wsdeck binary")
    args = parser.parse_args()

    client = RpcClient(args.wsdeck)
    socket_id = client.call("snap_openWebSocket", {"url": args.url})
    print(f"opened {socket_id}")
    client.call("snap_sendWebSocketMessage", {"id": socket_id, "message": "hello from python"})
    client.call("snap_sendWebSocketMessage", {"id": socket_id, "message": [104, 105]})
    print("sockets:", json.dumps(client.call("snap_getWebSockets")))

    received = 0
    while received < 2:
        event = client.next_event()
        print("event:", json.dumps(event))
        if event["type"] == "message":
            received += 1
    client.call("snap_closeWebSocket", {"id": socket_id})
    while True:
        event = client.next_event()
        print("event:", json.dumps(event))
        if event["type"] == "close":
            break
    return client.finish()


if __name__ == "__main__":
    sys.exit(main())
