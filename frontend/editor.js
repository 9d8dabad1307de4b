// The candidate's editors: CodeMirror 6 for Python code and Markdown answers.
// Built into static/js/editor.bundle.js by `npm run build`; exposes window.MockloopEditor.
import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { markdown } from "@codemirror/lang-markdown";
import { indentUnit } from "@codemirror/language";

function create(parent, { doc = "", language = "python", onChange = () => {}, readOnly = false } = {}) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        basicSetup,
        keymap.of([indentWithTab]),
        language === "markdown" ? markdown() : python(),
        EditorState.tabSize.of(4),
        indentUnit.of("    "), // PEP 8
        EditorView.lineWrapping,
        EditorState.readOnly.of(readOnly),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
  };
}

window.MockloopEditor = { create };
