// End-to-end harness: the real wsdeck binary, real peers, Debian's headless Chromium.
//
// Every process and browser started here is registered and torn down by `stopAll()`
// (call it from afterAll; it never throws), so a failing test leaves nothing behind.
// Only 127.0.0.1 traffic: every peer binds loopback and Chromium gets no network services.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll } from "vitest";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from "playwright-core";

/** The repository root: this file lives in `<root>/ui/e2e/`. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const uiRoot = path.join(repoRoot, "ui");
export const artifactsDir = path.join(uiRoot, "e2e-artifacts");
export const docsDir = path.join(repoRoot, "docs");

export const CHROMIUM = process.env.WSDECK_CHROMIUM ?? "/usr/bin/chromium";
/** The flags Chromium gets, and nothing else but the profile dir and Playwright's pipe. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const STARTUP_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------
// Binaries

function supportsUi(bin: string): boolean {
  const r = spawnSync(bin, ["ui", "--help"], { stdio: "ignore", timeout: 10_000 });
  return r.status === 0;
}

/**
 * The wsdeck binary: `$WSDECK_BIN`, else the first of target/release, target/debug,
 * /tmp/wsdeck-dev that exists and knows `wsdeck ui` (a stale release build without the
 * workbench is skipped rather than failing every test).
 */
export function wsdeckBin(): string {
  const fromEnv = process.env.WSDECK_BIN;
  if (fromEnv) return path.resolve(repoRoot, fromEnv);
  const candidates = [
    path.join(repoRoot, "target", "release", "wsdeck"),
    path.join(repoRoot, "target", "debug", "wsdeck"),
    "/tmp/wsdeck-dev/wsdeck",
  ];
  const existing = candidates.filter((c) => existsSync(c));
  const usable = existing.find((c) => supportsUi(c));
  if (usable) return usable;
  if (existing[0]) return existing[0];
  throw new Error(
    `no wsdeck binary: set WSDECK_BIN or build one (looked at ${candidates.join(", ")})`,
  );
}

let cachedBin: string | undefined;
function bin(): string {
  cachedBin ??= wsdeckBin();
  return cachedBin;
}

export function pythonBin(): string {
  return process.env.WSDECK_PYTHON ?? path.join(repoRoot, ".venv", "bin", "python");
}

// ---------------------------------------------------------------------------------------
// Processes

