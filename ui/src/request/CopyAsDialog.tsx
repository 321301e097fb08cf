// "Copy as…": the request as a command line or code for another tool, to read, copy and run.

import { useState } from "preact/hooks";
import { Modal } from "../widgets/Modal";
import { COPY_TARGETS, copyAs, type CopyRequest, type CopyTarget } from "./copyAs";

export function CopyAsDialog(props: { request: CopyRequest; onClose: () => void }) {
  const [target, setTarget] = useState<CopyTarget>("wsdeck");
  const [copied, setCopied] = useState("");
  const text = copyAs(target, props.request);
  const copy = () => {
    // The clipboard may be refused (an insecure context, a denied permission): the text
    // stays selected in the box for Ctrl/Cmd+C.
    void navigator.clipboard
      ?.writeText(text)
      .then(() => setCopied("Copied."))
      .catch(() => setCopied("The browser did not allow copying: select the text and copy it."));
  };
  return (
    <Modal
      title="Copy request as"
      id="copy-as-title"
      class="copy-as-dialog"
      describedBy="copy-as-help"
      onCancel={props.onClose}
    >
      <p id="copy-as-help" class="copy-as-help">
        The URL, headers, subprotocols and the composer's message. <code>{"{{variables}}"}</code>{" "}
        stay as typed (no value is copied, secret or not): <code>wsdeck connect</code> fills them in
        with <code>--env</code> or <code>--var</code>.
      </p>
      <div class="field">
        <label for="copy-as-target">Format</label>
        <select
          id="copy-as-target"
          value={target}
          data-autofocus
          onChange={(e) => {
            setTarget(e.currentTarget.value as CopyTarget);
            setCopied("");
          }}
        >
          {COPY_TARGETS.map((t) => (
            <option key={t.target} value={t.target}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      <textarea
        class="copy-as-text"
        aria-label="Copied text"
        readOnly
        rows={Math.min(14, text.split("\n").length + 1)}
        value={text}
        onFocus={(e) => e.currentTarget.select()}
      />
      <p class="copy-as-status" role="status">
        {copied}
      </p>
      <div class="dialog-buttons">
        <button type="button" class="primary" onClick={copy}>
          Copy
        </button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
