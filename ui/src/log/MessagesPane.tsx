// The Messages pane: header (search, type filter, counters, clear) and the virtualised log.

import {
  Virtualizer,
  elementScroll,
  observeElementOffset,
  observeElementRect,
} from "@tanstack/virtual-core";
import type { Ref } from "preact";
import { memo } from "preact/compat";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Rpc } from "../rpc";
import { LogController, type SaveMessage } from "./controller";
import type { LogSource } from "./source";
import { capitalized } from "../errors";
import { formatCount, isDataEvent, selectionText } from "./format";
import { MessageRow } from "./MessageRow";
import { TrashIcon } from "./icons";
import type { Slot } from "./pageCache";
import { EMPTY_FILTER, type FilterState, type MessageType } from "./search";
import "./log.css";

const ROW_HEIGHT = 26;

export function MessagesPane({
  rpc,
  session,
  onSaveMessage,
  searchRef,
}: {
  rpc: Rpc;
  session: LogSource;
  /** "Save to request" in an opened message (absent: no such button). */
  onSaveMessage?: SaveMessage;
  /** The search box, for whoever moves focus to it (the `/` shortcut). */
  searchRef?: Ref<HTMLInputElement>;
}) {
  const ctl = useMemo(() => new LogController(rpc, session), [rpc, session]);
  ctl.saveMessage = onSaveMessage ?? null;
  useEffect(() => ctl.attach(), [ctl]);
  const [shown, setShown] = useState(true);
  const [filter, setFilter] = useState<FilterState>(EMPTY_FILTER);
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => ctl.setFilter(filter), 200);
    return () => clearTimeout(t);
  }, [ctl, filter]);

  // Reading the tick subscribes the header to every published change.
  void ctl.tick.value;
  const search = ctl.search;
  const filtered = search.active || ctl.searchWithoutSession;
  const selected = [...ctl.selected.values()];

  return (
    <section class="log-pane" aria-label="Messages">
      <div class="log-header">
        <button
          type="button"
          class="log-btn log-icon-btn"
          aria-expanded={shown}
          aria-controls="log-list"
          onClick={() => setShown(!shown)}
        >
          <span aria-hidden="true">{shown ? "▴" : "▾"}</span>{" "}
          {shown ? "Hide messages" : "Show messages"}
        </button>
        <div class="log-search">
          <input
            ref={searchRef}
            type="search"
            aria-label="Search messages"
            placeholder="Search"
            value={filter.text}
            onInput={(e) => setFilter({ ...filter, text: e.currentTarget.value })}
            onKeyDown={(e) => {
              if (e.key === "Escape") setFilter({ ...filter, text: "" });
            }}
          />
          {filter.text && (
            <button
              type="button"
              class="log-clear-search"
              aria-label="Clear search"
              title="Clear search"
              onClick={() => setFilter({ ...filter, text: "" })}
            >
              ×
            </button>
          )}
        </div>
        <label class="log-check">
          <input
            type="checkbox"
            checked={filter.caseSensitive}
            onChange={(e) => setFilter({ ...filter, caseSensitive: e.currentTarget.checked })}
          />
          Match case
        </label>
        <label class="log-check">
          <input
            type="checkbox"
            checked={filter.regex}
            onChange={(e) => setFilter({ ...filter, regex: e.currentTarget.checked })}
          />
          Regular expression
        </label>
        <select
          aria-label="Message type"
          value={filter.type}
          onChange={(e) => setFilter({ ...filter, type: e.currentTarget.value as MessageType })}
        >
          <option value="all">All messages</option>
          <option value="in">Incoming</option>
          <option value="out">Outgoing</option>
          <option value="control">Control frames</option>
        </select>
        <RateText ctl={ctl} />
        {ctl.recorded ? null : (
          // A recorded session is read-only: nothing to clear.
          <button
            type="button"
            class="log-btn log-icon-btn"
            aria-label="Clear messages"
            title="Clear messages"
            onClick={() => ctl.clearView()}
          >
            <TrashIcon />
          </button>
        )}
      </div>
      {(filtered || search.error || selected.length > 0) && (
        <div class="log-subheader">
          {filtered && !search.error && (
            <span class="log-matches" aria-live="polite">
              {formatCount(ctl.count)} {ctl.count === 1 ? "match" : "matches"}
              {search.scanning && !search.caughtUp ? " (searching…)" : ""}
            </span>
          )}
          {search.error && (
            <span class="log-error" role="alert">
              {capitalized(search.error)}
            </span>
          )}
          {selected.length > 0 && (
            <span class="log-timediff" aria-live="polite">
              <span>{selectionText(selected)}</span>
              <button type="button" class="log-btn" onClick={() => ctl.deselectAll()}>
                Deselect
              </button>
            </span>
          )}
        </div>
      )}
      <div class="log-sr" aria-live="polite">
        {ctl.announce.value}
      </div>
      {shown && <LogList ctl={ctl} />}
    </section>
  );
}

