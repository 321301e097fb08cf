// The body of an expanded row: view as Text/HTML/JSON/XML, wrap, hexdump, copy, find.

import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { errorReason } from "../errors";
import type { HexdumpLine, WsEvent } from "../types";
import type { LogController } from "./controller";
import {
  decodeWireBase64,
  bytesToBase64,
  consoleLine,
  hexBytes,
  isDataEvent,
  jsonTokens,
  type JsonToken,
} from "./format";
import { findAll } from "./search";
import { CopyIcon } from "./icons";

type ViewAs = "text" | "html" | "json" | "xml";

/** Largest body drawn as text or hexdump (the copy buttons still copy all of it). */
const SHOW_MAX = 512 * 1024;
const HEX_MAX = 64 * 1024;

/** What "copy" puts on the clipboard: the text, hex bytes for binary, the line for events. */
export function eventText(e: WsEvent): string {
  if (!isDataEvent(e)) return `${e.time} ${consoleLine(e)}`;
  if (e.format === "binary") return hexBytes(decodeWireBase64(e.data));
  return e.data;
}

/** What "Copy body" copies: the message body (binary as hex bytes "48 65 6c"), or the event. */
export function copyBodyText(e: WsEvent): string {
  if (!isDataEvent(e)) return bodyText(e);
  return eventText(e);
}

/** The body as text (binary decoded as UTF-8, invalid bytes replaced). */
export function bodyText(e: WsEvent): string {
  if (!isDataEvent(e)) return JSON.stringify(e, null, 2);
  if (e.format === "binary") return new TextDecoder().decode(decodeWireBase64(e.data));
  return e.data;
}

const FORMAT_NAMES: Record<ViewAs, string> = {
  text: "Text",
  html: "HTML",
  json: "JSON",
  xml: "XML",
};

