// The candidate's editors: CodeMirror 6 for Python code and Markdown answers.
// Built into static/js/editor.bundle.js by `npm run build`; exposes window.MockloopEditor.
import { EditorView, basicSetup } from "codemirror";
import { EditorState, Prec, StateEffect, StateField, RangeSet } from "@codemirror/state";
import { keymap, drawSelection, highlightActiveLine, Decoration, placeholder as placeholderText } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab, insertNewline } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { markdown } from "@codemirror/lang-markdown";
import { indentUnit } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";

// A line marked as where an error was raised: a red background beside the gutter's marker.
const markLines = StateEffect.define();
const errorLine = Decoration.line({ class: "cm-error-line" });
const errorLines = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const effect of tr.effects) if (effect.is(markLines)) value = effect.value;
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Prose is written as typed: no list continuation, no closing brackets, no
// auto-indent, no completion, no line numbers; Tab leaves the editor as anywhere else.
const proseSetup = [
  history(),
  drawSelection(),
  highlightActiveLine(),
  Prec.high(keymap.of([{ key: "Enter", run: insertNewline }])),
  keymap.of([...defaultKeymap, ...historyKeymap]),
];

function create(parent, { doc = "", language = "python", onChange = () => {}, onRun = null, readOnly = false, label = "", placeholder = "" } = {}) {
  const code = language !== "markdown";
  const extensions = code
    ? [
        // Ctrl+Enter / Cmd+Enter runs the code, ahead of basicSetup's "insert blank line".
        ...(onRun ? [Prec.highest(keymap.of(["Ctrl-Enter", "Meta-Enter"].map((key) => ({ key, run: () => { onRun(); return true; }, preventDefault: true }))))] : []),
        basicSetup,
        keymap.of([indentWithTab]),
        python(),
        lintGutter(),
        errorLines,
        EditorState.tabSize.of(4),
        indentUnit.of("    "), // PEP 8
      ]
    : [proseSetup, markdown({ addKeymap: false, completeHTMLTags: false })];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        ...extensions,
        EditorView.lineWrapping,
        EditorState.readOnly.of(readOnly),
        EditorView.contentAttributes.of({ "aria-label": label || (code ? "Code editor" : "Your answer"), "aria-multiline": "true" }),
        ...(placeholder ? [placeholderText(placeholder)] : []),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });

  // errors: [{line, message}] (1-based lines); an empty list clears the marks.
  function markErrors(errors) {
    if (!code) return;
    const doc = view.state.doc;
    const valid = errors.filter((e) => Number.isInteger(e.line) && e.line >= 1 && e.line <= doc.lines);
    const diagnostics = valid.map((e) => {
      const line = doc.line(e.line);
      return { from: line.from, to: line.to, severity: "error", message: e.message || "error" };
    });
    const lines = RangeSet.of(valid.map((e) => errorLine.range(doc.line(e.line).from)), true);
    view.dispatch(setDiagnostics(view.state, diagnostics), { effects: markLines.of(lines) });
  }

  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
    markErrors,
  };
}

window.MockloopEditor = { create };