export interface Proc {
  child: ChildProcess;
  /** Every stdout and stderr line so far, for failure messages. */
  output: string[];
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /** Kills at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
}

const procs = new Set<Proc>();
const browsers = new Set<Browser>();
const tempDirs = new Set<string>();

// Should the test process itself die (Ctrl+C, a crash), take the children along.
process.once("exit", () => {
  for (const p of procs) p.child.kill("SIGKILL");
});

/**
 * Spawns `cmd args` and waits for a stdout line matching `ready`; resolves with the process
 * and the match. Rejects (and kills the process) if it exits or times out first.
 */
export async function spawnUntil(
  cmd: string,
  args: string[],
  ready: RegExp,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ proc: Proc; match: RegExpMatchArray; lines: string[] }> {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const stdoutLines: string[] = [];
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  const proc: Proc = {
    child,
    output,
    exited,
    async stop() {
      procs.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      procs.delete(proc);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
  procs.add(proc);
  createInterface({ input: child.stderr! }).on("line", (l) => output.push(`[stderr] ${l}`));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${cmd} ${args.join(" ")}: no line matching ${ready} in ${opts.timeoutMs ?? STARTUP_TIMEOUT_MS} ms\n${output.join("\n")}`,
          ),
        ),
      opts.timeoutMs ?? STARTUP_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on("line", (l) => {
      output.push(l);
      stdoutLines.push(l);
      const m = l.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${cmd}: ${e.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`${cmd} ${args.join(" ")} exited (${code}) before ready\n${output.join("\n")}`),
      );
    });
  }).catch(async (e: unknown) => {
    await proc.stop();
    throw e;
  });
  return { proc, match, lines: stdoutLines };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (and is closed now: nothing listens). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------
// wsdeck ui, echo server, foreign peers

export interface Workbench {
  proc: Proc;
  /** The full address printed by wsdeck, fragment and token included. */
  url: string;
  port: number;
  token: string;
  /** With --demo: the demo echo server's base, e.g. `ws://127.0.0.1:PORT/`. */
  demoEcho?: string;
  /** This run's data folder (history.db, secrets); the workspace is `workspace/` in it. */
  dataDir: string;
  stop(): Promise<void>;
}

const WORKBENCH_LINE = /^wsdeck workbench: (http:\/\/127\.0\.0\.1:(\d+)\/#(\S*))$/;

export async function startWorkbench(
  opts: { demo?: boolean; port?: number; keepToken?: string; dataDir?: string } = {},
): Promise<Workbench> {
  const args = ["ui", "--port", String(opts.port ?? 0), "--no-open"];
  if (opts.demo) args.push("--demo");
  if (opts.keepToken) args.push("--keep-token", opts.keepToken);
  const assets = process.env.WSDECK_UI_ASSETS;
  if (assets) args.push("--assets", path.resolve(uiRoot, assets));
  // Saved requests and environments go to a fresh workspace and data folder of this test
  // run, never to the user's own.
  const data = opts.dataDir ?? tempDir("wsdeck-e2e-data-");
  if (!args.includes("--workspace")) args.push("--workspace", path.join(data, "workspace"));
  const { proc, match } = await spawnUntil(bin(), args, WORKBENCH_LINE, {
    env: { WSDECK_DATA_DIR: data },
  });
  const fragment = new URLSearchParams(match[3] ?? "");
  const wb: Workbench = {
    proc,
    url: match[1]!,
    port: Number(match[2]),
    token: fragment.get("token") ?? "",
    dataDir: data,
    stop: () => proc.stop(),
  };
  if (!wb.token) throw new Error(`no token in ${wb.url}`);
  if (opts.demo) {
    // The second line names the demo echo server; wait for it (it follows at once).
    wb.demoEcho = await new Promise<string>((resolve, reject) => {
      const find = () =>
        proc.output
          .map((l) => l.match(/^demo echo server: (ws:\/\/127\.0\.0\.1:\d+\/)/))
          .find(Boolean);
      const started = Date.now();
      const tick = () => {
        const m = find();
        if (m) return resolve(m[1]!);
        if (Date.now() - started > 5000)
          return reject(new Error(`no demo echo server line:\n${proc.output.join("\n")}`));
        setTimeout(tick, 20);
      };
      tick();
    });
  }
  return wb;
}

export interface Peer {
  proc: Proc;
  port: number;
  /** `ws://127.0.0.1:PORT` (no trailing slash): append `/echo` etc. */
  base: string;
  stop(): Promise<void>;
}

function peer(proc: Proc, port: number): Peer {
  return { proc, port, base: `ws://127.0.0.1:${port}`, stop: () => proc.stop() };
}

/** `wsdeck echo-server --port 0` (it prints `… listening on ws://127.0.0.1:PORT/`). */
export async function startEchoServer(): Promise<Peer> {
  const { proc, match } = await spawnUntil(
    bin(),
    ["echo-server", "--port", "0"],
    /listening on ws:\/\/127\.0\.0\.1:(\d+)\//,
  );
  return peer(proc, Number(match[1]));
}

/** The Node `ws` peer from tests/peers (prints `LISTENING <port>`). */
export async function startNodePeer(): Promise<Peer> {
  const script = path.join(repoRoot, "tests", "peers", "node_server.js");
  const { proc, match } = await spawnUntil(
    process.execPath,
    [script, "--port", "0"],
    /^LISTENING (\d+)$/,
    {
      cwd: path.dirname(script),
    },
  );
  return peer(proc, Number(match[1]));
}

/** The Python `websockets` peer from tests/peers (needs WSDECK_PYTHON or .venv). */
export async function startPythonPeer(): Promise<Peer> {
  const script = path.join(repoRoot, "tests", "peers", "python_server.py");
  const { proc, match } = await spawnUntil(
    pythonBin(),
    [script, "--port", "0"],
    /^LISTENING (\d+)$/,
    {
      cwd: path.dirname(script),
      env: { PYTHONUNBUFFERED: "1" },
    },
  );
  return peer(proc, Number(match[1]));
}

// ---------------------------------------------------------------------------------------
// Browser

/**
 * Debian's Chromium with exactly CHROMIUM_FLAGS, a fresh profile dir, and Playwright's
 * own pipe (`ignoreDefaultArgs: true`, so Playwright adds no flags of its own).
 */
export async function launchBrowser(): Promise<Browser> {
  const profile = tempDir("wsdeck-e2e-chromium-");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    ignoreDefaultArgs: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-pipe"],
    timeout: 30_000,
  });
  browsers.add(browser);
  return browser;
}

/** A fresh 1280×800 context and page, with console errors and page errors recorded. */
export async function newPage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Only loopback: anything else is a bug (the page must not fetch from the network).
  await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]|data:|blob:|about:)/, (route) =>
    route.abort(),
  );
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.setDefaultTimeout(10_000);
  return { context, page, errors };
}

