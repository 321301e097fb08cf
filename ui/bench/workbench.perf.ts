// The workbench under load, in a real browser (Debian's Chromium, headless, 1280×800):
//
// 1. startup: `wsdeck ui --demo` spawn → address printed; page load → "Connected" → first
//    incoming /stream message in the log;
// 2. live load: the echo server's /stream pushes 20,000 messages/s of 200 bytes for 15 s
//    while the benchmark types in the composer and scrolls the log. Interaction latency is
//    the browser's own Event Timing (keydown → next paint, like INP); smoothness is the
//    rAF frame intervals while scrolling; long tasks from the Long Tasks API; heap from CDP;
// 3. a 1M-message log (/burst?count=1000000&size=200): heap once it has arrived, then the
//    time to show rows after jumping to the top and to the middle (pages fetched by seq).
//
// Run: scripts/bench-ui (builds release wsdeck and the UI first), or with a built binary:
//   cd ui && WSDECK_BIN=../target/release/wsdeck npm run bench
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, test } from "vitest";
import type { CDPSession, Page } from "playwright-core";
import {
  editor,
  launchBrowser,
  messageLog,
  newPage,
  startWorkbench,
  statusBadge,
  stopAll,
  uiRoot,
  urlBox,
  waitFor,
} from "../e2e/harness";

const results: Record<string, unknown> = {};
const started = new Date().toISOString();

afterAll(async () => {
  await stopAll();
  const file = path.join(uiRoot, "bench", "results.json");
  writeFileSync(file, JSON.stringify({ started, results }, null, 2) + "\n");
  console.warn(`\nwsdeck workbench benchmark\n${JSON.stringify(results, null, 2)}\n→ ${file}`);
});

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.floor(q * sorted.length));
  return Math.round((sorted[i] ?? NaN) * 10) / 10;
}

function summary(values: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: quantile(s, 1) };
}

/** Resident memory of a process (the wsdeck server: it holds the session log). */
function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const used = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN;
  return Math.round((used / 1024 / 1024) * 10) / 10;
}

/** Starts recording event timings, long tasks and frame intervals inside the page. */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const events: { name: string; duration: number }[] = [];
    const longTasks: number[] = [];
    const frames: number[] = [];
    w.__bench = { events, longTasks, frames, recordFrames: false };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) events.push({ name: e.name, duration: e.duration });
    }).observe({
      type: "event",
      buffered: false,
      durationThreshold: 16,
    } as PerformanceObserverInit);
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: false });
    let last = performance.now();
    const tick = (t: number) => {
      const b = w.__bench as { recordFrames: boolean };
      if (b.recordFrames) frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

interface Recorded {
  events: { name: string; duration: number }[];
  longTasks: number[];
  frames: number[];
}

async function takeRecorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => {
    const b = (window as unknown as Record<string, Recorded>).__bench!;
    const out = { events: [...b.events], longTasks: [...b.longTasks], frames: [...b.frames] };
    b.events.length = 0;
    b.longTasks.length = 0;
    b.frames.length = 0;
    return out;
  });
}

/** Scrolls the message log up and down with the mouse wheel for `ms`. */
async function scrollFor(page: Page, ms: number): Promise<void> {
  const box = await messageLog(page).boundingBox();
  if (!box) throw new Error("no message log on the page");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    (window as unknown as Record<string, { recordFrames: boolean }>).__bench!.recordFrames = true;
  });
  const end = Date.now() + ms;
  let dir = -1;
  while (Date.now() < end) {
    for (let i = 0; i < 10; i++) {
      await page.mouse.wheel(0, dir * 400);
      await page.waitForTimeout(30);
    }
    dir = -dir;
  }
  await page.evaluate(() => {
    (window as unknown as Record<string, { recordFrames: boolean }>).__bench!.recordFrames = false;
  });
}

/** `wsdeck ui --demo` with its page open (not connected) and instrumented, CDP metrics on. */
async function instrumentedPage(): Promise<{
  wb: Awaited<ReturnType<typeof startWorkbench>>;
  echo: string;
  page: Page;
  cdp: CDPSession;
}> {
  const wb = await startWorkbench({ demo: true });
  const browser = await launchBrowser();
  const { page } = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(wb.url.replace(/&connect=1/, ""));
  await instrument(page);
  return { wb, echo: wb.demoEcho!, page, cdp };
}

async function connectTo(page: Page, url: string): Promise<void> {
  const box = urlBox(page);
  await box.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(url);
  await page.getByRole("button", { name: "Connect" }).click();
  await statusBadge(page, "Connected").waitFor();
}

