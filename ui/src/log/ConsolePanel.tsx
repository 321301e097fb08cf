// The console: the connection log of this tab in plain words, with handshake heads.

import { signal, useSignalEffect } from "@preact/signals";
import { useId, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Rpc } from "../rpc";
import type { LogSource } from "./source";
import type { Handshake, HttpHead, WsEvent } from "../types";
import { consoleLine, describeConnection, formatTime, openLine } from "./format";
import "./log.css";

interface Block {
  sessionId: string | number;
  events: WsEvent[];
  handshake: Handshake | null;
  /** Events before this index were cleared. */
  hidden: number;
  handshakeHidden: boolean;
}

/** At most this many earlier sessions stay in the console. */
const MAX_BLOCKS = 20;

// The console's height: the height of its log in px, set with the splitter above it, shared
// by every tab and remembered. It is bounded: the console (bar included) takes at most
// MAX_SHARE of the tab's panel, so the message log keeps its room.
const HEIGHT_KEY = "wsdeck.consoleHeight";
const MIN_HEIGHT = 60;
const DEFAULT_HEIGHT = 180;
const MAX_SHARE = 0.35;
const STEP = 16;
const BIG_STEP = 64;

function readHeight(): number {
  try {
    const n = Number(localStorage.getItem(HEIGHT_KEY));
    return Number.isFinite(n) && n >= MIN_HEIGHT ? Math.round(n) : DEFAULT_HEIGHT;
  } catch {
    return DEFAULT_HEIGHT;
  }
}

const consoleHeight = signal(readHeight());

function storeHeight(h: number): void {
  consoleHeight.value = h;
  try {
    localStorage.setItem(HEIGHT_KEY, String(h));
  } catch {
    // Not remembered: fine.
  }
}

