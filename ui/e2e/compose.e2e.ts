// Composing: every message format, binary in hex and base64, Beautify, Ctrl+Enter.

import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  STACK_NOISE,
  alertsText,
  boxText,
  editor,
  expectInLog,
  fill,
  logText,
  occurrences,
  selectByLabel,
  send,
  shot,
  useEnv,
  waitFor,
} from "./harness";

const env = useEnv("compose");

const format = (page: Page) => page.getByRole("combobox", { name: "Message format" });
const encoding = (page: Page) => page.getByRole("combobox", { name: "Binary encoding" });
const messageType = (page: Page) => page.getByRole("combobox", { name: "Message type" });

/** The ways a log row may show binary bytes: as text, spaced or plain hex, or base64. */
function binaryForms(bytes: Buffer): string[] {
  const hex = bytes.toString("hex");
  return [bytes.toString("utf8"), hex.match(/../g)!.join(" "), hex, bytes.toString("base64")];
}

async function expectBinaryEchoed(page: Page, bytes: Buffer) {
  const forms = binaryForms(bytes);
  await waitFor(
    async () => {
      const text = await logText(page);
      return forms.some((f) => occurrences(text, f) >= 2);
    },
    `the binary message (${forms.join(" | ")}) sent and echoed`,
  );
}