// ---------------------------------------------------------------------------------------
// Teardown

/** Closes every browser, stops every process, removes temp dirs. Never throws. */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...browsers].map((b) => b.close()));
  browsers.clear();
  await Promise.allSettled([...procs].map((p) => p.stop()));
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  tempDirs.clear();
}

// ---------------------------------------------------------------------------------------
// Page helpers (the contract's roles and names)

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`) }).catch(() => undefined);
}

/** Polls `fn` until it returns truthy (returns that value) or throws after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  what: string,
  timeoutMs = 10_000,
): Promise<NonNullable<T>> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : String(last)})`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const messageLog = (page: Page): Locator => page.getByRole("log", { name: "Message log" });
export const urlBox = (page: Page): Locator =>
  page.getByRole("textbox", { name: "URL", exact: true });
// The contract says "the Message editor"; the editor is named "Message" (or "Message editor").
export const editor = (page: Page): Locator =>
  page.getByRole("textbox", { name: /^Message( editor)?$/ });
export const statusBadge = (page: Page, status: string): Locator =>
  page.getByLabel(`Connection status: ${status}`, { exact: true });

/** The text of the message log ("" while it is not on the page). */
export async function logText(page: Page): Promise<string> {
  const log = messageLog(page);
  if ((await log.count()) === 0) return "";
  return (await log.first().innerText()).replace(/\s+/g, " ");
}

export function occurrences(haystack: string, needle: string): number {
  if (!needle) return 0;
  return haystack.split(needle).length - 1;
}

/** Waits until the log shows `text` at least `times` times. */
export async function expectInLog(
  page: Page,
  text: string,
  times = 1,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    async () => occurrences(await logText(page), text) >= times,
    `"${text}" ×${times} in the message log`,
    timeoutMs,
  );
}

/** Opens a page on the workbench and waits until the gateway is up (no lost-connection alert). */
export async function openWorkbench(page: Page, wb: Workbench): Promise<void> {
  await page.goto(wb.url);
  await urlBox(page).waitFor();
}

/** Replaces the content of a textbox (plain input or contenteditable editor). */
export async function fill(box: Locator, text: string): Promise<void> {
  const editable = await box.evaluate((el) => (el as HTMLElement).isContentEditable);
  if (!editable) {
    await box.fill(text);
    return;
  }
  // A code editor (CodeMirror): select all, then insert the text in one input event, so
  // bracket closing and completion do not rewrite it as typed keys would.
  await box.click();
  await box.press("Control+a");
  await box.press("Delete");
  if (text) await box.page().keyboard.insertText(text);
}

