// `wsdeck ui --demo`: the page connects by itself and messages from /stream flow into the log.
// Also takes the README's screenshot (docs/workbench.png, 1280×800) with messages flowing.

import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHROMIUM_FLAGS,
  docsDir,
  expectInLog,
  launchBrowser,
  logText,
  messageLog,
  newPage,
  shot,
  startWorkbench,
  statusBadge,
  stopAll,
  waitFor,
  type Workbench,
} from "./harness";

describe("demo", () => {
  let browser: Browser;
  let wb: Workbench;

  beforeAll(async () => {
    wb = await startWorkbench({ demo: true });
    browser = await launchBrowser();
  });
  afterAll(stopAll);

  it("prints the demo address with a request in the fragment", () => {
    expect(wb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
    const fragment = new URLSearchParams(new URL(wb.url).hash.slice(1));
    expect(fragment.get("url")).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/stream/);
    expect(fragment.get("connect")).toBe("1");
    expect(wb.demoEcho).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(CHROMIUM_FLAGS).toContain("--headless");
  });

  let page: Page;

  it("connects by itself and /stream messages appear in the message log", async () => {
    const fresh = await newPage(browser);
    page = fresh.page;
    const errors = fresh.errors;
    await page.goto(wb.url);
    // The token leaves the address bar.
    await waitFor(() => !page.url().includes("token="), "the token to leave the address bar");
    await statusBadge(page, "Connected").waitFor({ timeout: 15_000 });
    await messageLog(page).waitFor();
    // /stream sends a JSON message a second ({"seq":N,…}); wait for three of them.
    await waitFor(
      async () => ((await logText(page)).match(/"seq":\d+/g) ?? []).length >= 3,
      "three /stream messages",
      15_000,
    );
    await shot(page, "demo-connected");
    expect(errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
  });

  it("sends the demo message with its {{$…}} variables filled in; README picture", async () => {
    expect(page, "the page of the previous test").toBeDefined();
    // The demo message from the fragment is in the editor: send it, see it sent and echoed.
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expectInLog(page, '"hello": "wsdeck"', 2);
    await shot(page, "demo-sent");
    const text = await logText(page);
    expect(text).not.toContain("{{$isoTimestamp}}");
    expect(text).toMatch(/"sent": "\d{4}-\d\d-\d\dT/);
    // The README's picture, written only when all of the above holds: the whole workbench,
    // 1280×800, messages flowing.
    mkdirSync(docsDir, { recursive: true });
    await page.screenshot({ path: path.join(docsDir, "workbench.png") });
  });
});
