// Every action of the workspace sidebar, checked in the tree and in the files on disk:
// collections (create, delete), saved requests (save, rename, duplicate, move to another
// collection, delete), saved messages (reorder, with the mouse and the keyboard), and the
// unsaved-changes mark of a tab. The tests run in order and share one workspace.

import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { boxText, editor, fill, selectByLabel, shot, urlBox, useEnv, waitFor } from "./harness";

const env = useEnv("sidebar");

/** A file or folder of the workspace's collections (`collections/<parts…>`). */
const wsFile = (...parts: string[]) =>
  path.join(env.wb.dataDir, "workspace", "collections", ...parts);
const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

const tree = (page: Page): Locator => page.getByRole("tree", { name: "Collections" });
const row = (page: Page, name: string): Locator =>
  tree(page).getByRole("treeitem", { name, exact: true });
const actionsFor = (page: Page, name: string): Locator =>
  page.getByRole("group", { name: `Actions for ${name}`, exact: true });

/** The tree's rows as "level name" ("▸ " marks a closed collection, "▾ " an open one). */
async function treeRows(page: Page): Promise<string[]> {
  if ((await tree(page).count()) === 0) return [];
  return tree(page)
    .getByRole("treeitem")
    .evaluateAll((items) =>
      items.map((el) => {
        const level = el.getAttribute("aria-level") ?? "?";
        const open = el.getAttribute("aria-expanded");
        const mark = open === "true" ? "▾ " : open === "false" ? "▸ " : "";
        const name = (el.textContent ?? "").replace(/^[▾▸⇄]/, "").trim();
        return `${level} ${mark}${name}`;
      }),
    );
}

/** The focused tree row as "level name" ("" when the focus is not on a row). */
async function focusedRow(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el.getAttribute("role") !== "treeitem") return "";
    const name = (el.textContent ?? "").replace(/^[▾▸⇄]/, "").trim();
    return `${el.getAttribute("aria-level")} ${name}`;
  });
}

async function expectTree(page: Page, want: string[]): Promise<void> {
  let last: string[] = [];
  await waitFor(
    async () => {
      last = await treeRows(page);
      return JSON.stringify(last) === JSON.stringify(want);
    },
    `the tree ${JSON.stringify(want)}`,
  ).catch(() => {
    throw new Error(`the tree is ${JSON.stringify(last)}, expected ${JSON.stringify(want)}`);
  });
}

async function waitForFile(file: string, has?: string): Promise<string> {
  await waitFor(
    () => existsSync(file) && (has === undefined || read(file).includes(has)),
    has === undefined ? `the file ${file}` : `${JSON.stringify(has)} in ${file}`,
  );
  return read(file);
}

async function waitForGone(file: string): Promise<void> {
  await waitFor(() => !existsSync(file), `${file} to be removed`);
}

/** Opens a collapsed collection row (a click toggles it). */
async function expand(page: Page, name: string): Promise<void> {
  const r = row(page, name);
  if ((await r.getAttribute("aria-expanded")) !== "true") await r.click();
  await waitFor(async () => (await r.getAttribute("aria-expanded")) === "true", `${name} open`);
}

async function newCollection(page: Page, name: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Workspace" })
    .getByRole("button", { name: "New collection", exact: true })
    .click();
  const dialog = page.getByRole("dialog", { name: "New collection" });
  await fill(dialog.getByRole("textbox", { name: "Collection name" }), name);
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
}