export function MessageBody({ ctl, event }: { ctl: LogController; event: WsEvent }) {
  const [e, setE] = useState<WsEvent>(event);
  const [loadError, setLoadError] = useState("");
  const saved = ctl.bodyPrefs.get(event.seq);
  const [viewAs, setViewAs] = useState<ViewAs | null>(saved?.viewAs ?? null);
  const [wrap, setWrap] = useState(saved?.wrap ?? true);
  const data = isDataEvent(e) ? e : null;
  const [hex, setHex] = useState(saved?.hex ?? data?.format === "binary");
  const [query, setQuery] = useState(saved?.query ?? "");
  useEffect(() => {
    ctl.bodyPrefs.set(event.seq, { viewAs, wrap, hex, query });
  }, [ctl, event.seq, viewAs, wrap, hex, query]);
  const [current, setCurrent] = useState(0);
  const [saveNote, setSaveNote] = useState<{ text: string; error: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  const save = ctl.saveMessage;
  const saveToRequest = async () => {
    if (!save) return;
    setSaving(true);
    setSaveNote(null);
    try {
      const text = await save(event, ctl);
      setSaveNote(text ? { text, error: !text.startsWith("Saved") } : null);
    } catch (err) {
      setSaveNote({
        text: `Could not save the message: ${err instanceof Error ? err.message : String(err)}`,
        error: true,
      });
    } finally {
      setSaving(false);
    }
  };
  const [pretty, setPretty] = useState<{ text: string; note: string } | null>(null);
  const [hexLines, setHexLines] = useState<HexdumpLine[] | null>(null);
  const preRef = useRef<HTMLPreElement>(null);

  // The whole event when the cached one was cut.
  useEffect(() => {
    let live = true;
    setE(event);
    if (isDataEvent(event) && event.truncated) {
      ctl
        .full(event)
        .then((w) => {
          if (!live) return;
          setE(w);
          ctl.cache.replace(w);
        })
        .catch((err) => live && setLoadError(`Could not load the whole message: ${String(err)}`));
    }
    return () => {
      live = false;
    };
  }, [ctl, event]);

  // Default "View as" = the detected format.
  useEffect(() => {
    if (!isDataEvent(event)) {
      setViewAs("json");
      return;
    }
    let live = true;
    void ctl.detect(event).then((d) => {
      if (!live) return;
      setViewAs(
        (v) =>
          v ??
          (d.format === "json" || d.format === "xml" || d.format === "html" ? d.format : "text"),
      );
    });
    return () => {
      live = false;
    };
  }, [ctl, event]);

  const raw = useMemo(() => bodyText(e), [e]);
  const truncatedView = isDataEvent(e) && e.truncated;

  useEffect(() => {
    setPretty(null);
    if (!viewAs || viewAs === "text" || !isDataEvent(e)) return;
    let live = true;
    ctl.rpc
      .call("wsdeck.format.beautify", { text: raw, format: viewAs })
      .then((r) => live && setPretty({ text: r.text, note: "" }))
      .catch((err) => {
        if (!live) return;
        const why = errorReason(err);
        setPretty({ text: raw, note: `Not valid ${FORMAT_NAMES[viewAs]}: ${why}` });
      });
    return () => {
      live = false;
    };
  }, [ctl, raw, viewAs, e]);

  useEffect(() => {
    if (!hex || !isDataEvent(e)) return;
    let live = true;
    setHexLines(null);
    const bytes =
      e.format === "binary" ? decodeWireBase64(e.data) : new TextEncoder().encode(e.data);
    const shown = bytes.subarray(0, HEX_MAX);
    const b64 = e.format === "binary" && bytes.length <= HEX_MAX ? e.data : bytesToBase64(shown);
    ctl.rpc
      .call("wsdeck.format.hexdump", { base64: b64 })
      .then((r) => live && setHexLines(r.lines))
      .catch((err) => live && setLoadError(`Could not make a hexdump: ${String(err)}`));
    return () => {
      live = false;
    };
  }, [ctl, hex, e]);

  const shownText = (() => {
    const t = viewAs && viewAs !== "text" && pretty ? pretty.text : raw;
    return t.length > SHOW_MAX ? t.slice(0, SHOW_MAX) : t;
  })();
  const fullLength = (viewAs && viewAs !== "text" && pretty ? pretty.text : raw).length;

  const hexText = useMemo(
    () =>
      hexLines
        ? hexLines
            .map((l) => `${l.offset.toString(16).padStart(8, "0")}  ${l.hex}  ${l.ascii}`)
            .join("\n")
        : "",
    [hexLines],
  );
  const target = hex ? hexText : shownText;
  // JSON is coloured (keys, strings, numbers, literals) when it parsed (or is an event).
  const isJson = !hex && viewAs === "json" && (!data || (pretty !== null && !pretty.note));
  const tokens = useMemo(() => (isJson ? jsonTokens(target) : []), [isJson, target]);
  const matches = useMemo(() => findAll(target, query), [target, query]);
  const cur = matches.length ? Math.min(current, matches.length - 1) : 0;

  useEffect(() => {
    preRef.current?.querySelector("mark.is-current")?.scrollIntoView({ block: "nearest" });
  }, [cur, matches]);

  const copyBody = async (what: "body" | "hexdump") => {
    try {
      await navigator.clipboard.writeText(what === "hexdump" ? hexText : copyBodyText(e));
      ctl.announce.value = `Copied the ${what} of message ${e.seq}`;
    } catch (err) {
      ctl.announce.value = `Could not copy: ${err instanceof Error ? err.message : String(err)}`;
    }
  };

  const step = (d: number) => {
    if (matches.length) setCurrent((cur + d + matches.length) % matches.length);
  };

  return (
    <div class="log-body" onKeyDown={(ev) => ev.stopPropagation()}>
      <div class="log-body-bar">
        {data && (
          <>
            <label class="log-field">
              View as{" "}
              <select
                value={viewAs ?? "text"}
                disabled={hex}
                onChange={(ev) => setViewAs(ev.currentTarget.value as ViewAs)}
              >
                <option value="text">Text</option>
                <option value="html">HTML</option>
                <option value="json">JSON</option>
                <option value="xml">XML</option>
              </select>
            </label>
            <label class="log-check">
              <input
                type="checkbox"
                checked={wrap}
                onChange={(ev) => setWrap(ev.currentTarget.checked)}
              />
              Wrap lines
            </label>
            <button type="button" class="log-btn" onClick={() => setHex(!hex)}>
              {hex ? "Show message" : "Show hexdump"}
            </button>
          </>
        )}
        <button
          type="button"
          class="log-btn"
          aria-label="Copy body"
          title="Copy body"
          onClick={() => void copyBody("body")}
        >
          <CopyIcon /> Copy body
        </button>
        {save && e.type === "message" && (
          <button
            type="button"
            class="log-btn"
            title="Add this message to the saved messages of the tab's request"
            disabled={saving}
            onClick={() => void saveToRequest()}
          >
            Save to request
          </button>
        )}
        {saveNote && (
          <span
            class={saveNote.error ? "log-error" : "log-save-note"}
            role={saveNote.error ? "alert" : "status"}
          >
            {saveNote.text}
          </span>
        )}
        {hex && data && (
          <button
            type="button"
            class="log-btn"
            aria-label="Copy hexdump"
            title="Copy hexdump"
            disabled={!hexLines}
            onClick={() => void copyBody("hexdump")}
          >
            <CopyIcon /> Copy hexdump
          </button>
        )}
        <span class="log-body-search">
          <input
            type="search"
            aria-label="Search in message"
            placeholder="Find"
            value={query}
            onInput={(ev) => {
              setQuery(ev.currentTarget.value);
              setCurrent(0);
            }}
            onKeyDown={(ev) => {
              if (ev.key === "Enter") step(ev.shiftKey ? -1 : 1);
            }}
          />
          {query && (
            <>
              <span class="log-body-count" aria-live="polite">
                {matches.length ? `${cur + 1} of ${matches.length}` : "0 of 0"}
              </span>
              <button
                type="button"
                class="log-mini"
                aria-label="Previous match"
                onClick={() => step(-1)}
              >
                ↑
              </button>
              <button
                type="button"
                class="log-mini"
                aria-label="Next match"
                onClick={() => step(1)}
              >
                ↓
              </button>
            </>
          )}
        </span>
      </div>
      {loadError && <div class="log-error">{loadError}</div>}
      {truncatedView && !loadError && <div class="log-note">Loading the whole message…</div>}
      {!hex && pretty?.note && <div class="log-note">{pretty.note}</div>}
      {!hex && fullLength > SHOW_MAX && (
        <div class="log-note">
          Showing the first {SHOW_MAX / 1024} KB; Copy body copies all of it.
        </div>
      )}
      {hex && data && data.size > HEX_MAX && (
        <div class="log-note">Hexdump of the first {HEX_MAX / 1024} KB.</div>
      )}
      <pre
        ref={preRef}
        class={`log-pre${wrap && !hex ? " is-wrap" : ""}`}
        tabIndex={0}
        aria-label={`Body of message ${e.seq}`}
      >
        {hex && !hexLines ? "…" : highlight(target, matches, cur, tokens)}
      </pre>
    </div>
  );
}

/** The text with search marks and JSON colours (tokens and marks may cross). */
function highlight(text: string, ranges: [number, number][], current: number, tokens: JsonToken[]) {
  if (ranges.length === 0 && tokens.length === 0) return text;
  let t = 0;
  // Coloured pieces of text[from, to).
  const paint = (from: number, to: number) => {
    const out: (string | preact.JSX.Element)[] = [];
    let at = from;
    while (t < tokens.length && (tokens[t]?.[1] ?? 0) <= from) t++;
    let k = t;
    while (k < tokens.length) {
      const tok = tokens[k];
      if (!tok || tok[0] >= to) break;
      const s = Math.max(tok[0], from);
      const e = Math.min(tok[1], to);
      if (s > at) out.push(text.slice(at, s));
      out.push(
        <span key={`${s}`} class={`log-j-${tok[2]}`}>
          {text.slice(s, e)}
        </span>,
      );
      at = e;
      if (tok[1] > to) break;
      k++;
    }
    t = k;
    if (at < to) out.push(text.slice(at, to));
    return out;
  };
  const out: (string | preact.JSX.Element)[] = [];
  let at = 0;
  ranges.forEach(([s, e], i) => {
    if (s > at) out.push(...paint(at, s));
    out.push(
      <mark key={`m${i}`} class={i === current ? "is-current" : undefined}>
        {paint(s, e)}
      </mark>,
    );
    at = e;
  });
  if (at < text.length) out.push(...paint(at, text.length));
  return out;
}
