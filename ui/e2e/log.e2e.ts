// The message log: search, type filter, clear, time between two messages, hexdump.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  expectInLog,
  fill,
  logText,
  messageLog,
  occurrences,
  selectByLabel,
  send,
  shot,
  useEnv,
  waitFor,
} from "./harness";

const env = useEnv("log");

const messageType = (page: Page) => page.getByRole("combobox", { name: "Message type" });
const search = (page: Page) =>
  page
    .getByRole("searchbox", { name: "Search messages" })
    .or(page.getByRole("textbox", { name: "Search messages" }));

describe("message log", () => {
  it("search narrows the log; clearing the search brings everything back", async () => {
    const page = await env.connected();
    await send(page, "apple-e2e");
    await send(page, "banana-e2e");
    await expectInLog(page, "banana-e2e", 2);
    await expectInLog(page, "apple-e2e", 2);
    await fill(search(page), "banana");
    await waitFor(async () => {
      const t = await logText(page);
      return occurrences(t, "banana-e2e") === 2 && !t.includes("apple-e2e");
    }, "only banana rows");
    await shot(page, "log-search");
    await fill(search(page), "");
    await expectInLog(page, "apple-e2e", 2);
  });

  it("the Message type filter shows Incoming, Outgoing, Control frames, All messages", async () => {
    // /ping sends two pings first, then echoes.
    const url = `${env.echo.base}/ping?count=2&interval_ms=50&payload=pp`;
    const page = await env.connected(url);
    await send(page, "filter-e2e");
    await expectInLog(page, "filter-e2e", 2);
    await selectByLabel(messageType(page), "Outgoing");
    await waitFor(
      async () => occurrences(await logText(page), "filter-e2e") === 1,
      "one outgoing row",
    );
    await selectByLabel(messageType(page), "Incoming");
    await waitFor(
      async () => occurrences(await logText(page), "filter-e2e") === 1,
      "one incoming row",
    );
    await selectByLabel(messageType(page), "Control frames");
    await waitFor(async () => {
      // (Without the URL, which says "ping" too, in case connection events are listed.)
      const t = (await logText(page)).replaceAll(url, "");
      return !t.includes("filter-e2e") && /ping/i.test(t);
    }, "only control frames (the pings)");
    await shot(page, "log-filter-control");
    await selectByLabel(messageType(page), "All messages");
    await expectInLog(page, "filter-e2e", 2);
  });

  it("Clear messages empties the log", async () => {
    const page = await env.connected();
    await send(page, "to-be-cleared");
    await expectInLog(page, "to-be-cleared", 2);
    await page.getByRole("button", { name: "Clear messages", exact: true }).click();
    await waitFor(
      async () => !(await logText(page)).includes("to-be-cleared"),
      "the log to be empty",
    );
    // Still connected: new messages land in the cleared log.
    await send(page, "after-clear");
    await expectInLog(page, "after-clear", 2);
  });

  it("shows the time between two selected messages; Deselect clears it", async () => {
    const page = await env.connected();
    await send(page, "first-timed");
    await expectInLog(page, "first-timed", 2);
    await new Promise((r) => setTimeout(r, 250));
    await send(page, "second-timed");
    await expectInLog(page, "second-timed", 2);
    // Only the four rows of those messages (each sent and echoed), via the search.
    await fill(search(page), "-timed");
    const boxes = messageLog(page).getByRole("checkbox", { name: /^Select message \d+$/ });
    await waitFor(async () => (await boxes.count()) === 4, "four selectable messages");
    await boxes.nth(0).check();
    await boxes.nth(2).check();
    const diff = page.getByText(/Time between selected messages: [\d,.]+ ms/);
    await diff.waitFor();
    const ms = Number((await diff.innerText()).match(/: ([\d,.]+) ms/)![1]!.replace(/,/g, ""));
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(ms).toBeLessThan(10_000);
    await shot(page, "log-time-diff");
    await page.getByRole("button", { name: "Deselect", exact: true }).click();
    await diff.waitFor({ state: "detached" });
    expect(await boxes.nth(0).isChecked()).toBe(false);
    expect(await boxes.nth(2).isChecked()).toBe(false);
  });

  it("hovering a message's info icon shows its time, MIME type and size; a click keeps it", async () => {
    const page = await env.connected();
    await send(page, '{"hover":"info"}');
    await expectInLog(page, '{"hover":"info"}', 2);
    // Connecting (0), open (1), then the message sent (2) and its echo (3).
    const icon = messageLog(page).getByRole("button", { name: "Message info 2", exact: true });
    const info = page.getByRole("dialog", { name: /^Message \d+ info$/ });
    await icon.hover();
    await info.waitFor();
    const words = ["Time", "MIME type", "application/json", "Size", "16 bytes"];
    let shown = "";
    await waitFor(
      async () => {
        shown = await info.innerText();
        return words.every((w) => shown.includes(w));
      },
      `the info with ${words.join(", ")}`,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; it shows: ${shown}`);
    });
    // Off the row it goes; clicked, it stays until closed.
    await page.getByRole("textbox", { name: "URL", exact: true }).hover();
    await info.waitFor({ state: "detached" });
    await icon.hover();
    await info.waitFor();
    await icon.click();
    await page.getByRole("textbox", { name: "URL", exact: true }).hover();
    await new Promise((r) => setTimeout(r, 300));
    expect(await info.count()).toBe(1);
    await info.getByRole("button", { name: "Close" }).click();
    await info.waitFor({ state: "detached" });
  });

  it("a connection row expands to readable tables: the handshake's heads and timings", async () => {
    const page = await env.connected();
    // Connecting (0), then open (1): its handshake.
    await messageLog(page).getByRole("button", { name: "Expand message 1", exact: true }).click();
    const details = messageLog(page).getByRole("group", { name: "Event 1 details" });
    await details.waitFor();
    const response = details.getByRole("region", { name: "Response" });
    expect(await response.innerText()).toMatch(/HTTP\/1\.1 101/);
    expect(await response.getByRole("cell", { name: /^sec-websocket-accept$/i }).count()).toBe(1);
    const timings = await details.getByRole("region", { name: "Timings" }).innerText();
    expect(timings).toMatch(/Total\s+[\d.]+ ms/);
    await shot(page, "log-connection-details");
    // The JSON is still one click away, not the first thing shown.
    expect(await details.getByText('"type": "open"').isVisible()).toBe(false);
    await details.getByText("As JSON").click();
    expect(await details.getByText(/"type": "open"/).isVisible()).toBe(true);
  });

  it("a row expands to a hexdump and back", async () => {
    const page = await env.connected();
    await send(page, "Hello");
    await expectInLog(page, "Hello", 2);
    await fill(search(page), "Hello");
    const expand = messageLog(page).getByRole("button", { name: /^Expand message \d+$/ });
    await waitFor(async () => (await expand.count()) === 2, "two Hello rows");
    await expand.first().click();
    await page.getByRole("button", { name: "Show hexdump", exact: true }).first().click();
    const log = messageLog(page);
    await waitFor(
      async () => (await log.innerText()).includes("48 65 6c 6c 6f"),
      "hex bytes of Hello",
    );
    const dump = await log.innerText();
    expect(dump).toMatch(/\b0{4,8}\b/); // the offset column
    expect(dump).toMatch(/48 65 6c 6c 6f[\s\S]*Hello/); // hex, then ascii
    await shot(page, "log-hexdump");
    await page.getByRole("button", { name: "Show message", exact: true }).first().click();
    await waitFor(
      async () => !(await log.innerText()).includes("48 65 6c 6c 6f"),
      "the hexdump to close",
    );
  });
});