function RateText({ ctl }: { ctl: LogController }) {
  return (
    <span class="log-rate" aria-label="Message rate" role="status" aria-live="off">
      {ctl.rateText.value}
    </span>
  );
}

function LogList({ ctl }: { ctl: LogController }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useState(0);
  const paused = ctl.paused.value;
  const lastTop = useRef(0);
  void ctl.tick.value;
  const count = ctl.count;

  const virtualizer = useMemo(
    () =>
      new Virtualizer<HTMLDivElement, HTMLDivElement>({
        count,
        getScrollElement: () => scrollRef.current,
        estimateSize: () => ROW_HEIGHT,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        overscan: 8,
        onChange: () => rerender((n) => n + 1),
        getItemKey: (i) => ctl.seqAt(i) ?? -1 - i,
      }),
    [ctl],
  );
  virtualizer.setOptions({
    ...virtualizer.options,
    count,
    getItemKey: (i) => ctl.seqAt(i) ?? -1 - i,
  });

  useEffect(() => virtualizer._didMount(), [virtualizer]);
  // A history search hit: scroll to its row, then put the focus on it.
  useLayoutEffect(() => {
    const seq = ctl.pendingReveal;
    if (seq === null) return;
    const index = ctl.indexOf(seq);
    if (index === null) return;
    ctl.pendingReveal = null;
    virtualizer.scrollToIndex(index, { align: "start" });
    let tries = 0;
    const focus = () => {
      const row = scrollRef.current?.querySelector<HTMLElement>(
        `[data-seq="${seq}"] .log-row, .log-row[data-seq="${seq}"]`,
      );
      if (row) {
        row.scrollIntoView({ block: "nearest" });
        row.focus({ preventScroll: true });
      } else if (tries++ < 20) requestAnimationFrame(focus);
    };
    requestAnimationFrame(focus);
  });
  useEffect(() => {
    ctl.canScroll = () => {
      const el = scrollRef.current;
      return !!el && el.scrollHeight > el.clientHeight + 1;
    };
    return () => {
      ctl.canScroll = () => false;
    };
  }, [ctl]);
  useLayoutEffect(() => {
    virtualizer._willUpdate();
  });

  const setFollow = (v: boolean) => {
    ctl.setFollowing(v);
  };

  // Follow the newest row while at the bottom.
  // Writing scrollTop past the end lands on the end; reading nothing here avoids a forced
  // layout per frame (scrollToIndex measures the scroll height first).
  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (ctl.following && count > 0 && el) el.scrollTop = totalSize + 1000;
  }, [count, totalSize, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const seqs: number[] = [];
  for (const it of items) {
    const s = ctl.seqAt(it.index);
    if (s !== undefined) seqs.push(s);
  }
  ctl.cache.pin(seqs);
  // Fetch what is visible and missing (after paint, deduplicated by the cache).
  useEffect(() => {
    for (const s of seqs) if (ctl.cache.peek(s) === "loading") void ctl.cache.ensure(s);
  });

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const top = el.scrollTop;
    const atBottom = top + el.clientHeight >= el.scrollHeight - 4;
    if (atBottom) {
      // Ignore the late scroll event of an auto-scroll that happened just before a pause.
      if (!ctl.following && performance.now() - ctl.pausedAt > 200) setFollow(true);
    } else if (top < lastTop.current - 1 && ctl.following) {
      setFollow(false);
    }
    lastTop.current = top;
  };

  const userScrollsUp = (up: boolean) => {
    const el = scrollRef.current;
    if (up && ctl.following && el && el.scrollHeight > el.clientHeight + 1) setFollow(false);
  };

  const jump = () => {
    setFollow(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = virtualizer.getTotalSize() + 1000;
    scrollRef.current?.focus();
  };

  return (
    <div class="log-list-wrap" id="log-list">
      <div
        ref={scrollRef}
        class="log-scroll"
        role="log"
        aria-label="Message log"
        aria-live="off"
        data-count={count}
        tabIndex={-1}
        onScroll={onScroll}
        onWheel={(e) => userScrollsUp(e.deltaY < 0)}
        onKeyDown={(e) => userScrollsUp(["ArrowUp", "PageUp", "Home"].includes(e.key))}
      >
        {count === 0 ? (
          <div class="log-empty">
            {ctl.search.active || ctl.searchWithoutSession
              ? "No matching messages."
              : ctl.sessionId
                ? "No messages yet."
                : "Connect to see messages here."}
          </div>
        ) : (
          <div class="log-canvas" style={{ height: `${totalSize}px` }}>
            {items.map((it) => {
              const seq = ctl.seqAt(it.index);
              const slot: Slot = seq === undefined ? "loading" : ctl.cache.peek(seq);
              return (
                <div
                  key={it.key}
                  data-index={it.index}
                  data-seq={seq}
                  ref={(el) => {
                    // Collapsed rows have the fixed ROW_HEIGHT: measure only rows that are
                    // or were expanded (their size is cached), so streaming costs no layout.
                    if (
                      el &&
                      (ctl.expanded.has(seq ?? -1) || virtualizer.itemSizeCache.has(it.key))
                    ) {
                      virtualizer.measureElement(el);
                    }
                  }}
                  class="log-row-slot"
                  style={{ transform: `translateY(${it.start}px)` }}
                >
                  <RowSwitch
                    ctl={ctl}
                    seq={seq ?? -1}
                    slot={slot}
                    expanded={seq !== undefined && ctl.expanded.has(seq)}
                    selected={seq !== undefined && ctl.selected.has(seq)}
                    infoOpen={seq !== undefined && ctl.infoOpen === seq}
                    connText={
                      typeof slot !== "string" && !isDataEvent(slot) ? ctl.connectionText(slot) : ""
                    }
                  />
                </div>
              );
            })}
          </div>
        )}
      </div>
      {/* A live log the user paused can scroll by definition; `canScroll` reads layout, so
      it is asked only of a recorded session (which may fit on screen), not on every frame. */}
      {paused && count > 0 && (!ctl.recorded || ctl.canScroll()) && (
        <button type="button" class="log-jump" aria-label="Jump to latest" onClick={jump}>
          Jump to latest
          {count > ctl.pausedAtCount ? ` · ${formatCount(count - ctl.pausedAtCount)} new` : ""}{" "}
          <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}

/** Rows redraw only when what they show changed (shallow props). */
const RowSwitch = memo(function RowSwitch({
  ctl,
  seq,
  slot,
  expanded,
  selected,
  infoOpen,
  connText,
}: {
  ctl: LogController;
  seq: number;
  slot: Slot;
  expanded: boolean;
  selected: boolean;
  infoOpen: boolean;
  /** A connection event's wording in context (it changes as later events arrive). */
  connText: string;
}) {
  if (typeof slot === "string") {
    return (
      <div class={`log-row log-row-${slot}`} aria-busy={slot === "loading"}>
        <span class="log-seq">#{seq}</span>
        {slot === "loading"
          ? "Loading…"
          : slot === "gone"
            ? "No longer kept by wsdeck (retention limit)"
            : "Could not load this message; scroll to retry."}
      </div>
    );
  }
  return (
    <MessageRow
      ctl={ctl}
      event={slot}
      expanded={expanded}
      selected={selected}
      infoOpen={infoOpen}
      connText={connText}
    />
  );
});
