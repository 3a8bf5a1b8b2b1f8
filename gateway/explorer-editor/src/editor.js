// The explorer's code editors: CodeMirror 6 with cm6-graphql (completion, highlighting and
// validation from the hub's introspected schema) and @codemirror/lang-json (variables,
// headers). `npm run build` bundles this file into gateway/explorer/editor.bundle.js,
// which defines `window.PlanasmunEditor`; gateway/explorer/explorer.js upgrades its
// textareas with it when it is present and keeps them when it is not.
//
// Under the hub's strict CSP: CodeMirror styles itself through constructable style sheets
// (`adoptedStyleSheets`) and CSSOM properties, never with <style> elements or style
// attributes in markup; nothing here evaluates code.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { HighlightStyle, bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { linter, lintKeymap } from "@codemirror/lint";
import { EditorState, Prec } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import {
  completion as graphqlCompletion,
  getSchema,
  graphqlLanguageSupport,
  jump as graphqlJump,
  schemaStateField,
  stateExtensions as graphqlState,
  updateSchema,
} from "cm6-graphql";
import { buildClientSchema } from "graphql";
import { getDiagnostics } from "graphql-language-service";

/** CodeMirror's own words (the completion list, the diagnostics panel), in Spanish. */
const SPANISH_PHRASES = {
  Completions: "Sugerencias",
  Diagnostics: "Problemas",
  "No diagnostics": "Sin problemas",
  close: "cerrar",
  "Control character": "Carácter de control",
  "Selection deleted": "Selección borrada",
  "folded code": "código plegado",
  unfold: "desplegar",
  to: "a",
};

/** Every colour has at least 4.5:1 contrast on the editor's white background. */
const HIGHLIGHT = HighlightStyle.define([
  { tag: tags.keyword, color: "#6a1b9a" },
  { tag: [tags.definition(tags.variableName), tags.variableName], color: "#8a3b00" },
  { tag: [tags.propertyName, tags.attributeName], color: "#0a4b8c" },
  { tag: [tags.typeName, tags.className], color: "#1b5e20" },
  { tag: [tags.string, tags.special(tags.string)], color: "#a4001d" },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: "#005a70" },
  { tag: tags.comment, color: "#595959", fontStyle: "italic" },
  { tag: tags.invalid, color: "#a4001d", textDecoration: "underline" },
]);

function baseExtensions(options) {
  const attributes = {};
  if (options.labelledBy) attributes["aria-labelledby"] = options.labelledBy;
  if (options.describedBy) attributes["aria-describedby"] = options.describedBy;
  const runKeys = options.onRun
    ? [
        {
          key: "Mod-Enter",
          run: () => {
            options.onRun();
            return true;
          },
        },
      ]
    : [];
  return [
    EditorState.phrases.of(SPANISH_PHRASES),
    EditorView.contentAttributes.of(attributes),
    EditorView.lineWrapping,
    indentUnit.of("  "),
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    syntaxHighlighting(HIGHLIGHT),
    Prec.highest(keymap.of(runKeys)),
    keymap.of([
      ...closeBracketsKeymap,
      ...completionKeymap,
      ...lintKeymap,
      ...historyKeymap,
      ...defaultKeymap,
      // Tab indents. CodeMirror's tab-focus mode keeps the keyboard free: Esc then Tab
      // (within two seconds) moves focus on, and Ctrl+M makes Tab always move focus.
      indentWithTab,
    ]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && options.onChange) options.onChange(update.state.doc.toString());
    }),
  ];
}

/** What explorer.js holds: the view and the few operations it needs. */
function handle(view) {
  return {
    view,
    contentElement: view.contentDOM,
    getValue: () => view.state.doc.toString(),
    setValue(text) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: text },
        selection: { anchor: text.length },
      });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}

/** A diagnostic as the page lists it: 1-based line and column, severity, message. */
function located(doc, diagnostic) {
  const line = doc.lineAt(diagnostic.from);
  return {
    line: line.number,
    column: diagnostic.from - line.from + 1,
    severity: diagnostic.severity,
    message: diagnostic.message,
  };
}

/** The message as a node marked English (graphql-js and JSON.parse speak English). */
function englishMessage(message) {
  return () => {
    const node = document.createElement("span");
    node.lang = "en";
    node.textContent = message;
    return node;
  };
}

const SEVERITIES = ["error", "warning", "info", "hint"];

/** Validation against the schema (graphql-language-service), also reported to the page. */
function graphqlLinter(options) {
  return linter(
    (view) => {
      const doc = view.state.doc;
      const schema = getSchema(view.state);
      const text = doc.toString();
      let found = [];
      if (schema && text.trim() !== "") {
        found = getDiagnostics(text, schema)
          .filter((item) => item.severity)
          .map((item) => {
            const offset = (position) => {
              const line = doc.line(Math.min(position.line + 1, doc.lines));
              return Math.min(line.from + position.character, line.to);
            };
            const from = offset(item.range.start);
            let to = offset(item.range.end);
            if (to <= from) to = Math.min(from + 1, doc.length);
            return {
              from,
              to,
              severity: SEVERITIES[item.severity - 1] || "error",
              message: item.message,
              renderMessage: englishMessage(item.message),
            };
          });
      }
      if (options.onDiagnostics) options.onDiagnostics(found.map((d) => located(doc, d)));
      return found;
    },
    {
      delay: 250,
      // A new schema (setSchema) validates the same text again.
      needsRefresh: (update) =>
        update.startState.field(schemaStateField) !== update.state.field(schemaStateField),
    },
  );
}

/**
 * The GraphQL editor. options: parent, doc, labelledBy, describedBy, onChange(text),
 * onRun(), onDiagnostics([{line, column, severity, message}]), onShowInDocs(type, field).
 * Completion and validation start once setSchema() has been given the schema.
 */
export function createQueryEditor(options) {
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        baseExtensions(options),
        graphqlLanguageSupport(),
        graphqlCompletion,
        graphqlJump,
        graphqlState(undefined, {
          onShowInDocs: options.onShowInDocs
            ? (field, type, parentType) => options.onShowInDocs(type || parentType, field)
            : undefined,
        }),
        autocompletion({ icons: false }),
        graphqlLinter(options),
      ],
    }),
  });
  const editor = handle(view);
  editor.setSchema = (schema) => updateSchema(view, schema);
  return editor;
}

/** A JSON editor (variables, headers): syntax errors inline, and reported to the page. */
export function createJsonEditor(options) {
  const parse = jsonParseLinter();
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.doc || "",
      extensions: [
        baseExtensions(options),
        json(),
        linter(
          (editorView) => {
            const doc = editorView.state.doc;
            const found = doc.toString().trim() === "" ? [] : parse(editorView);
            for (const d of found) d.renderMessage = englishMessage(d.message);
            if (options.onDiagnostics) options.onDiagnostics(found.map((d) => located(doc, d)));
            return found;
          },
          { delay: 250 },
        ),
      ],
    }),
  });
  return handle(view);
}

/** A GraphQLSchema from the `__schema` object of an introspection result. */
export function buildSchema(introspection) {
  return buildClientSchema({ __schema: introspection });
}
