// Every control has a non-empty accessible name, as Chromium and Playwright compute it,
// in the main states: empty, connected with messages, Settings, Environments, Console.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectInLog, send, shot, useEnv } from "./harness";

const env = useEnv("a11y");

const ROLES = [
  "button",
  "textbox",
  "searchbox",
  "checkbox",
  "radio",
  "switch",
  "combobox",
  "listbox",
  "spinbutton",
  "slider",
  "tab",
  "link",
  "menuitem",
] as const;

/** Controls with an empty accessible name, described for the failure message. */
async function unnamed(page: Page, state: string): Promise<string[]> {
  const bad: string[] = [];
  for (const role of ROLES) {
    const all = await page.getByRole(role).all();
    const named = page.getByRole(role, { name: /\S/ });
    for (const el of all) {
      if ((await el.and(named).count()) === 0) {
        const html = await el.evaluate((e) => e.outerHTML.slice(0, 160)).catch(() => "?");
        bad.push(`${state}: ${role} ${html}`);
      }
    }
  }
  // Chromium's own computation, too (CDP): catches what the role query might skip.
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
  };
  await cdp.detach();
  const cdpRoles = new Set([
    "button",
    "textbox",
    "searchbox",
    "checkbox",
    "radio",
    "switch",
    "combobox",
    "ComboBoxSelect",
    "spinbutton",
    "slider",
    "tab",
    "link",
    "menuitem",
    "PopUpButton",
  ]);
  for (const n of nodes) {
    if (n.ignored || !n.role || !cdpRoles.has(n.role.value)) continue;
    if (!n.name?.value?.trim()) bad.push(`${state}: chromium ${n.role.value} without a name`);
  }
  return bad;
}

async function countControls(page: Page): Promise<number> {
  let n = 0;
  for (const role of ROLES) n += await page.getByRole(role).count();
  return n;
}

describe("accessibility", () => {
  it("the check finds an unnamed control (self-test)", async () => {
    const page = await env.fresh();
    await page.evaluate(() => {
      const b = document.createElement("button");
      b.id = "e2e-unnamed";
      document.body.append(b);
    });
    const bad = await unnamed(page, "self-test");
    expect(bad.some((b) => b.includes("e2e-unnamed"))).toBe(true);
    expect(bad.some((b) => b.includes("chromium button"))).toBe(true);
  });

  it("every control has an accessible name in every main state", async () => {
    const bad: string[] = [];
    const page = await env.fresh();
    expect(await countControls(page)).toBeGreaterThan(3); // it really checks something
    bad.push(...(await unnamed(page, "empty")));

    const live = await env.connected();
    await send(live, "a11y message");
    await expectInLog(live, "a11y message", 2);
    bad.push(...(await unnamed(live, "connected")));

    const expand = live.getByRole("button", { name: /^Expand message \d+$/ });
    if (await expand.count()) {
      await expand.first().click();
      bad.push(...(await unnamed(live, "expanded row")));
    }
    await live.getByRole("tab", { name: "Settings", exact: true }).click();
    bad.push(...(await unnamed(live, "settings")));
    await live.getByRole("button", { name: /^Console\b/ }).click();
    bad.push(...(await unnamed(live, "console")));
    await live.getByRole("button", { name: "Environments", exact: true }).click();
    await live.getByRole("dialog", { name: "Environments" }).waitFor();
    const addVar = live.getByRole("button", { name: "Add variable", exact: true });
    if (await addVar.count()) await addVar.click();
    bad.push(...(await unnamed(live, "environments dialog")));
    await shot(live, "a11y-environments-dialog");
    expect(bad).toEqual([]);
  });
});