describe("compose", () => {
  it("XML and HTML typed by hand keep their closing tags once", async () => {
    const page = await env.fresh();
    for (const [label, typed] of [
      ["XML", "<note><to>x</to></note>"],
      ["HTML", "<p><b>bold</b></p>"],
    ] as const) {
      await selectByLabel(format(page), label);
      await fill(editor(page), "");
      await editor(page).pressSequentially(typed);
      expect(await boxText(editor(page))).toBe(typed);
    }
  });

  it("sends Text, JSON, XML and HTML; each is sent (Outgoing) and echoed (Incoming)", async () => {
    const page = await env.connected();
    const payloads: [string, string][] = [
      ["Text", "plain text e2e-1"],
      ["JSON", '{"kind":"json","n":2}'],
      ["XML", "<note><to>xml-e2e-3</to></note>"],
      ["HTML", '<p class="e2e">html-e2e-4</p>'],
    ];
    for (const [label, body] of payloads) {
      await selectByLabel(format(page), label);
      await send(page, body);
      await expectInLog(page, body, 2);
    }
    await shot(page, "compose-formats-sent");
    await selectByLabel(messageType(page), "Outgoing");
    await waitFor(async () => {
      const text = await logText(page);
      return payloads.every(([, b]) => occurrences(text, b) === 1);
    }, "each message once among Outgoing");
    await selectByLabel(messageType(page), "Incoming");
    await waitFor(async () => {
      const text = await logText(page);
      return payloads.every(([, b]) => occurrences(text, b) === 1);
    }, "each message once among Incoming");
    await selectByLabel(messageType(page), "All messages");
    await expectInLog(page, payloads[0]![1], 2);
  });

  it("sends binary written in hex", async () => {
    const page = await env.connected();
    await selectByLabel(format(page), "Binary");
    await selectByLabel(encoding(page), /hex/i);
    await send(page, "57 6f 72 6c 64 21"); // "World!"
    await expectBinaryEchoed(page, Buffer.from("World!"));
    await shot(page, "compose-binary-hex");
  });

  it("sends binary written in base64", async () => {
    const page = await env.connected();
    await selectByLabel(format(page), "Binary");
    await selectByLabel(encoding(page), /base\s*64/i);
    await send(page, Buffer.from("Base64 bytes!").toString("base64"));
    await expectBinaryEchoed(page, Buffer.from("Base64 bytes!"));
    await shot(page, "compose-binary-base64");
  });

  it("Beautify indents minified JSON", async () => {
    const page = await env.fresh();
    await selectByLabel(format(page), "JSON");
    await fill(editor(page), '{"a":1,"b":[1,2],"c":{"d":"e"}}');
    await page.getByRole("button", { name: "Beautify", exact: true }).click();
    await waitFor(
      async () => (await boxText(editor(page))).split("\n").length >= 5,
      "the JSON to be indented",
    );
    const text = await boxText(editor(page));
    expect(text).toMatch(/^\{\n\s+"a": 1,\n/);
    expect(text).toMatch(/\n\s+"d": "e"\n/);
    expect(JSON.parse(text)).toEqual({ a: 1, b: [1, 2], c: { d: "e" } });
    await shot(page, "compose-beautified");
  });

  it("Beautify on invalid JSON shows an inline error with line and column, the text stays", async () => {
    const page = await env.fresh();
    await selectByLabel(format(page), "JSON");
    const bad = '{"a":1,\n"b":}';
    await fill(editor(page), bad);
    await page.getByRole("button", { name: "Beautify", exact: true }).click();
    // `"b":}` — the error is at the `}`: line 2, column 5.
    const where = /line\s*2\b.*col(umn)?\s*5\b/i;
    await waitFor(
      async () => where.test(await page.locator("body").innerText()),
      "an error naming line 2 and a column",
    );
    expect(await boxText(editor(page))).toBe(bad);
    for (const t of await alertsText(page)) expect(t).not.toMatch(STACK_NOISE);
    const errorText = (await page.locator("body").innerText())
      .split("\n")
      .find((l) => where.test(l))!;
    expect(errorText).not.toMatch(STACK_NOISE);
    await shot(page, "compose-beautify-error");
  });

  it("invalid JSON or XML is not sent (as the CLI refuses it); Text sends it as it is", async () => {
    const page = await env.connected();
    await selectByLabel(format(page), "JSON");
    const bad = '{"refused-e2e":1,}';
    await send(page, bad);
    const alert = page.getByRole("alert").filter({ hasText: "Not sent: the JSON is not valid" });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/Line 1, column \d+: .*set the format to Text/);
    await selectByLabel(format(page), "XML");
    await send(page, "<refused-xml-e2e>");
    await page.getByRole("alert").filter({ hasText: "Not sent: the XML is not valid" }).waitFor();
    // A {{variable}} in JSON is not a reason to refuse it.
    await selectByLabel(format(page), "JSON");
    await send(page, '{"ok-e2e": {{$randomInt}}}');
    await waitFor(
      async () => /"ok-e2e": \d+/.test(await logText(page)),
      "the JSON with a variable",
    );
    expect(await logText(page)).not.toContain("refused-e2e");
    expect(await logText(page)).not.toContain("refused-xml-e2e");

    await selectByLabel(format(page), "Text");
    await send(page, bad);
    await expectInLog(page, bad, 2);
  });

  it("a 2 MB message is sent and echoed (the workbench's requests are not held to 1 MiB)", async () => {
    const page = await env.connected();
    await send(page, `big-e2e:${"x".repeat(2_000_000)}`);
    await waitFor(
      async () => occurrences(await logText(page), "big-e2e:") >= 2,
      "the 2 MB message sent and echoed",
      20_000,
    );
    expect(await page.getByText("connection to wsdeck was lost").count()).toBe(0);
  });

  it("Ctrl+Enter in the Message editor sends", async () => {
    const page = await env.connected();
    await fill(editor(page), "sent with ctrl-enter");
    await editor(page).press("Control+Enter");
    await expectInLog(page, "sent with ctrl-enter", 2);
    // The editor got no newline from the shortcut.
    expect(await boxText(editor(page))).not.toMatch(/ctrl-enter\n/);
  });

  it("a hex error names its place once", async () => {
    const page = await env.fresh();
    await selectByLabel(format(page), "Binary");
    await selectByLabel(encoding(page), /hex/i);
    await fill(editor(page), "zz");
    const problem = page.locator("p.problem");
    await waitFor(
      async () => /^Line 1, column 1: /.test(await problem.innerText()),
      "the hex error under the editor",
    );
    const text = await problem.innerText();
    expect(text).toMatch(/not a hex digit/);
    expect(text.match(/line 1/gi)).toHaveLength(1);
    expect(text).not.toMatch(/byte 0/);
  });

  it("the ping/pong payload's placeholder fits its field", async () => {
    const page = await env.fresh();
    const box = page.getByRole("textbox", { name: "Control payload", exact: true });
    const fits = await box.evaluate((el) => {
      const input = el as HTMLInputElement;
      const style = getComputedStyle(input);
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      const room =
        input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { text: input.placeholder, width: ctx.measureText(input.placeholder).width, room };
    });
    expect(fits.text).toMatch(/optional/i);
    expect(fits.width).toBeLessThanOrEqual(fits.room);
  });
});