/** Names of the saved messages in a request file, in file order. */
function savedMessageNames(file: string): string[] {
  return [...read(file).matchAll(/^\[\[messages\]\][^[]*?^name = "([^"]*)"/gms)].map((m) => m[1]!);
}

const activeTab = (page: Page): Locator =>
  page.getByRole("tablist", { name: "Requests" }).getByRole("tab", { selected: true });

describe("the workspace sidebar", () => {
  it("creates a collection (a folder with collection.toml) that survives a reload", async () => {
    const page = await env.fresh();
    await page.getByText("No saved requests yet. Save one with Ctrl+S.").waitFor();
    await newCollection(page, "Chat");
    await expectTree(page, ["1 ▸ Chat"]);
    expect(await waitForFile(wsFile("chat", "collection.toml"))).toContain('name = "Chat"');

    const again = await env.fresh();
    await expectTree(again, ["1 ▸ Chat"]);
  });

  it("saves a request into the collection; an edit marks the tab unsaved until Ctrl+S", async () => {
    const page = await env.fresh();
    await fill(urlBox(page), `${env.echo.base}/login`);
    await page.keyboard.press("ControlOrMeta+s");
    const dialog = page.getByRole("dialog", { name: "Save request" });
    await fill(dialog.getByRole("textbox", { name: "Request name" }), "Login");
    await selectByLabel(dialog.getByRole("combobox", { name: "Collection" }), "Chat");
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });

    const file = wsFile("chat", "login.wsdeck.toml");
    const text = await waitForFile(file);
    expect(text).toContain('name = "Login"');
    expect(text).toContain(`url = "${env.echo.base}/login"`);
    // The saved request is revealed: its collection opens and its row is the current one.
    await expectTree(page, ["1 ▾ Chat", "2 Login"]);
    expect(await row(page, "Login").getAttribute("aria-selected")).toBe("true");
    await expect.poll(() => activeTab(page).innerText()).toContain("Login");
    expect(await activeTab(page).getAttribute("aria-description")).toBeNull();

    // An edit: the tab says "Unsaved changes" (and shows the dot); Ctrl+S writes the file.
    await fill(urlBox(page), `${env.echo.base}/login?v=2`);
    await waitFor(
      async () => (await activeTab(page).getAttribute("aria-description")) === "Unsaved changes",
      "the unsaved-changes mark",
    );
    expect(await activeTab(page).locator(".unsaved-mark").count()).toBe(1);
    await shot(page, "sidebar-unsaved");
    await page.keyboard.press("ControlOrMeta+s");
    await waitForFile(file, `url = "${env.echo.base}/login?v=2"`);
    await waitFor(
      async () => (await activeTab(page).getAttribute("aria-description")) === null,
      "the unsaved-changes mark to go",
    );
    expect(await activeTab(page).locator(".unsaved-mark").count()).toBe(0);
    // Saving in place wrote the same file: no second request appeared.
    await expectTree(page, ["1 ▾ Chat", "2 Login"]);
  });

  it("renames a request (button and F2): the file is renamed and the open tab follows", async () => {
    const page = await env.fresh();
    await expand(page, "Chat");
    await row(page, "Login").dblclick();
    await expect.poll(() => activeTab(page).innerText()).toContain("Login");

    await actionsFor(page, "Login").getByRole("button", { name: "Rename Login" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename Login" });
    const box = dialog.getByRole("textbox", { name: "New name" });
    expect(await box.inputValue()).toBe("Login");
    await fill(box, "Sign in");
    await dialog.getByRole("button", { name: "Rename", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });

    const file = wsFile("chat", "sign-in.wsdeck.toml");
    expect(await waitForFile(file)).toContain('name = "Sign in"');
    await waitForGone(wsFile("chat", "login.wsdeck.toml"));
    await expectTree(page, ["1 ▾ Chat", "2 Sign in"]);
    await expect.poll(() => activeTab(page).innerText()).toContain("Sign in");

    // The keyboard: F2 on the row, Escape cancels (nothing changes).
    await row(page, "Sign in").focus();
    await page.keyboard.press("F2");
    const again = page.getByRole("dialog", { name: "Rename Sign in" });
    await again.waitFor();
    await page.keyboard.press("Escape");
    await again.waitFor({ state: "hidden" });
    expect(existsSync(file)).toBe(true);

    // Saving the tab after the rename writes the renamed file (not the old name again).
    await fill(urlBox(page), `${env.echo.base}/sign-in`);
    await page.keyboard.press("ControlOrMeta+s");
    await waitForFile(file, `url = "${env.echo.base}/sign-in"`);
    expect(existsSync(wsFile("chat", "login.wsdeck.toml"))).toBe(false);
  });

  it("renames a collection (button and F2): its name changes, its folder and requests stay", async () => {
    const page = await env.fresh();
    await row(page, "Chat").click();
    await actionsFor(page, "Chat").getByRole("button", { name: "Rename collection Chat" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename collection Chat" });
    await fill(dialog.getByRole("textbox", { name: "New name" }), "Chat rooms");
    await dialog.getByRole("button", { name: "Rename", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await waitForFile(wsFile("chat", "collection.toml"), 'name = "Chat rooms"');
    expect(existsSync(wsFile("chat", "sign-in.wsdeck.toml"))).toBe(true);
    await expand(page, "Chat rooms");
    await expectTree(page, ["1 ▾ Chat rooms", "2 Sign in"]);

    // F2 on the collection's row.
    await row(page, "Chat rooms").focus();
    await page.keyboard.press("F2");
    const again = page.getByRole("dialog", { name: "Rename collection Chat rooms" });
    await fill(again.getByRole("textbox", { name: "New name" }), "Chat");
    await again.getByRole("button", { name: "Rename", exact: true }).click();
    await again.waitFor({ state: "hidden" });
    await waitForFile(wsFile("chat", "collection.toml"), 'name = "Chat"');
    await expectTree(page, ["1 ▾ Chat", "2 Sign in"]);
    // The keyboard stays on the renamed row.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ""))
      .toContain("Chat");
  });

  it("duplicates a request next to it", async () => {
    const page = await env.fresh();
    await expand(page, "Chat");
    await row(page, "Sign in").click();
    await actionsFor(page, "Sign in").getByRole("button", { name: "Duplicate Sign in" }).click();
    const copy = await waitForFile(wsFile("chat", "sign-in-copy.wsdeck.toml"));
    expect(copy).toContain('name = "Sign in copy"');
    expect(copy).toContain(`url = "${env.echo.base}/sign-in"`);
    await expectTree(page, ["1 ▾ Chat", "2 Sign in", "2 Sign in copy"]);
    expect(await row(page, "Sign in copy").getAttribute("aria-selected")).toBe("true");
  });

  it("reorders saved messages with Move up / Move down, by mouse and by keyboard", async () => {
    const page = await env.fresh();
    await expand(page, "Chat");
    await row(page, "Sign in").dblclick();
    await expect.poll(() => activeTab(page).innerText()).toContain("Sign in");
    const file = wsFile("chat", "sign-in.wsdeck.toml");

    for (const name of ["first", "second", "third"]) {
      await fill(editor(page), `body of ${name}`);
      await page.getByRole("button", { name: "Save message", exact: true }).click();
      const prompt = page.getByRole("dialog", { name: "Save message" });
      await fill(prompt.getByRole("textbox", { name: "Message name" }), name);
      await prompt.getByRole("button", { name: "Save", exact: true }).click();
      await prompt.waitFor({ state: "hidden" });
      await waitForFile(file, `name = "${name}"`);
    }
    expect(savedMessageNames(file)).toEqual(["first", "second", "third"]);
    const list = page.getByRole("list", { name: "Saved messages" });
    const listed = () =>
      list
        .getByRole("listitem")
        .evaluateAll((els) => els.map((el) => el.querySelector(".saved-name")?.textContent));

    // The first cannot go up, the last cannot go down.
    expect(await page.getByRole("button", { name: "Move first up" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Move third down" }).isDisabled()).toBe(true);

    await page.getByRole("button", { name: "Move third up" }).click();
    await waitFor(
      () => savedMessageNames(file).join() === "first,third,second",
      "third moved up in the file",
    );
    // The file is written before the answer reaches the page: wait for the list too.
    await waitFor(
      async () => (await listed()).join() === "first,third,second",
      "the list in the new order",
    );

    // The keyboard: focus the button and press Enter (then Space on another).
    await page.getByRole("button", { name: "Move first down" }).focus();
    await page.keyboard.press("Enter");
    await waitFor(
      () => savedMessageNames(file).join() === "third,first,second",
      "first moved down in the file",
    );
    await page.getByRole("button", { name: "Move second up" }).focus();
    await page.keyboard.press(" ");
    await waitFor(
      () => savedMessageNames(file).join() === "third,second,first",
      "second moved up in the file",
    );
    await waitFor(
      async () => (await listed()).join() === "third,second,first",
      "the list in the new order",
    );

    // The order persisted: a fresh page shows it.
    const again = await env.fresh();
    await expand(again, "Chat");
    await row(again, "Sign in").dblclick();
    await waitFor(
      async () =>
        JSON.stringify(
          await again
            .getByRole("list", { name: "Saved messages" })
            .getByRole("listitem")
            .evaluateAll((els) => els.map((el) => el.querySelector(".saved-name")?.textContent)),
        ) === JSON.stringify(["third", "second", "first"]),
      "the saved messages in their new order after a reload",
    );
  });

  it("moves a request to another collection; its open tab then saves to the moved file", async () => {
    const page = await env.fresh();
    await newCollection(page, "Admin");
    await expectTree(page, ["1 ▸ Admin", "1 ▸ Chat"]);
    await expand(page, "Chat");
    await row(page, "Sign in").dblclick();
    await expect.poll(() => activeTab(page).innerText()).toContain("Sign in");

    await actionsFor(page, "Sign in")
      .getByRole("button", { name: "Move Sign in", exact: true })
      .click();
    const dialog = page.getByRole("dialog", { name: "Move Sign in" });
    await dialog.getByText("Now in Chat.").waitFor();
    const select = dialog.getByRole("combobox", { name: "Move to collection" });
    // The request's own collection is shown but cannot be picked; the top level can.
    const options = await select.evaluate((el) =>
      Array.from((el as HTMLSelectElement).options).map((o) => `${o.text}${o.disabled ? "!" : ""}`),
    );
    expect(options).toEqual(["(top level)", "Admin", "Chat (current)!"]);
    await selectByLabel(select, "Admin");
    await shot(page, "sidebar-move-dialog");
    await dialog.getByRole("button", { name: "Move", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });

    const moved = wsFile("admin", "sign-in.wsdeck.toml");
    const text = await waitForFile(moved);
    expect(text).toContain('name = "Sign in"');
    expect(savedMessageNames(moved)).toEqual(["third", "second", "first"]);
    await waitForGone(wsFile("chat", "sign-in.wsdeck.toml"));
    await expectTree(page, ["1 ▾ Admin", "2 Sign in", "1 ▾ Chat", "2 Sign in copy"]);
    expect(await row(page, "Sign in").getAttribute("aria-selected")).toBe("true");

    // The open tab follows: an edit then Ctrl+S writes admin/sign-in, not chat/sign-in again.
    await fill(urlBox(page), `${env.echo.base}/moved`);
    await page.keyboard.press("ControlOrMeta+s");
    await waitForFile(moved, `url = "${env.echo.base}/moved"`);
    expect(existsSync(wsFile("chat", "sign-in.wsdeck.toml"))).toBe(false);
    await waitFor(
      async () => (await activeTab(page).getAttribute("aria-description")) === null,
      "the moved request saved (no unsaved mark)",
    );
    // No "changed on disk" conflict and no Save dialog: the tab knew the new file.
    expect(await page.getByRole("dialog").count()).toBe(0);

    // Its saved messages still work on the moved file.
    await page.getByRole("button", { name: "Move first up" }).click();
    await waitFor(
      () => savedMessageNames(moved).join() === "third,first,second",
      "a saved message moved in the moved file",
    );

    // To the top level, with the keyboard only.
    await row(page, "Sign in copy").click();
    await actionsFor(page, "Sign in copy")
      .getByRole("button", { name: "Move Sign in copy", exact: true })
      .focus();
    await page.keyboard.press("Enter");
    const top = page.getByRole("dialog", { name: "Move Sign in copy" });
    const topSelect = top.getByRole("combobox", { name: "Move to collection" });
    await waitFor(
      () => topSelect.evaluate((el) => el === document.activeElement),
      "the collection list focused",
    );
    await selectByLabel(topSelect, "(top level)");
    await page.keyboard.press("Enter");
    await top.waitFor({ state: "hidden" });
    await waitForFile(wsFile("sign-in-copy.wsdeck.toml"));
    await waitForGone(wsFile("chat", "sign-in-copy.wsdeck.toml"));
    await expectTree(page, ["1 ▾ Admin", "2 Sign in", "1 ▾ Chat", "1 Sign in copy"]);

    // The state persisted: a fresh page reads the same tree from disk.
    const again = await env.fresh();
    await expand(again, "Admin");
    await expand(again, "Chat");
    await expectTree(again, ["1 ▾ Admin", "2 Sign in", "1 ▾ Chat", "1 Sign in copy"]);
  });

  it("moving onto a taken file name keeps both; a request gone from disk says so", async () => {
    const page = await env.fresh();
    await expand(page, "Admin");
    // A second "Sign in" in Chat, moved to Admin where sign-in.wsdeck.toml exists.
    await row(page, "Sign in copy").click();
    await page.keyboard.press("F2");
    const rename = page.getByRole("dialog", { name: "Rename Sign in copy" });
    await fill(rename.getByRole("textbox", { name: "New name" }), "Sign in");
    await page.keyboard.press("Enter");
    await waitForFile(wsFile("sign-in.wsdeck.toml"));
    await expectTree(page, ["1 ▾ Admin", "2 Sign in", "1 ▸ Chat", "1 Sign in"]);
    // The keyboard stays on the renamed row (its file, so its row, changed).
    await waitFor(async () => (await focusedRow(page)) === "1 Sign in", "the focus on the row");

    await tree(page).locator(`[role="treeitem"][aria-level="1"]`, { hasText: "Sign in" }).click();
    await actionsFor(page, "Sign in")
      .getByRole("button", { name: "Move Sign in", exact: true })
      .click();
    const dialog = page.getByRole("dialog", { name: "Move Sign in" });
    await dialog.getByText("Now in (top level).").waitFor();
    await selectByLabel(dialog.getByRole("combobox", { name: "Move to collection" }), "Admin");
    await dialog.getByRole("button", { name: "Move", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    // wsdeck picks a free file name: nothing is overwritten.
    expect(await waitForFile(wsFile("admin", "sign-in-2.wsdeck.toml"))).toContain(
      'name = "Sign in"',
    );
    expect(await waitForFile(wsFile("admin", "sign-in.wsdeck.toml"))).toContain(
      `url = "${env.echo.base}/moved"`,
    );
    await expectTree(page, ["1 ▾ Admin", "2 Sign in", "2 Sign in", "1 ▸ Chat"]);

    // A request deleted on disk while its Move dialog is open: the move fails with wsdeck's
    // reason in the dialog, which stays open until cancelled.
    await newCollection(page, "Spare");
    // Two rows are named "Sign in": the copy is the one whose address (the row's title) ends
    // in /sign-in (the other was saved with /moved).
    expect(read(wsFile("admin", "sign-in-2.wsdeck.toml"))).toContain(`/sign-in"`);
    await tree(page).locator(`[role="treeitem"][title="${env.echo.base}/sign-in"]`).click();
    await actionsFor(page, "Sign in")
      .getByRole("button", { name: "Move Sign in", exact: true })
      .click();
    const failing = page.getByRole("dialog", { name: "Move Sign in" });
    await selectByLabel(failing.getByRole("combobox", { name: "Move to collection" }), "Spare");
    rmSync(wsFile("admin", "sign-in-2.wsdeck.toml"));
    await failing.getByRole("button", { name: "Move", exact: true }).click();
    const alert = failing.getByRole("alert");
    await waitFor(
      async () => /no longer exists/.test(await alert.innerText()),
      "the error in the move dialog",
    );
    expect(await alert.innerText()).toBe(
      "That request no longer exists (it may have been deleted on disk).",
    );
    await shot(page, "sidebar-move-error");
    await failing.getByRole("button", { name: "Cancel", exact: true }).click();
    await failing.waitFor({ state: "hidden" });
    expect(existsSync(wsFile("spare", "sign-in-2.wsdeck.toml"))).toBe(false);
    // Reloading the workspace drops the row of the vanished file.
    await page
      .getByRole("navigation", { name: "Workspace" })
      .getByRole("button", { name: "Reload workspace" })
      .click();
    await expectTree(page, ["1 ▾ Admin", "2 Sign in", "1 ▸ Chat", "1 ▸ Spare"]);
  });

  it("deletes a request and a collection after confirming (Cancel keeps them)", async () => {
    const page = await env.fresh();
    await expand(page, "Admin");
    await row(page, "Sign in").dblclick();
    await expect.poll(() => activeTab(page).innerText()).toContain("Sign in");
    const file = wsFile("admin", "sign-in.wsdeck.toml");

    // Cancel first: nothing is deleted.
    await actionsFor(page, "Sign in").getByRole("button", { name: "Delete Sign in" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Sign in?" });
    await confirm.getByText('The request "Sign in" and its saved messages are deleted').waitFor();
    await confirm.getByRole("button", { name: "Cancel", exact: true }).click();
    await confirm.waitFor({ state: "hidden" });
    expect(existsSync(file)).toBe(true);

    // The Delete key on the row asks the same question.
    await row(page, "Sign in").focus();
    await page.keyboard.press("Delete");
    await confirm.waitFor();
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await confirm.waitFor({ state: "hidden" });
    await waitForGone(file);
    await expectTree(page, ["1 ▾ Admin", "1 ▸ Chat", "1 ▸ Spare"]);
    // The keyboard is not lost with the deleted row: the next row has the focus.
    await waitFor(async () => (await focusedRow(page)) === "1 Chat", "the focus on the next row");
    // The tab stays open as an unsaved request: nothing typed is lost.
    expect((await boxText(urlBox(page))).trim()).toBe(`${env.echo.base}/moved`);

    // A collection with a request in it.
    await expand(page, "Chat");
    await fill(urlBox(page), `${env.echo.base}/doomed`);
    await page.keyboard.press("ControlOrMeta+s");
    const save = page.getByRole("dialog", { name: "Save request" });
    await fill(save.getByRole("textbox", { name: "Request name" }), "Doomed");
    await selectByLabel(save.getByRole("combobox", { name: "Collection" }), "Chat");
    await save.getByRole("button", { name: "Save", exact: true }).click();
    await waitForFile(wsFile("chat", "doomed.wsdeck.toml"));
    await expectTree(page, ["1 ▾ Admin", "1 ▾ Chat", "2 Doomed", "1 ▸ Spare"]);

    await row(page, "Chat").click();
    await actionsFor(page, "Chat").getByRole("button", { name: "Delete collection Chat" }).click();
    const sure = page.getByRole("dialog", { name: "Delete collection Chat?" });
    await sure.getByText("deleted with every request and collection in it").waitFor();
    await sure.getByRole("button", { name: "Cancel", exact: true }).click();
    await sure.waitFor({ state: "hidden" });
    expect(existsSync(wsFile("chat", "doomed.wsdeck.toml"))).toBe(true);

    await actionsFor(page, "Chat").getByRole("button", { name: "Delete collection Chat" }).click();
    await sure.getByRole("button", { name: "Delete collection", exact: true }).click();
    await sure.waitFor({ state: "hidden" });
    await waitForGone(wsFile("chat"));
    await expectTree(page, ["1 ▾ Admin", "1 ▸ Spare"]);
    // The open tab of the deleted request is an unsaved request now: Ctrl+S asks for a place.
    await page.keyboard.press("ControlOrMeta+s");
    const asks = page.getByRole("dialog", { name: "Save request" });
    await asks.waitFor();
    await asks.getByRole("button", { name: "Cancel", exact: true }).click();

    // Persisted: a fresh page reads the same tree.
    const again = await env.fresh();
    await expectTree(again, ["1 ▸ Admin", "1 ▸ Spare"]);
    expect(env.errors).toEqual([]);
  });

  it("makes a folder inside a collection; the request open in the active tab is marked", async () => {
    const page = await env.fresh();
    await row(page, "Admin").click();
    await actionsFor(page, "Admin").getByRole("button", { name: "New folder in Admin" }).click();
    const dialog = page.getByRole("dialog", { name: "New folder in Admin" });
    await fill(dialog.getByRole("textbox", { name: "Folder name" }), "Drafts");
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await expectTree(page, ["1 ▾ Admin", "2 ▸ Drafts", "1 ▸ Spare"]);
    expect(await waitForFile(wsFile("admin", "drafts", "collection.toml"))).toContain(
      'name = "Drafts"',
    );
    expect(await row(page, "Drafts").getAttribute("aria-selected")).toBe("true");

    await actionsFor(page, "Drafts")
      .getByRole("button", { name: "New request here in Drafts" })
      .click();
    await fill(urlBox(page), `${env.echo.base}/draft`);
    await page.keyboard.press("ControlOrMeta+s");
    const save = page.getByRole("dialog", { name: "Save request" });
    await fill(save.getByRole("textbox", { name: "Request name" }), "Draft");
    await save.getByRole("button", { name: "Save", exact: true }).click();
    await waitForFile(wsFile("admin", "drafts", "draft.wsdeck.toml"));
    await expectTree(page, ["1 ▾ Admin", "2 ▾ Drafts", "3 Draft", "1 ▸ Spare"]);
    await waitFor(
      async () => (await row(page, "Draft").getAttribute("aria-current")) === "page",
      "the saved request marked as the one the active tab shows",
    );

    // Another tab: no row is marked; back to the first tab: the mark returns.
    await page.getByRole("button", { name: "New request", exact: true }).click();
    await waitFor(
      async () => (await tree(page).locator('[aria-current="page"]').count()) === 0,
      "no row marked for an unsaved tab",
    );
    await page
      .getByRole("tablist", { name: "Requests" })
      .getByRole("tab", { name: /Draft/ })
      .click();
    await waitFor(
      async () => (await row(page, "Draft").getAttribute("aria-current")) === "page",
      "the mark back on Draft",
    );
    expect(env.errors).toEqual([]);
  });

  it("closing an edited tab offers Save and close, Close without saving, and Cancel", async () => {
    const page = await env.fresh();
    await expand(page, "Admin");
    await expand(page, "Drafts");
    await row(page, "Draft").dblclick();
    await expect.poll(() => activeTab(page).innerText()).toContain("Draft");
    await fill(urlBox(page), `${env.echo.base}/draft?v=2`);
    const file = wsFile("admin", "drafts", "draft.wsdeck.toml");
    const closeDraft = page.getByRole("button", { name: /^Close tab Draft/ });

    await closeDraft.click();
    const ask = page.getByRole("dialog", { name: "Close Draft?" });
    await ask.getByText("has unsaved changes").waitFor();
    await ask.getByRole("button", { name: "Cancel", exact: true }).click();
    await ask.waitFor({ state: "hidden" });
    expect(await closeDraft.count()).toBe(1);
    expect(read(file)).not.toContain("v=2");

    await closeDraft.click();
    await ask.getByRole("button", { name: "Save and close", exact: true }).click();
    await waitForFile(file, `url = "${env.echo.base}/draft?v=2"`);
    await waitFor(async () => (await closeDraft.count()) === 0, "the tab closed once saved");

    // A request never saved: Close without saving discards it; nothing is written.
    await page.getByRole("button", { name: "New request", exact: true }).click();
    await fill(urlBox(page), `${env.echo.base}/scratch`);
    const scratchName = (await activeTab(page).innerText()).replace(/[×●]/g, "").trim();
    await page.getByRole("button", { name: `Close tab ${scratchName}`, exact: true }).click();
    const scratch = page.getByRole("dialog", { name: `Close ${scratchName}?` });
    await scratch.getByText("was never saved").waitFor();
    await scratch.getByRole("button", { name: "Close without saving", exact: true }).click();
    await waitFor(
      async () => !(await page.locator("body").innerText()).includes("/scratch"),
      "the scratch tab gone",
    );
    expect(env.errors).toEqual([]);
  });
});
