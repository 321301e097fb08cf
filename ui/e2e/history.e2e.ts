// The history's own actions: export a recorded session as JSON lines, delete it (after a
// confirmation, refused while it is still being recorded), and the retention settings.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { disconnect, expectInLog, fill, send, shot, tempDir, useEnv, waitFor } from "./harness";

const env = useEnv("history");

const recorded = (page: Page): Locator => page.getByRole("list", { name: "Recorded sessions" });

/** The history list's button for the session to `url` (waits until it is listed). */
async function sessionItem(page: Page, url: string): Promise<{ item: Locator; id: number }> {
  const item = recorded(page).getByRole("button", {
    name: new RegExp(`^Session \\d+, ${url.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")},`),
  });
  await waitFor(
    async () => {
      if ((await item.count()) > 0) return true;
      await page.getByRole("button", { name: "Refresh history", exact: true }).click();
      return false;
    },
    `${url} in the history`,
    10_000,
  );
  const name = (await item.first().getAttribute("aria-label")) ?? "";
  return { item: item.first(), id: Number(/^Session (\d+),/.exec(name)?.[1]) };
}

describe("a recorded session", () => {
  it("exports as JSON lines, is deleted after a confirmation, and its tab closes", async () => {
    const url = `${env.echo.base}/history-export`;
    const page = await env.connected(url);
    await send(page, "export me please");
    await expectInLog(page, "export me please", 2);
    await disconnect(page);

    const { item, id } = await sessionItem(page, url);
    await item.click();
    const tab = page.getByRole("tab", { name: /^History #\d+: .*history-export/ });
    await tab.waitFor();
    const view = page.getByRole("region", { name: `Recorded session ${id}` });
    await view.waitFor();

    // Export JSON lines: a download named after the session, one JSON event per line.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      view.getByRole("button", { name: "Export JSON lines", exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`wsdeck-session-${id}.jsonl`);
    const text = readFileSync(await download.path(), "utf8");
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(text).toContain("export me please");
    expect(events.every((e) => typeof e === "object" && e !== null)).toBe(true);
    await view
      .getByRole("status")
      .filter({ hasText: `Exported wsdeck-session-${id}.jsonl.` })
      .waitFor();

    // Delete: a confirmation first; Escape cancels and keeps everything.
    const deleteButton = view.getByRole("button", { name: "Delete session", exact: true });
    await deleteButton.click();
    const confirm = page.getByRole("alertdialog", { name: `Delete session ${id}?` });
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain("cannot be undone");
    // Focus is in the dialog, on the safe choice.
    expect(await page.evaluate(() => document.activeElement?.closest("dialog") !== null)).toBe(
      true,
    );
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await confirm.waitFor({ state: "hidden" });
    expect(await tab.count()).toBe(1);
    expect(
      await recorded(page)
        .getByRole("button", { name: new RegExp(`^Session ${id},`) })
        .count(),
    ).toBe(1);

    await deleteButton.click();
    await confirm.waitFor();
    await shot(page, "history-delete-confirm");
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await confirm.waitFor({ state: "hidden" });
    await tab.waitFor({ state: "detached" });
    await waitFor(
      async () =>
        (await recorded(page)
          .getByRole("button", { name: new RegExp(`^Session ${id},`) })
          .count()) === 0,
      `session ${id} gone from the history list`,
    );
    await page
      .getByRole("status")
      .filter({ hasText: `Deleted session ${id} (` })
      .waitFor();
    // Focus is not lost on the page's body: it went to the tab now shown.
    await waitFor(
      () => page.evaluate(() => document.activeElement?.getAttribute("role") === "tab"),
      "focus on the active tab",
    );
  });

  it("is not deleted while it is still being recorded, and says why", async () => {
    const url = `${env.echo.base}/history-live`;
    const page = await env.connected(url);
    await send(page, "still here");
    await expectInLog(page, "still here", 2);

    const { item, id } = await sessionItem(page, url);
    await item.click();
    const view = page.getByRole("region", { name: `Recorded session ${id}` });
    await view.waitFor();
    await view.getByRole("button", { name: "Delete session", exact: true }).click();
    const confirm = page.getByRole("alertdialog", { name: `Delete session ${id}?` });
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await confirm.waitFor({ state: "hidden" });
    const alert = view.getByRole("alert");
    await alert.waitFor();
    const said = await alert.innerText();
    expect(said).toContain(`Could not delete session ${id}: Session ${id} is still being recorded`);
    expect(said).toContain("close its connection first");
    expect(said).not.toMatch(/Invalid params|`ids`/);
    // Nothing was deleted: the tab and the list item stay.
    expect(await page.getByRole("tab", { name: /^History #\d+: .*history-live/ }).count()).toBe(1);
    expect(
      await recorded(page)
        .getByRole("button", { name: new RegExp(`^Session ${id},`) })
        .count(),
    ).toBe(1);
    await shot(page, "history-delete-refused");

    // Once its connection is closed, it can be deleted.
    // The request's tab is the first one (the recorded session's opened after it).
    await page.getByRole("tab").first().click();
    await disconnect(page);
    await page.getByRole("tab", { name: /^History #\d+: .*history-live/ }).click();
    await view.getByRole("button", { name: "Delete session", exact: true }).click();
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await page
      .getByRole("tab", { name: /^History #\d+: .*history-live/ })
      .waitFor({ state: "detached" });
  });
});

describe("history settings", () => {
  it("shows the size and limits, keeps 30 days / 100 MiB, and refuses a bad value", async () => {
    const page = await env.fresh();
    const open = async () => {
      await page.getByRole("button", { name: "History settings", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "History settings" });
      await dialog.waitFor();
      await dialog.getByText(/\d+ sessions? · \d+ events? · /).waitFor();
      return dialog;
    };
    const days = (d: Locator) => d.getByRole("textbox", { name: "Keep sessions for (days)" });
    const mib = (d: Locator) => d.getByRole("textbox", { name: "Keep at most (MiB)" });

    let dialog = await open();
    expect(await dialog.innerText()).toContain("every 10 minutes");
    expect(await dialog.innerText()).toContain("No limits: nothing is deleted automatically.");
    expect(await days(dialog).inputValue()).toBe("");
    expect(await mib(dialog).inputValue()).toBe("");
    // The first field has the focus once the settings are read.
    await waitFor(
      () => days(dialog).evaluate((el) => el === document.activeElement),
      "focus on the days field",
    );
    await fill(days(dialog), "30");
    await fill(mib(dialog), "100");
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog.getByRole("status").filter({ hasText: "Saved. Nothing to delete." }).waitFor();
    expect(await dialog.innerText()).toContain(
      "Sessions older than 30 days are deleted; the oldest sessions are deleted beyond 100 MiB.",
    );
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });

    // A fresh page reads them back from wsdeck.
    const p2 = await env.fresh();
    await p2.getByRole("button", { name: "History settings", exact: true }).click();
    dialog = p2.getByRole("dialog", { name: "History settings" });
    await dialog.getByText(/\d+ sessions? · /).waitFor();
    await waitFor(async () => (await days(dialog).inputValue()) === "30", "30 days kept");
    expect(await mib(dialog).inputValue()).toBe("100");

    // Bad values: refused inline, with a message tied to the field, and not saved.
    await fill(days(dialog), "0");
    const daysError = dialog.getByText("The limit must be at least 1.", { exact: false });
    await daysError.waitFor();
    expect(await days(dialog).getAttribute("aria-invalid")).toBe("true");
    const describedBy = await days(dialog).getAttribute("aria-describedby");
    expect(describedBy).toBeTruthy();
    expect(await p2.locator(`#${describedBy}`).innerText()).toContain("whole number of days");
    await fill(mib(dialog), "abc");
    await dialog.getByText('"abc" is not a whole number.', { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    // Save focuses the first bad field instead of saving.
    await waitFor(
      () => days(dialog).evaluate((el) => el === document.activeElement),
      "focus on the bad days field",
    );
    // Not saved: no "Saved." in the (empty, hidden) status.
    expect(await dialog.locator('[role="status"]').textContent()).toBe("");
    await shot(p2, "history-settings-invalid");
    await p2.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    // Still 30 / 100; then back to no limits (empty fields).
    dialog = await (async () => {
      await p2.getByRole("button", { name: "History settings", exact: true }).click();
      const d = p2.getByRole("dialog", { name: "History settings" });
      await d.getByText(/\d+ sessions? · /).waitFor();
      return d;
    })();
    await waitFor(async () => (await days(dialog).inputValue()) === "30", "30 days still kept");
    expect(await mib(dialog).inputValue()).toBe("100");
    await fill(days(dialog), "");
    await fill(mib(dialog), "");
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog.getByRole("status").filter({ hasText: "Saved. Nothing to delete." }).waitFor();
    expect(await dialog.innerText()).toContain("No limits: nothing is deleted automatically.");
    expect(env.errors).toEqual([]);
  });

  it("imports a HAR file's WebSocket session; a file that is not HAR is refused by name", async () => {
    const page = await env.fresh();
    const dir = tempDir("wsdeck-e2e-har-");
    const url = "ws://127.0.0.1:9/from-devtools";
    const har = {
      log: {
        version: "1.2",
        creator: { name: "e2e", version: "1" },
        entries: [
          {
            startedDateTime: "2026-11-20T10:00:00.000Z",
            time: 12,
            request: { method: "GET", url, httpVersion: "HTTP/1.1", headers: [] },
            response: { status: 101, statusText: "Switching Protocols", headers: [] },
            timings: { wait: 12 },
            _webSocketMessages: [
              { type: "send", time: 1763632800.1, opcode: 1, data: "imported hello" },
              { type: "receive", time: 1763632800.2, opcode: 1, data: "imported answer" },
            ],
          },
        ],
      },
    };
    const good = path.join(dir, "devtools.har");
    writeFileSync(good, JSON.stringify(har));
    const picker = page.getByLabel("HAR file to import");
    await picker.setInputFiles(good);
    await page
      .getByRole("status")
      .filter({ hasText: "Imported 1 session from devtools.har." })
      .waitFor();
    const { item, id } = await sessionItem(page, url);
    // The list tells an import from a session wsdeck recorded (3 events: open and 2 messages).
    expect(await item.innerText()).toContain("3 events · imported from HAR");
    await item.click();
    const view = page.getByRole("region", { name: `Recorded session ${id}` });
    await view.waitFor();
    await expectInLog(page, "imported answer");
    await page.getByRole("tab", { name: new RegExp(`^History #${id}: `) }).waitFor();
    await shot(page, "history-imported");

    const bad = path.join(dir, "notes.har");
    writeFileSync(bad, '{"log": 1}');
    await picker.setInputFiles(bad);
    const alert = page.getByRole("alert").filter({ hasText: "Could not import notes.har" });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/log\.entries/);
  });
});
