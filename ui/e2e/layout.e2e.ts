// Layout, measured with real geometry: the request tab strip when tabs overflow, the page
// never scrolling as a whole, the console's bounded height and its splitter.

import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { messageLog, shot, statusBadge, urlBox, useEnv } from "./harness";

const env = useEnv("layout");

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function box(l: Locator): Promise<Rect> {
  const b = await l.boundingBox();
  if (!b) throw new Error(`${String(l)} has no box`);
  return b;
}

/** The part of `el` that is not clipped by an ancestor's overflow (null: none of it). */
function visibleRect(l: Locator): Promise<Rect | null> {
  return l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    let [x1, y1, x2, y2] = [r.left, r.top, r.right, r.bottom];
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX === "visible" && s.overflowY === "visible") continue;
      const c = p.getBoundingClientRect();
      if (s.overflowX !== "visible") [x1, x2] = [Math.max(x1, c.left), Math.min(x2, c.right)];
      if (s.overflowY !== "visible") [y1, y2] = [Math.max(y1, c.top), Math.min(y2, c.bottom)];
    }
    return x2 - x1 > 0.5 && y2 - y1 > 0.5
      ? { x: x1, y: y1, width: x2 - x1, height: y2 - y1 }
      : null;
  });
}

const overlap = (a: Rect, b: Rect) =>
  Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.5 &&
  Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.5;

/** The page itself does not scroll, in either direction. */
async function expectNoPageScroll(page: Page): Promise<void> {
  const s = await page.evaluate(() => {
    const e = document.scrollingElement ?? document.documentElement;
    return { sw: e.scrollWidth, cw: e.clientWidth, sh: e.scrollHeight, ch: e.clientHeight };
  });
  expect(s.sw, "page scrollWidth").toBeLessThanOrEqual(s.cw);
  expect(s.sh, "page scrollHeight").toBeLessThanOrEqual(s.ch);
}

/** The active tab is wholly inside the strip's visible box; `+` covers no tab. */
async function expectStripSane(page: Page): Promise<void> {
  const tabs = page.getByRole("tablist", { name: "Requests" }).getByRole("tab");
  const active = page.getByRole("tablist", { name: "Requests" }).getByRole("tab", {
    selected: true,
  });
  const plus = await box(page.getByRole("button", { name: "New request", exact: true }));
  const activeBox = await box(active);
  const activeVisible = await visibleRect(active);
  expect(activeVisible, "the active tab is visible").not.toBeNull();
  expect(activeVisible!.width).toBeGreaterThanOrEqual(activeBox.width - 1);
  expect(activeVisible!.x).toBeGreaterThanOrEqual(0);
  expect(activeVisible!.x + activeVisible!.width).toBeLessThanOrEqual(1280);
  for (const item of await page.locator(".tab-item").all()) {
    const v = await visibleRect(item);
    if (v) expect(overlap(v, plus), "`+` overlaps a tab").toBe(false);
  }
  expect(overlap(activeBox, plus)).toBe(false);
  // `+` is what is drawn at its own centre.
  const onTop = await page.evaluate(
    ([x, y]) => document.elementFromPoint(x!, y!)?.getAttribute("aria-label") ?? "",
    [plus.x + plus.width / 2, plus.y + plus.height / 2],
  );
  expect(onTop).toBe("New request");
  // Each tab keeps a usable width (shrunk with an ellipsis, not crushed).
  for (const t of await tabs.all()) expect((await box(t)).width).toBeGreaterThanOrEqual(60);
}

