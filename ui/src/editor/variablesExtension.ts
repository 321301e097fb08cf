// `{{variable}}` support for CodeMirror: marks references (defined or not) and completes
// names after `{{` through `wsdeck.vars.complete`.

import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { Facet, RangeSetBuilder, type EditorState } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  ViewPlugin,
  hoverTooltip,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import type { Rpc } from "../rpc";
import type { CompletionItem, Variable } from "../types";
import { byteToUtf16, utf16ToByte } from "./offsets";
import { findVariables, isDynamic } from "./variables";

/** The variables in scope for an editor (globals + active environment). */
export const variablesFacet = Facet.define<Variable[], Variable[]>({
  combine: (values) => values[0] ?? [],
});

/** Largest document that gets reference marks (beyond it, marking costs more than it helps). */
const MARK_LIMIT = 512 * 1024;

/** What hovering a reference tells: its value (secrets masked), or that it is not defined. */
export function describeVariable(name: string, variables: Variable[]): string {
  const v = variables.find((x) => x.name === name);
  if (v) return `${name} = ${v.secret ? "****" : v.value}`;
  if (isDynamic(name)) return `${name} is a dynamic variable: wsdeck generates it when sending`;
  return `${name} is not defined in the active environment or globals`;
}

/** Hovering a `{{reference}}` shows `describeVariable` in a tooltip. */
export const variableHover = hoverTooltip((view, pos) => {
  const line = view.state.doc.lineAt(pos);
  const span = findVariables(line.text).find(
    (s) => line.from + s.from <= pos && pos <= line.from + s.to,
  );
  if (!span) return null;
  const text = describeVariable(span.name, view.state.facet(variablesFacet));
  return {
    pos: line.from + span.from,
    end: line.from + span.to,
    above: true,
    create: () => {
      const dom = document.createElement("div");
      dom.className = "cm-var-tooltip";
      dom.textContent = text;
      return { dom };
    },
  };
});

function buildMarks(state: EditorState): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  if (state.doc.length > MARK_LIMIT) return builder.finish();
  const known = new Map(state.facet(variablesFacet).map((v) => [v.name, v]));
  for (const span of findVariables(state.doc.toString())) {
    const v = known.get(span.name);
    let mark: Decoration;
    if (v) {
      mark = Decoration.mark({ class: "cm-var cm-var-defined" });
    } else if (isDynamic(span.name)) {
      mark = Decoration.mark({ class: "cm-var cm-var-dynamic" });
    } else {
      mark = Decoration.mark({ class: "cm-var cm-var-undefined" });
    }
    builder.add(span.from, span.to, mark);
  }
  return builder.finish();
}

export const variableMarks = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = buildMarks(view.state);
    }
    update(u: ViewUpdate) {
      if (u.docChanged || u.startState.facet(variablesFacet) !== u.state.facet(variablesFacet)) {
        this.decorations = buildMarks(u.state);
      }
    }
  },
  { decorations: (v) => v.decorations },
);

interface CompleteResult {
  replaceRange: { start: number; end: number };
  items: CompletionItem[];
}

/** Completes variable names after `{{`, asking wsdeck (which knows dynamic variables too). */
export function variableCompletion(rpc: Rpc) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    if (!/\{\{[^{}]*$/.test(before)) return null;
    const text = ctx.state.doc.toString();
    let result: CompleteResult;
    try {
      result = await rpc.call("wsdeck.vars.complete", {
        text,
        cursor: utf16ToByte(text, ctx.pos),
        variables: ctx.state.facet(variablesFacet),
      });
    } catch {
      return null;
    }
    if (ctx.aborted || result.items.length === 0) return null;
    const options: Completion[] = result.items.map((item) => ({
      label: item.name,
      detail: item.preview,
      info: item.description ?? undefined,
      apply: item.insertText,
      type: item.scope === "dynamic" ? "function" : "variable",
    }));
    return {
      from: byteToUtf16(text, result.replaceRange.start),
      to: byteToUtf16(text, result.replaceRange.end),
      options,
      validFor: /^[^{}\s]*$/,
    };
  };
}

export const variableTheme = EditorView.baseTheme({
  ".cm-var": { borderRadius: "3px", padding: "0 1px" },
  ".cm-var-defined, .cm-var-dynamic": { color: "#0b5cad", backgroundColor: "#e6f0fb" },
  ".cm-var-undefined": {
    color: "#b3261e",
    backgroundColor: "#fdecea",
    textDecoration: "underline wavy #b3261e",
  },
  ".cm-var-tooltip": { padding: "2px 6px", fontSize: "12px", whiteSpace: "pre-wrap" },
});
