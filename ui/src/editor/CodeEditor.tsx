// A CodeMirror 6 editor as a Preact component: controlled text, an accessible name,
// `{{variable}}` marks and completion, and extra extensions that may change over time.

import {
  autocompletion,
  closeBrackets,
  completionKeymap,
  completionStatus,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { Annotation, Compartment, EditorState, Prec, type Extension } from "@codemirror/state";
import { EditorView, drawSelection, keymap, placeholder as placeholderExt } from "@codemirror/view";
import { useEffect, useRef } from "preact/hooks";
import type { Rpc } from "../rpc";
import type { Variable } from "../types";
import {
  variableCompletion,
  variableHover,
  variableMarks,
  variableTheme,
  variablesFacet,
} from "./variablesExtension";

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  ariaLabel: string;
  rpc: Rpc;
  variables: Variable[];
  /** One line only: Enter submits, pasted line breaks are dropped. */
  singleLine?: boolean;
  /** Enter (single line) or Ctrl/Cmd+Enter (multi-line). */
  onSubmit?: () => void;
  extensions?: Extension;
  placeholder?: string;
  /** Focus the editor once it is created. */
  autoFocus?: boolean;
  className?: string;
  /** Extra attributes for the editable element (e.g. aria-describedby). */
  contentAttributes?: Record<string, string>;
  /** Shown and focusable, but no edits (a connected request's URL). */
  readOnly?: boolean;
}

/** Marks changes that come from the `value` prop, so they are not reported back as edits. */
const external = Annotation.define<boolean>();

const oneLine = EditorState.transactionFilter.of((tr) => {
  if (!tr.docChanged || tr.newDoc.lines <= 1) return tr;
  const flat = tr.newDoc.toString().replace(/\r?\n/g, "");
  return [tr, { changes: { from: 0, to: tr.newDoc.length, insert: flat }, sequential: true }];
});

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const dynamic = useRef(new Compartment());
  const vars = useRef(new Compartment());
  const attrs = useRef(new Compartment());
  const lock = useRef(new Compartment());
  /** Texts this editor reported lately: when one comes back as `value`, it is an echo. */
  const emitted = useRef<string[]>([]);

  const contentAttrs = () => ({
    "aria-label": props.ariaLabel,
    role: "textbox",
    "aria-multiline": props.singleLine ? "false" : "true",
    ...(props.readOnly ? { "aria-readonly": "true" } : {}),
    ...(props.contentAttributes ?? {}),
  });

  useEffect(() => {
    if (!host.current) return;
    const submitKey = props.singleLine ? "Enter" : "Mod-Enter";
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          history(),
          drawSelection(),
          bracketMatching(),
          props.singleLine ? oneLine : closeBrackets(),
          props.singleLine ? [] : EditorView.lineWrapping,
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          autocompletion({ override: [variableCompletion(props.rpc)], activateOnTyping: true }),
          Prec.highest(
            keymap.of([
              {
                key: submitKey,
                run: (ed) => {
                  if (completionStatus(ed.state) === "active") return false;
                  latest.current.onSubmit?.();
                  return true;
                },
              },
            ]),
          ),
          keymap.of([...completionKeymap, ...historyKeymap, ...defaultKeymap]),
          props.placeholder ? placeholderExt(props.placeholder) : [],
          variableMarks,
          variableHover,
          variableTheme,
          vars.current.of(variablesFacet.of(props.variables)),
          dynamic.current.of(props.extensions ?? []),
          attrs.current.of(EditorView.contentAttributes.of(contentAttrs())),
          lock.current.of(EditorState.readOnly.of(Boolean(props.readOnly))),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((t) => t.annotation(external))) {
              const text = u.state.doc.toString();
              emitted.current.push(text);
              if (emitted.current.length > 64) emitted.current.shift();
              latest.current.onChange(text);
            }
          }),
        ],
      }),
    });
    view.current = v;
    if (props.autoFocus) v.focus();
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; later prop changes are applied by the effects below.
  }, []);

  useEffect(() => {
    const v = view.current;
    // Typing runs ahead of rendering: a value we reported ourselves is never pushed back.
    const echo = emitted.current.lastIndexOf(props.value);
    if (echo >= 0) {
      emitted.current.splice(0, echo + 1);
      return;
    }
    if (v && v.state.doc.toString() !== props.value) {
      v.dispatch({
        changes: { from: 0, to: v.state.doc.length, insert: props.value },
        annotations: external.of(true),
      });
    }
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: vars.current.reconfigure(variablesFacet.of(props.variables)),
    });
  }, [props.variables]);

  useEffect(() => {
    view.current?.dispatch({ effects: dynamic.current.reconfigure(props.extensions ?? []) });
  }, [props.extensions]);

  useEffect(() => {
    view.current?.dispatch({
      effects: lock.current.reconfigure(EditorState.readOnly.of(Boolean(props.readOnly))),
    });
  }, [props.readOnly]);

  const attrKey = JSON.stringify(contentAttrs());
  useEffect(() => {
    view.current?.dispatch({
      effects: attrs.current.reconfigure(EditorView.contentAttributes.of(contentAttrs())),
    });
  }, [attrKey]);

  return (
    <div
      ref={host}
      class={`code-editor ${props.singleLine ? "code-editor-line" : "code-editor-multi"}${props.readOnly ? " code-editor-readonly" : ""} ${props.className ?? ""}`}
    />
  );
}
