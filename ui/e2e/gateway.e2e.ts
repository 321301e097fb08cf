// wsdeck restarts under an open page (--keep-token, same --port): the page says it lost
// the connection, then recovers by itself and works again. Stopped with Ctrl-C, wsdeck
// closes the page's sockets first and the page says wsdeck was stopped.

import type { Page } from "playwright-core";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  STACK_NOISE,
  alertsText,
  connectTo,
  expectInLog,
  fill,
  freePort,
  launchBrowser,
  newPage,
  send,
  shot,
  startEchoServer,
  startWorkbench,
  stopAll,
  tempDir,
  urlBox,
  waitFor,
  type Peer,
} from "./harness";
import type { Browser } from "playwright-core";

const LOST = /lost|can(no|')t reach|unreachable|not running|disconnected from wsdeck|reconnecting/i;
/** Anything the link banner says while the page cannot use wsdeck. */
const TOKEN_REFUSED = /does not accept this page's token|refused this page's token/;
const LINK_TROUBLE = new RegExp(`${LOST.source}|${TOKEN_REFUSED.source}`, "i");

describe("gateway restart", () => {
  let browser: Browser;
  let echo: Peer;
  let page: Page | undefined;
  beforeAll(async () => {
    [browser, echo] = await Promise.all([launchBrowser(), startEchoServer()]);
  });
  afterAll(async () => {
    if (page) await shot(page, "gateway-final");
    await stopAll();
  });

  it("shows the lost link, recovers after wsdeck restarts, and works again", async () => {
    const port = await freePort();
    const keep = path.join(tempDir("wsdeck-e2e-token-"), "token");
    const first = await startWorkbench({ port, keepToken: keep });
    ({ page } = await newPage(browser));
    await page.goto(first.url);
    await urlBox(page).waitFor();
    expect((await alertsText(page)).filter((t) => LOST.test(t))).toEqual([]);

    await first.proc.kill();
    const lost = await waitFor(
      async () => (await alertsText(page!)).find((t) => LOST.test(t)),
      "an alert that the link to wsdeck is lost",
    );
    expect(lost).not.toMatch(STACK_NOISE);
    await shot(page, "gateway-lost");

    const second = await startWorkbench({ port, keepToken: keep });
    expect(second.token).toBe(first.token);
    expect(second.port).toBe(port);
    // Every alert seen on the way back: wsdeck coming up between a failed attempt and the
    // page's look at the server must not read as a refused token.
    const seen = new Set<string>();
    await waitFor(
      async () => {
        const texts = await alertsText(page!);
        for (const t of texts) if (t.trim()) seen.add(t.trim());
        return (
          !texts.some((t) => LINK_TROUBLE.test(t)) || texts.some((t) => /reconnected/i.test(t))
        );
      },
      "the lost-link alert to go away",
      20_000,
    );
    expect([...seen].filter((t) => TOKEN_REFUSED.test(t))).toEqual([]);
    await shot(page, "gateway-recovered");
    await connectTo(page, `${echo.base}/echo`);
    await send(page, "after gateway restart");
    await expectInLog(page, "after gateway restart", 2);
  });

  it("says the token is refused when wsdeck comes back on the same port with a new one", async () => {
    const port = await freePort();
    const first = await startWorkbench({ port });
    const { page: p } = await newPage(browser);
    page = p;
    await p.goto(first.url);
    await urlBox(p).waitFor();
    await first.proc.kill();
    await waitFor(
      async () => (await alertsText(p)).find((t) => LOST.test(t)),
      "an alert that the link to wsdeck is lost",
    );
    const second = await startWorkbench({ port });
    expect(second.token).not.toBe(first.token);
    const refused = await waitFor(
      async () => (await alertsText(p)).find((t) => TOKEN_REFUSED.test(t)),
      "an alert that wsdeck refused the page's token",
      20_000,
    );
    expect(refused).toMatch(/keep-token/);
    expect(refused).not.toMatch(STACK_NOISE);
    await shot(p, "gateway-token-refused");
    // A call now fails at once, in words, rather than hanging.
    await fill(urlBox(p), `${echo.base}/echo`);
    await p.getByRole("button", { name: "Connect", exact: true }).click();
    await waitFor(
      async () =>
        (await alertsText(p)).find((t) => /Not connected to wsdeck/.test(t)) ??
        (await p.getByText(/Not connected to wsdeck/).count()) > 0,
      "the refused Connect to say why",
    );
  });

  it("says wsdeck was stopped when it is stopped with Ctrl-C, after closing the socket", async () => {
    const wb = await startWorkbench();
    const { page: p } = await newPage(browser);
    page = p;
    await p.goto(wb.url);
    await connectTo(p, `${echo.base}/echo`);
    await send(p, "before ctrl-c");
    await expectInLog(p, "before ctrl-c", 2);

    wb.proc.child.kill("SIGINT");
    expect(await wb.proc.exited).toBe(0);
    const stopped = await waitFor(
      async () => (await alertsText(p)).find((t) => /wsdeck was stopped/.test(t)),
      "an alert that wsdeck was stopped",
    );
    expect(stopped).toMatch(/keep-token/);
    // The socket's close reached the page before wsdeck closed the page's connection.
    await expectInLog(p, "Closed:");
    expect(stopped).not.toMatch(STACK_NOISE);
    await shot(p, "gateway-stopped");
  });
});
