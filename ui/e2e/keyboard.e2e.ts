// Keyboard only: Tab to the URL field and to Connect, Enter connects, Ctrl+Enter sends.

import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { editor, expectInLog, statusBadge, urlBox, useEnv } from "./harness";

const env = useEnv("keyboard");

const hasFocus = (l: Locator) =>
  l
    .evaluate(
      (el) => el === document.activeElement || el.contains(document.activeElement),
      undefined,
      {
        timeout: 1000,
      },
    )
    .catch(() => false);

/** Presses `key` until `target` has focus; returns how many presses it took. */
async function tabTo(page: Page, target: Locator, key = "Tab", max = 40): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(key);
    if (await hasFocus(target)) return i;
  }
  const active = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`${max} × ${key} did not reach ${target} (focus is on ${active})`);
}

describe("keyboard", () => {
  it("reaches URL and Connect with Tab only; Enter in the URL connects", async () => {
    const page = await env.fresh();
    await page
      .locator("body")
      .click({ position: { x: 1, y: 1 } })
      .catch(() => undefined);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const url = urlBox(page);
    const connect = page.getByRole("button", { name: "Connect", exact: true });
    await tabTo(page, url);
    await page.keyboard.insertText(`${env.echo.base}/echo`);
    // Connect is reachable with Tab from the URL field, and back with Shift+Tab.
    const forward = await tabTo(page, connect, "Tab", 15);
    const back = await tabTo(page, url, "Shift+Tab", 15);
    expect(back).toBe(forward);
    await page.keyboard.press("Enter");
    await statusBadge(page, "Connected").waitFor();
    // Disconnect with the keyboard, then Connect with Tab + Enter on the button.
    await tabTo(page, page.getByRole("button", { name: "Disconnect", exact: true }), "Tab", 15);
    await page.keyboard.press("Enter");
    await statusBadge(page, "Disconnected").waitFor();
    await page.getByRole("button", { name: "Connect", exact: true }).waitFor();
    if (!(await hasFocus(connect))) await tabTo(page, connect, "Tab", 80);
    await page.keyboard.press("Enter");
    await statusBadge(page, "Connected").waitFor();
  });

  it("Ctrl+Enter in the Message editor sends", async () => {
    const page = await env.connected();
    await tabTo(page, editor(page), "Tab", 60);
    await page.keyboard.insertText("keyboard only message");
    await page.keyboard.press("Control+Enter");
    await expectInLog(page, "keyboard only message", 2);
  });

  it("? lists the shortcuts; / goes to the log search; both are text inside a field", async () => {
    const page = await env.connected();
    await page
      .getByRole("button", { name: "Connect", exact: true })
      .or(page.getByRole("button", { name: "Disconnect", exact: true }))
      .focus();
    await page.keyboard.press("Shift+Slash");
    const list = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await list.waitFor();
    expect(await list.innerText()).toContain("Ctrl/Cmd+S");
    await page.keyboard.press("Escape");
    await list.waitFor({ state: "hidden" });

    await page.keyboard.press("/");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Search messages");
    // Typed in a field, they are characters.
    await page.keyboard.type("a/b?");
    expect(await page.getByRole("searchbox", { name: "Search messages" }).inputValue()).toBe(
      "a/b?",
    );
    expect(await list.count()).toBe(0);
  });
});
