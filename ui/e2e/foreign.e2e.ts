// Servers nobody here wrote: Node's `ws` and Python's `websockets` (tests/peers).

import { afterAll, beforeAll, describe, it } from "vitest";
import {
  expectInLog,
  send,
  shot,
  startNodePeer,
  startPythonPeer,
  useEnv,
  type Peer,
} from "./harness";

const env = useEnv("foreign");

describe("foreign servers", () => {
  let node: Peer | undefined;
  let python: Peer | undefined;
  beforeAll(async () => {
    const [n, p] = await Promise.allSettled([startNodePeer(), startPythonPeer()]);
    if (n.status === "fulfilled") node = n.value;
    if (p.status === "fulfilled") python = p.value;
  });
  afterAll(async () => {
    await node?.stop();
    await python?.stop();
  });

  it("talks to the Node ws peer", async () => {
    if (!node) node = await startNodePeer(); // fails with the reason it did not start
    const page = await env.connected(`${node.base}/echo`);
    await send(page, "hello node ws");
    await expectInLog(page, "hello node ws", 2);
    await shot(page, "foreign-node");
  });

  it("talks to the Python websockets peer", async () => {
    if (!python) python = await startPythonPeer();
    const page = await env.connected(`${python.base}/echo`);
    await send(page, "hello python websockets");
    await expectInLog(page, "hello python websockets", 2);
    await shot(page, "foreign-python");
  });
});