/** The text of a textbox (value of an input, text of a contenteditable editor). */
export async function boxText(box: Locator): Promise<string> {
  return box.evaluate((el) =>
    el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement
      ? el.value
      : ((el as HTMLElement).innerText ?? ""),
  );
}

/** Selects the option of a <select> whose label matches `label` (string: exact, case-insensitive). */
export async function selectByLabel(select: Locator, label: string | RegExp): Promise<void> {
  const labels = await select.evaluate((el) =>
    Array.from((el as HTMLSelectElement).options).map((o) => o.label || o.text),
  );
  const want =
    typeof label === "string"
      ? labels.find((l) => l.trim().toLowerCase() === label.toLowerCase())
      : labels.find((l) => label.test(l));
  if (want === undefined) throw new Error(`no option ${String(label)} in [${labels.join(", ")}]`);
  await select.selectOption({ label: want });
}

export async function connectTo(page: Page, url: string, status = "Connected"): Promise<void> {
  await fill(urlBox(page), url);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  try {
    await statusBadge(page, status).waitFor();
  } catch (e) {
    // Say what the page showed instead: a flaky run in CI leaves only this message.
    const badge = await page
      .getByLabel(/^Connection status: /)
      .first()
      .getAttribute("aria-label")
      .catch(() => "none");
    const alerts = (await alertsText(page).catch(() => [])).filter((t) => t.trim());
    throw new Error(
      `Connect to ${url} did not reach "${status}": the badge says ${JSON.stringify(badge)}, the alerts ${JSON.stringify(alerts)} (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`,
    );
  }
}

export async function disconnect(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Disconnect", exact: true }).click();
  await statusBadge(page, "Disconnected").waitFor();
}

/** Sends `text` from the Message editor with the "Send" button. */
export async function send(page: Page, text: string): Promise<void> {
  await fill(editor(page), text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/** Text a user could mistake for a stack trace or JS noise. */
export const STACK_NOISE =
  /(^|\n)\s*at \S+.*(\(|:\d+:\d+)|\b\w*Error: |\[object Object\]|\.(tsx?|js|rs):\d+|\bpanicked\b|RUST_BACKTRACE/;

export async function alertsText(page: Page): Promise<string[]> {
  return page.getByRole("alert").allInnerTexts();
}

// ---------------------------------------------------------------------------------------
// Per-file setup

export interface Env {
  browser: Browser;
  wb: Workbench;
  echo: Peer;
  /** The page of the current test (set by `fresh`), screenshotted when the test fails. */
  page?: Page;
  errors: string[];
  /** A new page on the workbench, the gateway up. */
  fresh(): Promise<Page>;
  /** A new page connected to `url` (default: the echo server's /echo). */
  connected(url?: string): Promise<Page>;
}

/** Registers beforeAll/afterAll/afterEach: a workbench, an echo server, a browser. */
export function useEnv(name: string): Env {
  const env = { errors: [] as string[] } as Env;
  beforeAll(async () => {
    const [wb, echo, browser] = await Promise.all([
      startWorkbench(),
      startEchoServer(),
      launchBrowser(),
    ]);
    Object.assign(env, { wb, echo, browser });
  });
  env.fresh = async () => {
    if (env.page)
      await env.page
        .context()
        .close()
        .catch(() => undefined);
    const { page, errors } = await newPage(env.browser);
    env.page = page;
    env.errors = errors;
    await openWorkbench(page, env.wb);
    return page;
  };
  env.connected = async (url?: string) => {
    const page = await env.fresh();
    await connectTo(page, url ?? `${env.echo.base}/echo`);
    return page;
  };
  afterEach(async (ctx) => {
    if (env.page && ctx.task.result?.state === "fail") {
      const slug = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      await shot(env.page, `FAILED-${name}-${slug}`);
    }
  });
  afterAll(stopAll);
  return env;
}