test("startup of wsdeck ui --demo", async () => {
  const t0 = performance.now();
  const wb = await startWorkbench({ demo: true });
  const printed = performance.now() - t0;
  const browser = await launchBrowser();
  const { page } = await newPage(browser);
  const t1 = performance.now();
  await page.goto(wb.url);
  await statusBadge(page, "Connected").waitFor({ timeout: 10_000 });
  const connected = performance.now() - t1;
  await messageLog(page).getByText('"seq":0').first().waitFor({ timeout: 10_000 });
  const firstMessage = performance.now() - t1;
  const domReadyMs = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return Math.round(nav.domContentLoadedEventEnd);
  });
  const scriptMs = await page.evaluate(() => {
    const js = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".js")) as
      PerformanceResourceTiming | undefined;
    return js ? Math.round(js.responseEnd - js.startTime) : NaN;
  });
  // Again in the same browser (warm: no renderer start-up, the script cached), from a fresh
  // wsdeck run, as when a user runs `wsdeck ui --demo` a second time.
  const wb2 = await startWorkbench({ demo: true });
  const t2 = performance.now();
  await page.goto(wb2.url);
  await statusBadge(page, "Connected").waitFor({ timeout: 10_000 });
  const warmConnected = performance.now() - t2;
  await messageLog(page).getByText('"seq":0').first().waitFor({ timeout: 10_000 });
  const warmFirst = performance.now() - t2;
  const warmDomReady = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
    return Math.round(nav.domContentLoadedEventEnd);
  });
  results.startup = {
    addressPrintedMs: Math.round(printed),
    cold: {
      domReadyMs: domReadyMs,
      scriptFetchMs: scriptMs,
      pageToConnectedMs: Math.round(connected),
      pageToFirstMessageMs: Math.round(firstMessage),
    },
    warm: {
      domReadyMs: warmDomReady,
      pageToConnectedMs: Math.round(warmConnected),
      pageToFirstMessageMs: Math.round(warmFirst),
    },
  };
  await wb2.stop();
  await wb.stop();
});

test("20k messages/s of 200 bytes: typing and scrolling", async () => {
  const { wb, echo, page, cdp } = await instrumentedPage();
  await connectTo(page, `${echo}stream?rate=20000&size=200&count=400000`);
  await page.waitForTimeout(2000);
  await takeRecorded(page);

  // Typing: 60 characters in the composer, one every 50 ms, during the load.
  const ed = editor(page);
  await ed.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  const typed = "typing while twenty thousand messages a second arrive.. ok";
  const tType = performance.now();
  for (const ch of typed) {
    await page.keyboard.type(ch);
    await page.waitForTimeout(50);
  }
  // Every character is in the editor (nothing dropped while busy).
  await waitFor(async () => (await ed.innerText()).includes(typed), "typed text", 5000);
  const typingWall = performance.now() - tType;
  const typing = await takeRecorded(page);

  // Scrolling the log for 4 s.
  await scrollFor(page, 4000);
  const scrolling = await takeRecorded(page);
  const rateText = await page.getByLabel("Message rate").innerText();
  const heapLive = await heapMb(cdp);

  const keyEvents = typing.events
    .filter((e) => e.name.startsWith("key") || e.name === "input" || e.name === "beforeinput")
    .map((e) => e.duration);
  results.liveLoad = {
    server: "20,000 msg/s × 200 B (/stream)",
    shownRate: rateText,
    typing: {
      characters: typed.length,
      wallMs: Math.round(typingWall),
      // Event Timing only reports events slower than 16 ms; the rest were faster.
      slowKeyEventsOver16ms: summary(keyEvents),
      longTasksMs: summary(typing.longTasks),
    },
    scrolling: {
      frameIntervalsMs: summary(scrolling.frames),
      longTasksMs: summary(scrolling.longTasks),
    },
    heapUsedMb: heapLive,
  };
  await page.getByRole("button", { name: "Disconnect" }).click();
  await wb.stop();
});

test("a 1M-message log: memory and jumping around", async () => {
  const { wb, echo, page, cdp } = await instrumentedPage();
  const heapBefore = await heapMb(cdp);
  const t0 = performance.now();
  await connectTo(page, `${echo}burst?count=1000000&size=200`);
  // Arrived when the list counts every message (the log's `data-count` is its row count).
  const log = messageLog(page);
  const rows = async () => Number(await log.getAttribute("data-count"));
  await waitFor(async () => (await rows()) >= 1_000_000, "1M rows in the log", 240_000);
  const arrivedMs = performance.now() - t0;
  const heapAfter = await heapMb(cdp);
  const wsdeckRssMb = rssMb(wb.proc.child.pid);

  const jump = async (where: "top" | "middle"): Promise<number> => {
    const t = performance.now();
    await log.evaluate((el, w) => {
      const scroller = (el.closest("[data-scroll]") as HTMLElement | null) ?? el;
      scroller.scrollTop = w === "top" ? 0 : scroller.scrollHeight / 2;
    }, where);
    await waitFor(
      async () => {
        const text = await log.innerText();
        // Rows shown: messages, or the note for events wsdeck's retention (256 MiB by
        // default) already dropped — the oldest of a 1M × 200 B log do not fit.
        return /xxxx|No longer kept/.test(text) && !/Loading…/.test(text);
      },
      `rows at the ${where}`,
      10_000,
    ).catch(async (e: unknown) => {
      await page.screenshot({
        path: path.join(uiRoot, "e2e-artifacts", `bench-jump-${where}.png`),
      });
      console.warn(await log.innerText());
      throw e;
    });
    return Math.round(performance.now() - t);
  };
  const topMs = await jump("top");
  const droppedAtTop = (await log.innerText()).includes("No longer kept");
  const middleMs = await jump("middle");
  await scrollFor(page, 3000);
  const scrolling = await takeRecorded(page);
  const heapScrolled = await heapMb(cdp);
  results.millionLog = {
    arrivedMs: Math.round(arrivedMs),
    heapUsedMb: {
      before: heapBefore,
      afterArrival: heapAfter,
      afterJumpsAndScrolling: heapScrolled,
    },
    wsdeckRssMb,
    jumpToTopMs: topMs,
    oldestDroppedByRetention: droppedAtTop,
    jumpToMiddleMs: middleMs,
    scrolling: {
      frameIntervalsMs: summary(scrolling.frames),
      longTasksMs: summary(scrolling.longTasks),
    },
  };
  await wb.stop();
});
