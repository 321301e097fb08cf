// Saved requests, saved messages and the workspace's files: what the sidebar writes is on
// disk as TOML, survives a reload of the page, and is sent again from the saved message.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { editor, expectInLog, fill, shot, useEnv, waitFor } from "./harness";

const env = useEnv("workspace");

describe("the workspace", () => {
  it("saves a request with a saved message to a file and sends it again after a reload", async () => {
    const page = await env.connected();
    const requestFile = path.join(
      env.wb.dataDir,
      "workspace",
      "collections",
      "e2e",
      "echo-it.wsdeck.toml",
    );

    // Save the request (Ctrl+S on a new request asks for a name and a collection).
    await page.keyboard.press("ControlOrMeta+s");
    const dialog = page.getByRole("dialog", { name: "Save request" });
    await dialog.waitFor();
    await fill(dialog.getByRole("textbox", { name: "Request name" }), "Echo it");
    await fill(dialog.getByRole("textbox", { name: "New collection" }), "e2e");
    await dialog.getByRole("button", { name: "New collection", exact: true }).click();
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await waitFor(() => existsSync(requestFile), `the request file ${requestFile}`);
    const text = readFileSync(requestFile, "utf8");
    expect(text).toContain('name = "Echo it"');
    expect(text).toContain(`url = "${env.echo.base}/echo"`);

    // A saved message, named in a prompt.
    await fill(editor(page), "saved and sent again");
    await page.getByRole("button", { name: "Save message", exact: true }).click();
    const prompt = page
      .getByRole("dialog")
      .filter({ has: page.getByRole("textbox", { name: "Message name" }) });
    await fill(prompt.getByRole("textbox", { name: "Message name" }), "again");
    await prompt
      .getByRole("button", { name: /^(save|ok)$/i })
      .first()
      .click();
    await waitFor(
      () => readFileSync(requestFile, "utf8").includes('body = "saved and sent again"'),
      "the saved message in the file",
    );

    // A fresh page: the request is in the tree; open it and send its saved message.
    const again = await env.fresh();
    const tree = again.getByRole("tree", { name: "Collections" });
    // Collections start collapsed, as in Postman: open "e2e" first.
    await tree.getByRole("treeitem", { name: /^e2e/ }).first().click();
    await tree
      .getByRole("treeitem", { name: /Echo it/ })
      .first()
      .waitFor();
    await tree
      .getByRole("treeitem", { name: /Echo it/ })
      .first()
      .dblclick();
    await again.getByRole("button", { name: "Connect", exact: true }).click();
    await again.getByLabel("Connection status: Connected", { exact: true }).waitFor();
    await again.getByRole("button", { name: "Send again", exact: true }).click();
    await expectInLog(again, "saved and sent again", 2);
    await shot(again, "workspace-saved-request");
  });

  it("a new collection's name typed in the Save dialog is where the request goes", async () => {
    const page = await env.connected();
    await page.keyboard.press("ControlOrMeta+s");
    const dialog = page.getByRole("dialog", { name: "Save request" });
    await fill(dialog.getByRole("textbox", { name: "Request name" }), "Typed");
    // Typed, but its "New collection" button not pressed: Save still puts it there.
    await fill(dialog.getByRole("textbox", { name: "New collection" }), "Typed place");
    await dialog.getByRole("button", { name: "Save", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    const file = path.join(
      env.wb.dataDir,
      "workspace",
      "collections",
      "typed-place",
      "typed.wsdeck.toml",
    );
    await waitFor(() => existsSync(file), `the request file ${file}`);
    expect(readFileSync(file, "utf8")).toContain('name = "Typed"');
  });
});

describe("the history", () => {
  it("lists a finished session, opens it read-only with its messages, and finds a message", async () => {
    // Its own path (the echo server echoes on any path), to tell it from other tests' sessions.
    const page = await env.connected(`${env.echo.base}/history-e2e`);
    await fill(editor(page), "remember this line");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await expectInLog(page, "remember this line", 2);
    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    await page.getByLabel("Connection status: Disconnected", { exact: true }).waitFor();

    const sessions = page.getByRole("list", { name: "Recorded sessions" });
    const item = sessions.getByRole("button", {
      name: new RegExp(`^Session \\d+, ${env.echo.base}/history-e2e`),
    });
    await waitFor(async () => (await item.count()) > 0, "the session in the history", 10_000);
    await item.first().click();
    await page
      .getByRole("tab", { name: /^History #\d+: / })
      .first()
      .waitFor();
    await expectInLog(page, "remember this line", 2);
    // Read-only: no composer in a history tab.
    expect(await page.getByRole("button", { name: "Send", exact: true }).count()).toBe(0);

    await fill(page.getByRole("searchbox", { name: "Search history" }), "remember");
    const hits = page.getByRole("list", { name: "History search results" });
    await waitFor(async () => /remember/.test(await hits.innerText()), "a search hit", 10_000);
    // The hit says where it is; the results replace the list until the search is emptied.
    expect(await hits.innerText()).toContain(
      `${env.echo.base.replace(/^ws:\/\//, "")}/history-e2e`,
    );
    expect(await sessions.count()).toBe(0);
    await shot(page, "history-session");
    await fill(page.getByRole("searchbox", { name: "Search history" }), "");
    await sessions.waitFor();
  });
});
