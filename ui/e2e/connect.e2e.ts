// Connecting: by typing the URL, a refused connection, reconnection, settings locked while
// connected, and errors in plain words (never a stack trace).

import { describe, expect, it } from "vitest";
import {
  STACK_NOISE,
  alertsText,
  boxText,
  disconnect,
  expectInLog,
  fill,
  freePort,
  shot,
  send,
  statusBadge,
  urlBox,
  useEnv,
  waitFor,
} from "./harness";
import type { Page } from "playwright-core";

const env = useEnv("connect");

async function openConsole(page: Page) {
  // "Console", followed by an error count when there are errors ("Console 3 errors").
  const toggle = page.getByRole("button", { name: /^Console\b/ });
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  return page.getByRole("region", { name: "Console", exact: true });
}

async function openSettings(page: Page) {
  await page.getByRole("tab", { name: "Settings", exact: true }).click();
}

async function openMessage(page: Page) {
  await page.getByRole("tab", { name: "Message", exact: true }).click();
}

describe("connect", () => {
  it("connects to the echo server by typing the URL and pressing Connect", async () => {
    const page = await env.fresh();
    await shot(page, "start-empty");
    await page.getByLabel(/^Connection status: /).waitFor();
    expect(await statusBadge(page, "Connected").count()).toBe(0);
    await fill(urlBox(page), `${env.echo.base}/echo`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await statusBadge(page, "Connected").waitFor();
    await page.getByRole("button", { name: "Disconnect", exact: true }).waitFor();
    await shot(page, "connected-echo");
    await disconnect(page);
    await page.getByRole("button", { name: "Connect", exact: true }).waitFor();

    // Without a scheme (as often pasted): ws:// goes in front, in the box too (as in Postman).
    const bare = `${env.echo.base.replace(/^ws:\/\//, "")}/echo`;
    await fill(urlBox(page), bare);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await statusBadge(page, "Connected").waitFor();
    expect((await boxText(urlBox(page))).trim()).toBe(`ws://${bare}`);
    await disconnect(page);
  });

  it("a refused connection gives a plain-words alert, no stack trace", async () => {
    const page = await env.fresh();
    const port = await freePort(); // nothing listens there any more
    await fill(urlBox(page), `ws://127.0.0.1:${port}/`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const alerts = await waitFor(async () => {
      const texts = await alertsText(page);
      return texts.some((t) => /refused/i.test(t)) ? texts : null;
    }, "an alert about the refused connection");
    await shot(page, "error-refused");
    const alert = alerts.find((t) => /refused/i.test(t))!;
    expect(alert).toMatch(/127\.0\.0\.1|refused/i);
    for (const t of alerts) expect(t).not.toMatch(STACK_NOISE);
    expect(await statusBadge(page, "Connected").count()).toBe(0);
  });

  it("errors never show a stack trace (bad status, redirect loop, bad URL)", async () => {
    const page = await env.fresh();
    const cases = [
      `${env.echo.base}/status?code=500`,
      `${env.echo.base}/redirect-loop`,
      "not a url at all",
    ];
    for (const url of cases) {
      await fill(urlBox(page), url);
      await page.getByRole("button", { name: "Connect", exact: true }).click({ timeout: 20_000 });
      const alerts = await waitFor(async () => {
        const texts = (await alertsText(page)).filter((t) => t.trim());
        return texts.length ? texts : null;
      }, `an alert for ${url}`);
      for (const t of alerts) {
        expect(t, `alert for ${url}`).not.toMatch(STACK_NOISE);
        expect(t.length, `alert for ${url} is short`).toBeLessThan(600);
      }
      // The attempt is over: Connect comes back.
      await page.getByRole("button", { name: "Connect", exact: true }).waitFor({ timeout: 20_000 });
      await shot(page, `error-${url.replace(/[^a-z0-9]+/gi, "-").slice(-30)}`);
    }
    // The console tells the same failures, in plain words as well.
    const consoleText = await (await openConsole(page)).innerText();
    expect(consoleText).toMatch(/500/);
    // A refused handshake shows both heads, as an open one does (Postman's "Handshake Details").
    expect(consoleText).toMatch(/Request headers\s+GET \/status\?code=500 HTTP\/1\.1/);
    expect(consoleText).toMatch(/Response headers\s+HTTP\/1\.1 500 Internal Server Error/);
    // (A console line may start with the level label "Error: "; JS error names may not appear.)
    expect(consoleText.replace(/^Error: /gm, "")).not.toMatch(STACK_NOISE);
    await shot(page, "error-status-500-and-co");
  });

  it("a header name that cannot be sent is said while it is typed", async () => {
    const page = await env.fresh();
    await page.getByRole("tab", { name: "Headers", exact: true }).click();
    await page.getByRole("button", { name: "Add header", exact: true }).click();
    const name = page.getByRole("textbox", { name: "Header 1 name", exact: true });
    await fill(name, "Bad Header");
    const alert = page.getByRole("alert").filter({ hasText: "cannot contain a space" });
    await alert.waitFor();
    expect(await name.getAttribute("aria-invalid")).toBe("true");
    await fill(name, "Bad-Header");
    await alert.waitFor({ state: "detached" });
    expect(await name.getAttribute("aria-invalid")).toBeNull();
  });

  it("settings are locked while connected and unlocked after Disconnect", async () => {
    const page = await env.connected();
    await openSettings(page);
    const timeout = page.getByLabel("Handshake timeout (ms)", { exact: true });
    await timeout.waitFor();
    expect(await timeout.isDisabled()).toBe(true);
    await page.getByText("Settings can't be changed while connected").waitFor();
    await shot(page, "settings-locked");
    await disconnect(page);
    await waitFor(async () => !(await timeout.isDisabled()), "the settings to unlock");
    expect(await page.getByText("Settings can't be changed while connected").count()).toBe(0);
    await shot(page, "settings-unlocked");
  });

  it("reconnection attempts are shown in the console", async () => {
    const page = await env.fresh();
    await openSettings(page);
    await fill(page.getByLabel("Reconnection attempts", { exact: true }), "2");
    await fill(page.getByLabel("Reconnection interval (ms)", { exact: true }), "200");
    await fill(urlBox(page), `${env.echo.base}/close?code=1011&after_ms=200`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const consoleRegion = await openConsole(page);
    await waitFor(
      async () => ((await consoleRegion.innerText()).match(/reconnect/gi) ?? []).length >= 2,
      "two reconnecting lines in the console",
      15_000,
    );
    await shot(page, "console-reconnecting");
    const text = await consoleRegion.innerText();
    expect(text).toMatch(/1011/);
    expect(text).not.toMatch(STACK_NOISE);
    // Two attempts, then it gives up: never a third.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await statusBadge(page, "Connected").count()).toBe(0);
  });

  it("reconnects after the connection vanishes", async () => {
    const page = await env.fresh();
    await openSettings(page);
    await fill(page.getByLabel("Reconnection attempts", { exact: true }), "2");
    await fill(page.getByLabel("Reconnection interval (ms)", { exact: true }), "200");
    await fill(urlBox(page), `${env.echo.base}/vanish`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    const consoleRegion = await openConsole(page);
    await waitFor(
      async () => /attempt 2 of 2/i.test(await consoleRegion.innerText()),
      "the second reconnection attempt in the console",
      15_000,
    );
    expect(await consoleRegion.innerText()).toMatch(/reconnect/i);
    // Two attempts, then it gives up: never a third.
    await new Promise((r) => setTimeout(r, 1000));
    // (The first connection and two reconnections: "attempt 3" is the last connection attempt.)
    const text = await consoleRegion.innerText();
    expect(text).not.toMatch(/Reconnecting[^\n]*attempt 3/i);
    expect(text).not.toMatch(/\(attempt 4\)/);
    await shot(page, "console-reconnecting-vanish");
  });

  it("0 in Settings means no handshake timeout and no size limit; the size is in MiB", async () => {
    const page = await env.fresh();
    await openSettings(page);
    const timeout = page.getByLabel("Handshake timeout (ms)", { exact: true });
    const size = page.getByLabel("Maximum message size (MiB)", { exact: true });
    // A limit of 0.001 MiB (1,049 bytes) closes the connection on a 2,000-byte echo…
    await fill(size, "0.001");
    await fill(urlBox(page), `${env.echo.base}/echo`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await statusBadge(page, "Connected").waitFor();
    const big = "e2e-size-" + "x".repeat(2000);
    await openMessage(page);
    await send(page, big);
    const consoleRegion = await openConsole(page);
    await waitFor(
      async () => /1049 bytes/.test(await consoleRegion.innerText()),
      "the size limit of 1049 bytes named in the console",
      15_000,
    );
    await openSettings(page);
    await waitFor(async () => !(await size.isDisabled()), "the settings to unlock");
    // …and 0 lifts it; a handshake timeout of 0 is taken too.
    await fill(timeout, "0");
    await fill(size, "0");
    expect(await page.getByText(/Enter a number from/).count()).toBe(0);
    await shot(page, "settings-zero");
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await statusBadge(page, "Connected").waitFor();
    await openMessage(page);
    await send(page, "e2e-no-limit-" + "y".repeat(2000));
    // Sent and echoed (a row shows the start of a long message), and still connected.
    await expectInLog(page, "e2e-no-limit-yyyyyyyyyy", 2);
    expect(await statusBadge(page, "Connected").count()).toBe(1);
  });
});
