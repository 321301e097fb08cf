// The strip of open tabs above the panes (role="tablist": arrow keys move between tabs,
// Delete closes one) and its "+" for a new request. It scrolls sideways without a scrollbar,
// so it keeps the shown tab in view itself.

import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { isHistoryTab } from "../history/tab";
import { handleTabKey } from "../widgets/tablist";
import type { FocusRegistry } from "./focus";
import type { Tab } from "./workbench";

export interface TabStripProps {
  tabs: Tab[];
  activeId: number;
  /** Shows tab `id`. */
  select: (id: number) => void;
  /** Closes tab `id` (asking first when something would be lost). */
  close: (id: number) => void;
  /** Opens a new, empty request tab. */
  newRequest: () => void;
  /** Where the tab buttons are registered: the workbench focuses them after a close. */
  buttons: FocusRegistry<number>;
}

/** Scrolls the tab strip (only it) so that `item` is wholly visible. */
function reveal(strip: HTMLElement, item: HTMLElement | null | undefined): void {
  if (!item || !strip.contains(item)) return;
  const s = strip.getBoundingClientRect();
  const r = item.getBoundingClientRect();
  if (r.left < s.left) strip.scrollLeft -= s.left - r.left;
  else if (r.right > s.right) strip.scrollLeft += Math.min(r.right - s.right, r.left - s.left);
}

/** A vertical mouse wheel scrolls the tab strip sideways (it shows no scrollbar). */
function wheelSideways(e: WheelEvent): void {
  const strip = e.currentTarget as HTMLElement;
  if (e.deltaX !== 0 || e.deltaY === 0 || strip.scrollWidth <= strip.clientWidth) return;
  const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? strip.clientWidth : 1;
  strip.scrollLeft += e.deltaY * unit;
  e.preventDefault();
}

/**
 * Keeps the active tab in view: when it is created, opened or switched to (by mouse, keyboard
 * or code), and when the strip gets narrower.
 */
function useActiveTabInView(props: TabStripProps) {
  const stripRef = useRef<HTMLDivElement>(null);
  const revealActive = useRef(() => {});
  revealActive.current = () => {
    const strip = stripRef.current;
    const item = props.buttons.get(props.activeId)?.closest<HTMLElement>(".tab-item");
    if (strip) reveal(strip, item);
  };
  useLayoutEffect(() => revealActive.current(), [props.activeId, props.tabs.length]);
  useEffect(() => {
    const strip = stripRef.current;
    if (!strip || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => revealActive.current());
    observer.observe(strip);
    return () => observer.disconnect();
  }, []);
  return stripRef;
}

function TabItem({
  tab,
  index,
  selected,
  strip,
}: {
  tab: Tab;
  index: number;
  selected: boolean;
  strip: TabStripProps;
}) {
  const name = tab.name.value;
  const state = tab.session.state.value;
  const unsaved = isHistoryTab(tab) ? false : tab.unsaved.value;
  return (
    <div class={`tab-item${selected ? " selected" : ""}`} role="presentation">
      <button
        type="button"
        role="tab"
        ref={strip.buttons.ref(tab.id)}
        id={`tab-${tab.id}`}
        aria-selected={selected}
        aria-controls={`tabpanel-${tab.id}`}
        tabIndex={selected ? 0 : -1}
        class="tab"
        title={tab.url.value || name}
        aria-description={unsaved ? "Unsaved changes" : undefined}
        onClick={() => strip.select(tab.id)}
        onKeyDown={(e) => {
          if (e.key === "Delete") {
            e.preventDefault();
            strip.close(tab.id);
            return;
          }
          handleTabKey(e, index, strip.tabs.length, (j) => {
            const t = strip.tabs[j];
            if (t) strip.select(t.id);
          });
        }}
      >
        <span class={`dot dot-${state}`} aria-hidden="true" />
        <span class="tab-name">{name}</span>
        {unsaved ? (
          <span class="unsaved-mark" title="Unsaved changes" aria-hidden="true">
            ●
          </span>
        ) : null}
      </button>
      <button
        type="button"
        class="tab-close"
        aria-label={`Close tab ${name}`}
        title={`Close tab ${name}`}
        onClick={() => strip.close(tab.id)}
      >
        ×
      </button>
    </div>
  );
}

export function TabStrip(props: TabStripProps) {
  const stripRef = useActiveTabInView(props);
  return (
    <div class="tabbar">
      <div role="tablist" aria-label="Requests" class="tabs" ref={stripRef} onWheel={wheelSideways}>
        {props.tabs.map((tab, i) => (
          <TabItem
            key={tab.id}
            tab={tab}
            index={i}
            selected={tab.id === props.activeId}
            strip={props}
          />
        ))}
      </div>
      <button
        type="button"
        class="new-tab"
        aria-label="New request"
        title="New request"
        onClick={props.newRequest}
      >
        +
      </button>
    </div>
  );
}
