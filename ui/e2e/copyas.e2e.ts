// "Copy as…": the request as a command line or code. Each one is run here, against wsdeck's
// echo server, and must connect and print the message echoed back — a copy that does not
// run is worse than none.

import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  boxText,
  editor,
  fill,
  pythonBin,
  repoRoot,
  selectByLabel,
  shot,
  spawnUntil,
  tempDir,
  urlBox,
  useEnv,
  wsdeckBin,
} from "./harness";

const env = useEnv("copyas");
const MESSAGE = "copied and echoed";

/** The dialog's text for one format. */
async function copied(page: Page, format: string): Promise<string> {
  const dialog = page.getByRole("dialog", { name: "Copy request as" });
  await selectByLabel(dialog.getByLabel("Format"), format);
  return boxText(dialog.getByRole("textbox", { name: "Copied text" }));
}

/** Runs `cmd args` until it prints `MESSAGE` on a line of its own (or fails saying why). */
async function printsTheEcho(cmd: string, args: string[], cwd?: string): Promise<void> {
  const run = await spawnUntil(cmd, args, new RegExp(`^${MESSAGE}$`), { cwd });
  await run.proc.stop();
}

describe("copy as", () => {
  it("gives a wsdeck command, Node and Python code that connect and get the message back", async () => {
    const page = await env.fresh();
    const url = `${env.echo.base}/echo`;
    await fill(urlBox(page), url);
    await fill(editor(page), MESSAGE);
    await page.getByRole("button", { name: "Copy as…" }).click();

    const command = await copied(page, "wsdeck connect");
    expect(command).toBe(`wsdeck connect ${url} -x '${MESSAGE}'`);
    // The command as a shell runs it, with this build's binary for `wsdeck`.
    const line = `"${wsdeckBin()}" ${command.slice("wsdeck ".length)} < /dev/null`;
    await printsTheEcho("sh", ["-c", line]);

    // Node resolves `ws` from tests/peers, where the tests install it.
    const peers = path.join(repoRoot, "tests", "peers");
    const script = path.join(peers, `copy-as-${process.pid}.mjs`);
    writeFileSync(script, await copied(page, "JavaScript (Node, ws)"));
    try {
      await printsTheEcho(process.execPath, [script], peers);
    } finally {
      rmSync(script, { force: true });
    }

    const python = path.join(tempDir("wsdeck-copy-as-"), "copy_as.py");
    writeFileSync(python, await copied(page, "Python (websockets)"));
    await printsTheEcho(pythonBin(), ["-u", python]);

    // The browser's code opens the same URL.
    const browser = await copied(page, "JavaScript (browser WebSocket)");
    expect(browser).toContain(`new WebSocket("${url}");`);
    await shot(page, "copy-as");
  });
});
