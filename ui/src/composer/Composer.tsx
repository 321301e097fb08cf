// The message composer: editor with highlighting and inline validation per format,
// Beautify, Send (Ctrl/Cmd+Enter), Ping, Pong and Close.

import { html } from "@codemirror/lang-html";
import { json } from "@codemirror/lang-json";
import { xml } from "@codemirror/lang-xml";
import { linter, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import type { Extension } from "@codemirror/state";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { CodeEditor } from "../editor/CodeEditor";
import type { BinaryEncoding, MessageFormat, RequestTab } from "../request/model";
import { requestError } from "../errors";
import type { Rpc } from "../rpc";
import type { Diagnostic, SavedMessage, Variable } from "../types";
import type { RequestWorkspace } from "../request/workspace";
import { SavedMessages } from "./SavedMessages";
import { protectVariables } from "./jsonVars";
import { convertBinary } from "./binary";
import { closeCodeProblem, closeReasonProblem } from "./close";
import { maskVariables, problemSentence, toCmDiagnostics } from "./validate";

const FORMATS: { value: MessageFormat; label: string }[] = [
  { value: "text", label: "Text" },
  { value: "json", label: "JSON" },
  { value: "xml", label: "XML" },
  { value: "html", label: "HTML" },
  { value: "binary", label: "Binary" },
];

/**
 * The editor's language. Tags are not closed automatically: a closing tag typed by hand
 * would come out twice (`<a>x</a></a>`), and people type closing tags by hand.
 */
function language(format: MessageFormat): Extension {
  if (format === "json") return json();
  if (format === "xml") return xml({ autoCloseTags: false });
  if (format === "html") return html({ autoCloseTags: false });
  return [];
}

/** A failed call as a sentence: for params errors, the field and the reason. */
export function callProblem(e: unknown): string {
  return requestError(e);
}

/**
 * wsdeck's findings on `text` in `format` (JSON with its `{{variables}}` masked, so they are
 * not findings), and the text they are placed in. Both the inline check and Send ask this.
 */
async function validate(
  rpc: Rpc,
  text: string,
  format: "json" | "xml" | "html" | BinaryEncoding,
): Promise<{ checked: string; ok: boolean; errors: Diagnostic[] }> {
  const checked = format === "json" ? maskVariables(text) : text;
  const r = await rpc.call("wsdeck.format.validate", {
    text: checked,
    format,
  });
  return { checked, ok: r.ok, errors: r.errors ?? [] };
}

function validator(
  rpc: Rpc,
  format: MessageFormat,
  encoding: BinaryEncoding,
  report: (sentence: string) => void,
): Extension {
  if (format === "text") return [];
  return linter(
    async (view): Promise<CmDiagnostic[]> => {
      const doc = view.state.doc;
      const text = doc.toString();
      if (text.trim() === "") {
        report("");
        return [];
      }
      let checked: string;
      let errors: Diagnostic[];
      try {
        ({ checked, errors } = await validate(rpc, text, format === "binary" ? encoding : format));
      } catch {
        // wsdeck cannot check this (e.g. an older version without hex/base64): say nothing.
        report("");
        return [];
      }
      // Typed on meanwhile: this answer is about an older text (CodeMirror drops it too).
      if (view.state.doc !== doc) return [];
      const diagnostics = toCmDiagnostics(checked, doc, errors);
      report(problemSentence(errors[0]));
      return diagnostics;
    },
    { delay: 300 },
  );
}

export function Composer({
  rpc,
  tab,
  variables,
  workspace,
}: {
  rpc: Rpc;
  tab: RequestTab;
  variables: Variable[];
  workspace: RequestWorkspace;
}) {
  const format = tab.format.value;
  const encoding = tab.encoding.value;
  const open = tab.session.state.value === "open";
  const [problem, setProblem] = useState("");
  const [actionError, setActionError] = useState("");
  const [closeOpen, setCloseOpen] = useState(false);
  const [closeCode, setCloseCode] = useState("1000");
  const [closeReason, setCloseReason] = useState("");
  const reportRef = useRef(setProblem);
  const closeButton = useRef<HTMLButtonElement>(null);
  const closeCodeInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (closeOpen) closeCodeInput.current?.focus();
  }, [closeOpen]);
  const p = `t${tab.id}`;
  const state = tab.session.state.value;
  useEffect(() => {
    // A new connection state makes older complaints ("Connect first…") moot.
    setActionError("");
  }, [state]);

  const extensions = useMemo(
    () => [language(format), validator(rpc, format, encoding, (s) => reportRef.current(s))],
    [rpc, format, encoding],
  );

  const run = async (what: () => Promise<void>) => {
    setActionError("");
    try {
      await what();
    } catch (e) {
      setActionError(callProblem(e));
    }
  };

  /**
   * Why a JSON or XML message may not go out as typed ("" when it may): checked as `wsdeck
   * connect --send-format` and `wsdeck run` check it, so a typo is not sent to the server.
   */
  const refusal = async (text: string, f: "json" | "xml"): Promise<string> => {
    const r = await validate(rpc, text, f);
    if (r.ok || r.errors.length === 0) return "";
    const kind = f === "json" ? "JSON" : "XML";
    const where = problemSentence(r.errors[0]).replace(/\.$/, "");
    return `Not sent: the ${kind} is not valid. ${where}. Fix it, or set the format to Text to send it as it is.`;
  };

  const sendChecked = async (text: string, f: MessageFormat | SavedMessage["format"]) => {
    if (f === "json" || f === "xml") {
      const why = await refusal(text, f);
      if (why) {
        setActionError(why);
        return;
      }
    }
    await tab.session.sendText(text, variables);
  };

  const send = () => {
    if (tab.session.state.peek() !== "open") {
      setActionError("Connect first: messages can be sent only while connected.");
      return;
    }
    const text = tab.message.peek();
    const f = tab.format.peek();
    void run(() =>
      f === "binary" ? tab.session.sendBinary(text, tab.encoding.peek()) : sendChecked(text, f),
    );
  };

  /** Sends a saved message as it is (with variables), whatever the composer holds. */
  const sendSaved = (m: SavedMessage) => {
    if (tab.session.state.peek() !== "open") {
      setActionError("Connect first: messages can be sent only while connected.");
      return;
    }
    if (m.format === "binary-hex" || m.format === "binary-base64") {
      const enc = m.format === "binary-hex" ? "hex" : "base64";
      void run(() => tab.session.sendBinary(m.body, enc));
      return;
    }
    void run(() => sendChecked(m.body, m.format));
  };

  const beautify = () =>
    void run(async () => {
      if (format !== "json" && format !== "xml" && format !== "html") return;
      const source = tab.message.peek();
      const guarded = format === "json" ? protectVariables(source) : null;
      const r = await rpc.call("wsdeck.format.beautify", {
        text: guarded ? guarded.text : source,
        format,
      });
      tab.message.value = guarded ? guarded.restore(r.text) : r.text;
    });

  const canBeautify = format === "json" || format === "xml" || format === "html";
  const codeProblem = closeCodeProblem(closeCode);
  const reasonProblem = closeReasonProblem(closeCode, closeReason);
  const closeProblem = codeProblem || reasonProblem;

  /** Ctrl/Cmd+Enter sends from any composer control; the editor handles its own keys. */
  const onComposerKey = (e: KeyboardEvent) => {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || e.defaultPrevented) return;
    const target = e.target as Element | null;
    if (target?.closest(".cm-editor, .close-form")) return;
    e.preventDefault();
    send();
  };

  return (
    <div class="composer" onKeyDown={onComposerKey}>
      <CodeEditor
        value={tab.message.value}
        onChange={(v) => {
          tab.message.value = v;
          if (v.trim() === "") setProblem("");
          if (actionError) setActionError("");
        }}
        ariaLabel="Message editor"
        rpc={rpc}
        variables={variables}
        onSubmit={send}
        extensions={extensions}
        placeholder={
          format === "binary"
            ? encoding === "hex"
              ? "Hex bytes, e.g. 48 65 6c 6c 6f"
              : "Base64, e.g. SGVsbG8="
            : "Compose a message — Ctrl/Cmd+Enter sends, {{ inserts a variable"
        }
        className="message-editor"
        contentAttributes={problem ? { "aria-describedby": `${p}-problem` } : {}}
      />
      <p class="problem" id={`${p}-problem`} aria-live="polite">
        {format === "text" ? "" : problem}
      </p>
      <div class="composer-bar">
        <select
          aria-label="Message format"
          value={format}
          onChange={(e) => {
            setProblem("");
            setActionError("");
            tab.format.value = e.currentTarget.value as MessageFormat;
          }}
        >
          {FORMATS.map((f) => (
            <option value={f.value} key={f.value}>
              {f.label}
            </option>
          ))}
        </select>
        {format === "binary" ? (
          <select
            aria-label="Binary encoding"
            value={encoding}
            onChange={(e) => {
              const next = e.currentTarget.value as BinaryEncoding;
              setProblem("");
              setActionError("");
              tab.message.value = convertBinary(tab.message.peek(), tab.encoding.peek(), next);
              tab.encoding.value = next;
            }}
          >
            <option value="hex">Hex</option>
            <option value="base64">Base64</option>
          </select>
        ) : null}
        <button
          type="button"
          class="icon-button beautify"
          aria-label="Beautify"
          title={canBeautify ? "Beautify" : "Beautify works for JSON, XML and HTML"}
          disabled={!canBeautify}
          onClick={beautify}
        >
          {"{}"}
        </button>
        <span class="spacer" />
        <input
          type="text"
          class="control-payload"
          aria-label="Control payload"
          placeholder="Payload (optional)"
          title="Data sent with Ping or Pong (optional)"
          value={tab.controlPayload.value}
          onInput={(e) => (tab.controlPayload.value = e.currentTarget.value)}
        />
        <button
          type="button"
          disabled={!open}
          onClick={() => void run(() => tab.session.ping(tab.controlPayload.peek()))}
        >
          Ping
        </button>
        <button
          type="button"
          disabled={!open}
          onClick={() => void run(() => tab.session.pong(tab.controlPayload.peek()))}
        >
          Pong
        </button>
        <button
          type="button"
          disabled={!open}
          aria-expanded={closeOpen && open}
          aria-controls={`${p}-close-form`}
          ref={closeButton}
          onClick={() => setCloseOpen(!closeOpen)}
        >
          Close…
        </button>
        <button
          type="button"
          class="primary"
          disabled={!open}
          onClick={send}
          title="Send (Ctrl/Cmd+Enter)"
        >
          Send
        </button>
      </div>
      {closeOpen && open ? (
        <form
          class="close-form"
          id={`${p}-close-form`}
          aria-label="Close the connection"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              setCloseOpen(false);
              closeButton.current?.focus();
            }
          }}
          onSubmit={(e) => {
            e.preventDefault();
            if (closeProblem) return;
            void run(async () => {
              const code = closeCode.trim() === "" ? undefined : Number(closeCode);
              await tab.session.disconnect(code, closeReason);
              setCloseOpen(false);
            });
          }}
        >
          <label>
            Close code
            <input
              ref={closeCodeInput}
              type="number"
              min={1000}
              max={4999}
              value={closeCode}
              aria-invalid={codeProblem ? "true" : undefined}
              aria-describedby={codeProblem ? `${p}-close-problem` : undefined}
              onInput={(e) => setCloseCode(e.currentTarget.value)}
            />
          </label>
          <label>
            Close reason
            <input
              type="text"
              value={closeReason}
              placeholder="Optional, up to 123 bytes"
              aria-invalid={reasonProblem ? "true" : undefined}
              aria-describedby={reasonProblem ? `${p}-close-problem` : undefined}
              onInput={(e) => setCloseReason(e.currentTarget.value)}
            />
          </label>
          <button type="submit" disabled={Boolean(closeProblem)}>
            Close connection
          </button>
          <span class="field-error" id={`${p}-close-problem`} aria-live="polite">
            {closeProblem}
          </span>
        </form>
      ) : null}
      <div role="alert" class="action-error">
        {actionError}
      </div>
      {workspace.status.value === "ready" ? (
        <SavedMessages tab={tab} workspace={workspace} onSend={sendSaved} />
      ) : null}
    </div>
  );
}