describe("layout", () => {
  it("8 tabs at 1280×800: `+` stays clear, the active tab is scrolled into view, no page scroll", async () => {
    const page = await env.fresh();
    const tablist = page.getByRole("tablist", { name: "Requests" });
    const plus = page.getByRole("button", { name: "New request", exact: true });
    for (let i = 1; i < 8; i++) {
      await plus.click();
      await urlBox(page).last().waitFor();
      await page.keyboard.insertText(`${env.echo.base}/some/long/path/number/${i}?q=${i}`);
    }
    await expect.poll(() => tablist.getByRole("tab").count()).toBe(8);
    await shot(page, "layout-8-tabs");
    await expectStripSane(page);
    await expectNoPageScroll(page);
    // The strip scrolls without a scrollbar of its own.
    const bar = await page
      .locator(".tabs")
      .evaluate((el) => (el as HTMLElement).offsetHeight - el.clientHeight);
    expect(bar, "scrollbar height").toBe(0);

    // Two more: now the tabs are at their minimum width and the strip scrolls.
    for (let i = 0; i < 2; i++) await plus.click();
    await expect.poll(() => tablist.getByRole("tab").count()).toBe(10);
    const strip = page.locator(".tabs");
    expect(await strip.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await expectStripSane(page);

    // Switching with the keyboard brings the new active tab into view, both ways.
    const active = tablist.getByRole("tab", { selected: true });
    const idOf = (l: Locator) => l.getAttribute("id");
    await active.focus();
    await page.keyboard.press("Home");
    await expect.poll(() => idOf(active)).toBe(await idOf(tablist.getByRole("tab").first()));
    await expectStripSane(page);
    await page.keyboard.press("End");
    await expect.poll(() => idOf(active)).toBe(await idOf(tablist.getByRole("tab").last()));
    await expectStripSane(page);
    // A tab created while the strip is scrolled to the start is scrolled to.
    await page.keyboard.press("Home");
    await expectStripSane(page);
    await plus.click();
    await expect.poll(() => tablist.getByRole("tab").count()).toBe(11);
    await expect.poll(() => idOf(active)).toBe(await idOf(tablist.getByRole("tab").last()));
    await expectStripSane(page);
    await expectNoPageScroll(page);
    await shot(page, "layout-11-tabs");
  });

  it("800 px wide: the URL box stays usable, without a scrollbar of its own", async () => {
    const page = await env.fresh();
    await page.setViewportSize({ width: 800, height: 700 });
    await urlBox(page).click();
    await page.keyboard.insertText(`${env.echo.base}/some/rather/long/path/to/a/socket?x=1&y=2`);
    const url = page.locator(".url-field");
    expect((await box(url)).width).toBeGreaterThanOrEqual(300);
    const scroller = url.locator(".cm-scroller");
    const bar = await scroller.evaluate((el) => (el as HTMLElement).offsetHeight - el.clientHeight);
    expect(bar, "URL box scrollbar height").toBe(0);
    await shot(page, "layout-narrow");
    await expectNoPageScroll(page);
    // Narrower still, with the console open and several tabs: nothing scrolls the page.
    for (let i = 0; i < 4; i++)
      await page.getByRole("button", { name: "New request", exact: true }).click();
    await page.getByRole("button", { name: "Hide sidebar" }).click();
    await page.getByRole("button", { name: /^Console/ }).click();
    await page.setViewportSize({ width: 600, height: 700 });
    await expectStripSane(page);
    await expectNoPageScroll(page);
    expect((await box(messageLog(page))).height).toBeGreaterThanOrEqual(120);
    await shot(page, "layout-narrow-console");
  });

  it("the console is bounded, the log keeps its height, the splitter works by keyboard", async () => {
    const page = await env.connected();
    const panel = page.locator(".tabpanel:not([hidden])");
    await page.getByRole("tab", { name: "Settings", exact: true }).click();
    await page.getByRole("button", { name: /^Console/ }).click();
    const consoleLog = page.getByRole("log", { name: "Console log" });
    await consoleLog.waitFor();
    await shot(page, "layout-console-open");
    await expectNoPageScroll(page);
    const pane = await box(panel);
    expect((await box(messageLog(page))).height, "message log height").toBeGreaterThanOrEqual(150);
    const section = page.getByRole("region", { name: "Console" });
    expect((await box(section)).height).toBeLessThanOrEqual(pane.height * 0.35 + 1);

    const splitter = page.getByRole("separator", { name: "Resize console" });
    await splitter.focus();
    const before = Number(await splitter.getAttribute("aria-valuenow"));
    const h0 = (await box(consoleLog)).height;
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const smaller = Number(await splitter.getAttribute("aria-valuenow"));
    expect(smaller).toBeLessThan(before);
    const h1 = (await box(consoleLog)).height;
    expect(h1).toBeLessThan(h0);
    await page.keyboard.press("ArrowUp");
    expect(Number(await splitter.getAttribute("aria-valuenow"))).toBeGreaterThan(smaller);
    // Dragging it up by 40 px makes the console 40 px taller.
    const grip = await box(splitter);
    const dragged = Number(await splitter.getAttribute("aria-valuenow"));
    await page.mouse.move(grip.x + grip.width / 3, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + grip.width / 3, grip.y + grip.height / 2 - 20, { steps: 2 });
    await page.mouse.move(grip.x + grip.width / 3, grip.y + grip.height / 2 - 40, { steps: 2 });
    await page.mouse.up();
    expect(Number(await splitter.getAttribute("aria-valuenow"))).toBe(dragged + 40);
    // End: as tall as allowed, and still bounded; the log keeps its minimum.
    await page.keyboard.press("End");
    expect((await box(section)).height).toBeLessThanOrEqual(pane.height * 0.35 + 1);
    expect((await box(messageLog(page))).height).toBeGreaterThanOrEqual(150);
    await expectNoPageScroll(page);
    // Home: the smallest; the size is remembered after a reload.
    await page.keyboard.press("Home");
    const min = Number(await splitter.getAttribute("aria-valuenow"));
    expect(min).toBe(Number(await splitter.getAttribute("aria-valuemin")));
    await page.keyboard.press("ArrowUp");
    const kept = await splitter.getAttribute("aria-valuenow");
    await page.reload();
    await statusBadge(page, "Not connected")
      .or(statusBadge(page, "Disconnected"))
      .or(statusBadge(page, "Connected"))
      .first()
      .waitFor();
    await page.getByRole("button", { name: /^Console/ }).click();
    expect(
      await page.getByRole("separator", { name: "Resize console" }).getAttribute("aria-valuenow"),
    ).toBe(kept);
    await shot(page, "layout-console-resized");
  });
});