export function ConsolePanel({ session }: { rpc: Rpc; session: LogSource }) {
  const [expanded, setExpanded] = useState(false);
  const [blocks, setBlocks] = useState<Block[]>([]);
  const [, setTick] = useState(0);
  const clearedError = useRef("");
  const errorCleared = (e: string) => clearedError.current === e;
  const blocksRef = useRef<Block[]>([]);
  blocksRef.current = blocks;

  useSignalEffect(() => {
    const id = session.sessionId.value;
    const events = session.connectionEvents.value;
    const handshake = session.handshake.value;
    if (id === null || id === "") return;
    const prev = blocksRef.current;
    const last = prev[prev.length - 1];
    if (last && last.sessionId === id) {
      if (last.events === events && last.handshake === handshake) return;
      const next = prev.slice(0, -1);
      next.push({ ...last, events, handshake });
      setBlocks(next);
    } else {
      const next = [
        ...prev.slice(-MAX_BLOCKS + 1),
        { sessionId: id, events, handshake, hidden: 0, handshakeHidden: false },
      ];
      setBlocks(next);
    }
  });

  const lines: { key: string; time: string; text: string; error: boolean; head?: boolean }[] = [];
  let errors = 0;
  blocks.forEach((b, n) => {
    if (n > 0 && b.hidden < b.events.length) {
      lines.push({
        key: `${b.sessionId}-sep`,
        time: "",
        text: "— New connection —",
        error: false,
        head: true,
      });
    }
    const described = describeConnection(b.events);
    for (let i = b.hidden; i < b.events.length; i++) {
      const e = b.events[i];
      if (!e) continue;
      const isErr = e.type === "error" || (e.type === "closed" && !e.clean);
      if (e.type === "error") errors += 1;
      const texts =
        e.type === "open" ? [openLine(e, b.handshake)] : (described.get(e.seq) ?? [consoleLine(e)]);
      texts.forEach((text, n) =>
        lines.push({
          key: `${b.sessionId}-${e.seq}${n ? `-${n}` : ""}`,
          time: n ? "" : formatTime(e.time),
          text,
          error: isErr,
        }),
      );
      // Both heads of the upgrade: of an open (its handshake) and of a refusal (its error).
      const heads =
        e.type === "open" && b.handshake && !b.handshakeHidden
          ? b.handshake
          : e.type === "error" && e.request && e.response
            ? { request: e.request, response: e.response }
            : null;
      if (heads) {
        const head = (title: string, h: HttpHead) =>
          `${title}\n  ${h.startLine}\n${h.headers.map(([k, v]) => `  ${k}: ${v}`).join("\n")}`;
        lines.push({
          key: `${b.sessionId}-${e.seq}-req`,
          time: "",
          text: head("Request headers", heads.request),
          error: false,
          head: true,
        });
        lines.push({
          key: `${b.sessionId}-${e.seq}-res`,
          time: "",
          text: head("Response headers", heads.response),
          error: false,
          head: true,
        });
      }
    }
  });

  // A connect that failed before the session existed (or a lost link) has no event: show it.
  const error = session.error.value;
  const lastBlock = blocks[blocks.length - 1];
  const lastErrorEvent = lastBlock
    ? [...lastBlock.events].reverse().find((e) => e.type === "error")
    : undefined;
  if (
    error &&
    !(lastErrorEvent?.type === "error" && lastErrorEvent.message === error) &&
    !errorCleared(error)
  ) {
    errors += 1;
    lines.push({ key: `error-${error}`, time: "", text: `Error: ${error}`, error: true });
  }

  // The most the console's log may take here (null: not measured yet).
  const sectionRef = useRef<HTMLElement>(null);
  const barRef = useRef<HTMLDivElement>(null);
  const [room, setRoom] = useState<number | null>(null);
  useLayoutEffect(() => {
    const pane = sectionRef.current?.parentElement;
    if (!expanded || !pane) return;
    const measure = () => {
      const paneHeight = pane.clientHeight;
      if (paneHeight === 0) return; // A hidden tab: keep the last measure.
      const bar = (barRef.current?.offsetHeight ?? 0) + 1; // + the console's top border
      setRoom(Math.max(MIN_HEIGHT, Math.floor(paneHeight * MAX_SHARE) - bar));
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(pane);
    return () => observer.disconnect();
  }, [expanded]);
  const maxHeight = room ?? Math.max(MIN_HEIGHT, consoleHeight.value);
  const clamp = (h: number) => Math.round(Math.min(Math.max(h, MIN_HEIGHT), maxHeight));
  const height = clamp(consoleHeight.value);
  const drag = useRef<{ y: number; height: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const endDrag = () => {
    if (!drag.current) return;
    drag.current = null;
    setDragging(false);
    storeHeight(consoleHeight.peek());
  };
  const onSplitterKey = (e: KeyboardEvent) => {
    // Up grows the console (the splitter moves up), Down shrinks it.
    const next = new Map([
      ["ArrowUp", height + STEP],
      ["ArrowDown", height - STEP],
      ["PageUp", height + BIG_STEP],
      ["PageDown", height - BIG_STEP],
      ["Home", MIN_HEIGHT],
      ["End", maxHeight],
    ]).get(e.key);
    if (next === undefined) return;
    e.preventDefault();
    storeHeight(clamp(next));
  };

  // One console per tab: its log's id must be its own.
  const bodyId = useId();
  const bodyRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  });

  const clear = () => {
    clearedError.current = error;
    setBlocks(
      blocks
        .slice(-1)
        .map((b) => ({ ...b, hidden: b.events.length, handshakeHidden: b.handshake !== null })),
    );
    setTick((t) => t + 1);
  };

  return (
    <section class="log-console" aria-label="Console" ref={sectionRef}>
      {expanded && (
        <div
          role="separator"
          aria-orientation="horizontal"
          aria-label="Resize console"
          aria-controls={bodyId}
          aria-valuenow={height}
          aria-valuemin={MIN_HEIGHT}
          aria-valuemax={maxHeight}
          aria-valuetext={`Console ${height} pixels tall`}
          title="Drag, or use the arrow keys, to resize the console"
          tabIndex={0}
          class={`log-console-splitter${dragging ? " is-dragging" : ""}`}
          onKeyDown={onSplitterKey}
          onPointerDown={(e) => {
            if (e.button !== 0) return;
            e.preventDefault();
            e.currentTarget.setPointerCapture(e.pointerId);
            e.currentTarget.focus();
            drag.current = { y: e.clientY, height };
            setDragging(true);
          }}
          onPointerMove={(e) => {
            const d = drag.current;
            if (d) consoleHeight.value = clamp(d.height + d.y - e.clientY);
          }}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
        />
      )}
      <div class="log-console-bar" ref={barRef}>
        <button
          type="button"
          class="log-console-toggle"
          aria-expanded={expanded}
          aria-controls={bodyId}
          onClick={() => setExpanded(!expanded)}
        >
          <span aria-hidden="true">{expanded ? "▾" : "▸"}</span> Console
          {errors > 0 && (
            <span
              class="log-console-errors"
              aria-label={`${errors} ${errors === 1 ? "error" : "errors"}`}
            >
              {errors}
            </span>
          )}
        </button>
        {expanded && (
          <button type="button" class="log-btn" onClick={clear}>
            Clear console
          </button>
        )}
      </div>
      {expanded && (
        <div
          id={bodyId}
          ref={bodyRef}
          class="log-console-body"
          style={{ height: `${height}px` }}
          role="log"
          aria-label="Console log"
          tabIndex={0}
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
          }}
        >
          {lines.length === 0 ? (
            <div class="log-console-empty">Nothing logged yet.</div>
          ) : (
            lines.map((l) => (
              <div
                key={l.key}
                class={`log-console-line${l.error ? " is-error" : ""}${l.head ? " is-head" : ""}`}
              >
                <span class="log-console-time">{l.time}</span>
                <span class="log-console-text">{l.text}</span>
              </div>
            ))
          )}
        </div>
      )}
    </section>
  );
}
