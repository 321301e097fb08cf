// Environments and {{variables}}: in the URL path and in a message; an undefined one.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  STACK_NOISE,
  alertsText,
  editor,
  expectInLog,
  fill,
  logText,
  send,
  shot,
  statusBadge,
  urlBox,
  useEnv,
  waitFor,
} from "./harness";

const env = useEnv("env");

/** Creates an environment holding `vars` (names and values) through the Environments dialog. */
async function createEnvironment(page: Page, vars: [string, string][], name?: string) {
  await page.getByRole("button", { name: "Environments", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Environments" });
  await dialog.waitFor();
  // How a new environment is made is not in the contract: use such a button when there is one.
  const add = dialog.getByRole("button", { name: /^(add|new|create) environment$/i });
  if (await add.count()) await add.first().click();
  if (name) await fill(dialog.getByRole("textbox", { name: "Environment name" }), name);
  for (const [i, [name, value]] of vars.entries()) {
    await dialog.getByRole("button", { name: "Add variable", exact: true }).click();
    await fill(dialog.getByLabel(`Variable ${i + 1} name`, { exact: true }), name);
    await fill(dialog.getByLabel(`Variable ${i + 1} value`, { exact: true }), value);
  }
  await shot(page, "env-dialog");
  const close = dialog.getByRole("button", { name: /^(close|done)$/i });
  if (await close.count()) await close.first().click();
  else await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
}

/** Picks the first real environment in the "Environment" select. */
async function chooseEnvironment(page: Page) {
  const select = page.getByRole("combobox", { name: "Environment", exact: true });
  const options = await select.evaluate((el) =>
    Array.from((el as HTMLSelectElement).options).map((o) => ({ value: o.value, label: o.label })),
  );
  const real = options.find((o) => o.value && !/^(no|none|without)\b/i.test(o.label));
  if (!real)
    throw new Error(`no environment to choose in [${options.map((o) => o.label).join(", ")}]`);
  await select.selectOption(real.value);
}

/** Picks the environment called `name` in the "Environment" select. */
async function chooseEnvironmentNamed(page: Page, name: string) {
  await page
    .getByRole("combobox", { name: "Environment", exact: true })
    .selectOption({ label: name });
}

describe("environments and variables", () => {
  it("{{variables}} fill the URL path and the message", async () => {
    const page = await env.fresh();
    await createEnvironment(page, [
      ["path", "echo"],
      ["room", "lobby-42"],
    ]);
    await chooseEnvironment(page);
    await fill(urlBox(page), `${env.echo.base}/{{path}}`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await statusBadge(page, "Connected").waitFor();
    await send(page, "join {{room}}");
    await expectInLog(page, "join lobby-42", 2);
    expect(await logText(page)).not.toContain("{{room}}");
    await shot(page, "env-variables-sent");

    // Unticked, a variable stays in the environment but {{room}} no longer sees it.
    await page.getByRole("button", { name: "Environments", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Environments" });
    await dialog.getByLabel("Variable 2 enabled", { exact: true }).uncheck();
    expect(await dialog.getByLabel("Variable 2 value", { exact: true }).inputValue()).toBe(
      "lobby-42",
    );
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await send(page, "leave {{room}}");
    await waitFor(
      async () => (await alertsText(page)).some((t) => t.includes("room")),
      "an alert naming the disabled variable",
    );
    expect(await logText(page)).not.toContain("leave");
  });

  it("{{ completes variable names inside a JSON string too", async () => {
    const page = await env.fresh();
    await createEnvironment(page, [["room", "lobby-7"]], "Completion");
    await chooseEnvironmentNamed(page, "Completion");
    await page.getByRole("combobox", { name: "Message format" }).selectOption({ label: "JSON" });
    await fill(editor(page), "");
    // Typed key by key: the editor closes `{` and `"` itself, as it does for a user.
    await page.keyboard.type('{"a": "{{ro');
    const option = page.getByRole("option", { name: /room/ });
    await option.waitFor();
    await page.keyboard.press("Enter");
    await waitFor(
      async () => (await editor(page).innerText()).trim() === '{"a": "{{room}}"}',
      'the editor to hold {"a": "{{room}}"}',
    );
  });

  it("an undefined variable gives a clear error, nothing is sent", async () => {
    const page = await env.connected();
    await send(page, "hi {{nope_undefined}}");
    const alerts = await waitFor(async () => {
      const texts = await alertsText(page);
      return texts.some((t) => t.includes("nope_undefined")) ? texts : null;
    }, "an alert naming the undefined variable");
    const alert = alerts.find((t) => t.includes("nope_undefined"))!;
    expect(alert).toMatch(/not defined|undefined|unknown|no variable|missing/i);
    expect(alert).not.toMatch(STACK_NOISE);
    expect(await logText(page)).not.toContain("nope_undefined");
    // The text stays in the editor to be fixed.
    expect(await editor(page).innerText()).toContain("{{nope_undefined}}");
    await shot(page, "env-undefined-variable");
  });

  it("two variables of one name: the earlier is marked as not used, the last one wins", async () => {
    const page = await env.fresh();
    await page.getByRole("button", { name: "Environments", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Environments" });
    await dialog.waitFor();
    const add = dialog.getByRole("button", { name: /^(add|new|create) environment$/i });
    if (await add.count()) await add.first().click();
    await fill(dialog.getByRole("textbox", { name: "Environment name" }), "Duplicates");
    for (const [i, value] of ["first-value", "last-value"].entries()) {
      await dialog.getByRole("button", { name: "Add variable", exact: true }).click();
      await fill(dialog.getByLabel(`Variable ${i + 1} name`, { exact: true }), "dup");
      await fill(dialog.getByLabel(`Variable ${i + 1} value`, { exact: true }), value);
    }
    await dialog.getByText("Not used: variable 2 has the same name").waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await chooseEnvironmentNamed(page, "Duplicates");
    await fill(urlBox(page), `${env.echo.base}/echo`);
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await statusBadge(page, "Connected").waitFor();
    await send(page, "dup is {{dup}}");
    await expectInLog(page, "dup is last-value", 2);
  });
});
