// The page's small modal dialogs (the workspace's, the history's, the shortcuts): a native
// <dialog>, so the rest of the page is inert while it is open and focus stays inside; the
// element marked `data-autofocus` gets focus; Escape cancels; focus goes back where it was
// on close.

import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export function Modal(props: {
  title: string;
  /** The title's element id (the dialog's accessible name). */
  id: string;
  /** Extra class names (e.g. for a wider dialog). */
  class?: string;
  /** `alertdialog` for a confirmation of something that cannot be undone. */
  role?: "dialog" | "alertdialog";
  /** The id of the text describing the dialog (its accessible description). */
  describedBy?: string;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const back = document.activeElement;
    const d = ref.current;
    if (d && !d.open) {
      if (typeof d.showModal === "function") d.showModal();
      else d.setAttribute("open", "");
    }
    d?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    return () => {
      if (back instanceof HTMLElement && back.isConnected)
        // Only if focus is still nowhere by then: a key pressed meanwhile (`/` to search)
        // may have moved it on purpose, and taking it back would undo that.
        requestAnimationFrame(() => {
          const now = document.activeElement;
          if (!now || now === document.body) back.focus();
        });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={props.class ? `ws-dialog ${props.class}` : "ws-dialog"}
      role={props.role === "alertdialog" ? "alertdialog" : undefined}
      aria-modal="true"
      aria-labelledby={props.id}
      aria-describedby={props.describedBy}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </dialog>
  );
}
