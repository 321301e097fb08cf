// One row of the message log (collapsed line; the body when expanded).

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { WsEvent } from "../types";
import type { Detected, LogController } from "./controller";
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatTime,
  isDataEvent,
  previewText,
} from "./format";
import { MessageBody, eventText } from "./MessageBody";
import { ConnectionDetails } from "./ConnectionDetails";
import { CopyIcon, DirIcon, InfoIcon } from "./icons";

export function directionLabel(e: WsEvent): "Incoming" | "Outgoing" | "Connection" {
  if (isDataEvent(e)) return e.direction === "in" ? "Incoming" : "Outgoing";
  return "Connection";
}

export function MessageRow({
  ctl,
  event: e,
  expanded,
  selected,
  infoOpen,
  connText = "",
}: {
  ctl: LogController;
  event: WsEvent;
  expanded: boolean;
  selected: boolean;
  infoOpen: boolean;
  /** A connection event's wording in the context of its session (else the event alone). */
  connText?: string;
}) {
  const seq = e.seq;
  const dir = directionLabel(e);
  const kind = isDataEvent(e) ? e.type : "network";
  const isError = e.type === "error" || (e.type === "closed" && !e.clean);
  const preview = (!isDataEvent(e) && connText) || previewText(e);

  const copy = async () => {
    try {
      const whole = await ctl.full(e);
      await navigator.clipboard.writeText(eventText(whole));
      ctl.announce.value = `Copied message ${seq}`;
    } catch (err) {
      ctl.announce.value = `Could not copy message ${seq}: ${err instanceof Error ? err.message : String(err)}`;
    }
  };

  return (
    <div
      class={`log-row log-${dir.toLowerCase()} log-kind-${kind}${selected ? " is-selected" : ""}${expanded ? " is-expanded" : ""}${isError ? " is-error" : ""}`}
      tabIndex={0}
      aria-label={`${dir} ${kind === "network" ? "event" : kind} ${seq}, ${formatTime(e.time)}: ${preview.slice(0, 80)}`}
      onKeyDown={(ev) => {
        if (ev.target !== ev.currentTarget) return;
        if (ev.key === "Enter") {
          ev.preventDefault();
          ctl.toggleExpanded(seq);
        } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
          // Move between rows (the neighbours are rendered: the list overscans).
          const slot = ev.currentTarget.parentElement;
          const next =
            ev.key === "ArrowDown" ? slot?.nextElementSibling : slot?.previousElementSibling;
          const row = next?.querySelector<HTMLElement>(".log-row");
          if (row) {
            ev.preventDefault();
            row.focus();
          }
        }
      }}
    >
      <div
        class="log-line"
        onPointerLeave={() => ctl.leaveInfo(seq)}
        onFocusIn={(ev) => {
          // Ticking, opening info or copying: the row must not scroll away meanwhile.
          if (ev.target !== ev.currentTarget) ctl.holdStill();
        }}
        onPointerDown={(ev) => {
          if ((ev.target as HTMLElement).closest("input, button")) ctl.holdStill();
        }}
      >
        <input
          type="checkbox"
          class="log-select"
          aria-label={`Select message ${seq}`}
          checked={selected}
          onChange={() => ctl.toggleSelected(seq, e.monoMs)}
        />
        <button
          type="button"
          class="log-expand"
          aria-label={`${expanded ? "Collapse" : "Expand"} message ${seq}`}
          aria-expanded={expanded}
          onClick={() => ctl.toggleExpanded(seq)}
        >
          <span aria-hidden="true">{expanded ? "▾" : "▸"}</span>
        </button>
        <DirIcon label={dir} />
        {(e.type === "ping" || e.type === "pong") && <span class="log-tag">{e.type}</span>}
        <span class="log-preview">{preview}</span>
        <span class="log-time">{formatTime(e.time)}</span>
        <span class="log-actions">
          <button
            type="button"
            class="log-mini"
            aria-label={`Message info ${seq}`}
            aria-expanded={infoOpen}
            title="Message info"
            onPointerEnter={(ev) => {
              if (ev.pointerType === "mouse") ctl.hoverInfo(seq);
            }}
            onClick={() => ctl.toggleInfo(seq)}
            onKeyDown={(ev) => {
              if (ev.key === "Escape" && infoOpen) ctl.closeInfo();
            }}
          >
            <InfoIcon />
          </button>
          <button
            type="button"
            class="log-mini"
            aria-label={`Copy message ${seq}`}
            title="Copy message"
            onClick={() => void copy()}
          >
            <CopyIcon />
          </button>
        </span>
        {infoOpen && <InfoPopover ctl={ctl} event={e} />}
      </div>
      {expanded &&
        (isDataEvent(e) ? <MessageBody ctl={ctl} event={e} /> : <ConnectionDetails event={e} />)}
    </div>
  );
}

function InfoPopover({ ctl, event: e }: { ctl: LogController; event: WsEvent }) {
  const [d, setD] = useState<Detected | null>(null);
  useEffect(() => {
    let live = true;
    void ctl.detect(e).then((r) => live && setD(r));
    return () => {
      live = false;
    };
  }, [ctl, e]);
  const size = isDataEvent(e) ? e.size : null;
  // Open upwards when there is no room below inside the log (the scroller clips it).
  const ref = useRef<HTMLDivElement>(null);
  const [up, setUp] = useState(false);
  useLayoutEffect(() => {
    const el = ref.current;
    const box = el?.closest(".log-scroll");
    if (!el || !box) return;
    const r = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    const line = el.parentElement?.getBoundingClientRect();
    const below = b.bottom - (line ? line.bottom : r.top);
    const above = (line ? line.top : r.top) - b.top;
    setUp(r.height > below && above > below);
  }, [d]);
  return (
    <div
      ref={ref}
      class={`log-popover${up ? " is-up" : ""}`}
      role="dialog"
      aria-label={`Message ${e.seq} info`}
      onKeyDown={(ev) => {
        if (ev.key === "Escape") {
          ev.stopPropagation();
          ctl.closeInfo();
        }
      }}
    >
      <dl class="log-kv">
        <dt>Time</dt>
        <dd>{formatDateTime(e.time)}</dd>
        <dt>ISO time</dt>
        <dd>{e.time}</dd>
        <dt>MIME type</dt>
        <dd>{isDataEvent(e) ? (d ? d.mime : "…") : "—"}</dd>
        <dt>Size</dt>
        <dd>
          {size === null ? "—" : `${formatCount(size)} ${size === 1 ? "byte" : "bytes"}`}
          {size !== null && size >= 1024 ? ` (${formatBytes(size)})` : ""}
        </dd>
      </dl>
      <button type="button" class="log-btn" onClick={() => ctl.closeInfo()}>
        Close
      </button>
    </div>
  );
}
