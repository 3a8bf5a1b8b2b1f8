// PLANASMUN GraphQL explorer: plain ES2020, no build step for this file.
//
// The page works without JavaScript (its form GETs /graphql?query=…&run=1 and the hub
// writes the answer into the page). This script enhances it: CodeMirror 6 editors from
// /explorer/editor.bundle.js (completion and validation from the schema, JSON editors
// for the variables and the headers; built by gateway/explorer-editor), searchable
// schema documentation, history, copy as curl. Without the bundle, or by the user's
// choice, the plain textareas stay (the simple editor).
//
// Runs under a strict CSP (script-src 'self'; style-src 'self'): no inline code or styles,
// no eval, and every node is built with the DOM API (schema text is never parsed as HTML).
"use strict";

(() => {
  const ENDPOINT = "/graphql";
  const ACCEPT = "application/graphql-response+json, application/json";
  const EXAMPLE_QUERY = "{\n  municipalities {\n    id\n    oneCode\n    name\n    kind\n    province\n  }\n}\n";
  const HISTORY_KEY = "planasmun.explorer.history";
  const EDITOR_MODE_KEY = "planasmun.explorer.editor";
  const HISTORY_SIZE = 10;
  const SEARCH_LIMIT = 50;
  const INDENT = "  ";
  // The editors style themselves with constructed style sheets (the CSP refuses <style>
  // elements): a browser without them keeps the plain textareas.
  const Editors =
    window.PlanasmunEditor && "adoptedStyleSheets" in Document.prototype ? window.PlanasmunEditor : null;

  const INTROSPECTION_QUERY = `query ExplorerIntrospection {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      kind name description
      fields(includeDeprecated: true) {
        name description isDeprecated deprecationReason
        args { name description defaultValue type { ...TypeRef } }
        type { ...TypeRef }
      }
      inputFields { name description defaultValue type { ...TypeRef } }
      interfaces { ...TypeRef }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
      possibleTypes { ...TypeRef }
    }
    directives {
      name description locations
      args { name description defaultValue type { ...TypeRef } }
    }
  }
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`;

  const KIND_LABELS = {
    OBJECT: "Tipo objeto (object type)",
    INPUT_OBJECT: "Tipo de entrada (input type)",
    ENUM: "Enumeración (enum)",
    SCALAR: "Escalar (scalar)",
    INTERFACE: "Interfaz (interface)",
    UNION: "Unión (union)",
  };

  const $ = (id) => document.getElementById(id);

  /** Build an element: el("p", {className: "x"}, "text", otherNode). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (key === "lang" || key.startsWith("aria-") || key.startsWith("data-")) {
          node.setAttribute(key, value);
        } else {
          node[key] = value;
        }
      }
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  }

  /** Spanish text followed by its English translation, marked as English. */
  function bilingual(es, en) {
    const frag = document.createDocumentFragment();
    frag.append(es + " ", el("span", { lang: "en" }, "(" + en + ")"));
    return frag;
  }

  function readStorage(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (_) {
      return null; // storage disabled: every stored thing is optional
    }
  }

  function writeStorage(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (_) {
      // storage full or disabled
    }
  }

  // ---------------------------------------------------------------- editors

  const form = $("operation-form");
  const operationNameInput = $("operation-name");
  const statusLine = $("status");
  const responseBox = $("response");
  const resultRegion = $("result");
  const announcer = $("announcer");
  let schema = null; // the GraphQLSchema for completion, once introspected

  /**
   * Plain textarea behaviour (the simple editor): Tab inserts two spaces, but the field
   * never traps the keyboard: Escape arms "leave mode", and the next Tab (or Shift+Tab)
   * then moves focus as usual.
   */
  function enableTabIndent(textarea) {
    let leaveOnTab = false;
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        leaveOnTab = true;
        return;
      }
      if (event.key !== "Tab") {
        if (!["Shift", "Control", "Alt", "Meta"].includes(event.key)) leaveOnTab = false;
        return;
      }
      if (leaveOnTab || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) {
        leaveOnTab = false;
        return; // default: focus moves on
      }
      event.preventDefault();
      insertText(textarea, INDENT);
    });
    textarea.addEventListener("blur", () => {
      leaveOnTab = false;
    });
  }

  function insertText(textarea, text) {
    // execCommand keeps the browser's undo history; fall back where it is unavailable.
    let inserted = false;
    try {
      inserted = document.execCommand("insertText", false, text);
    } catch (_) {
      inserted = false;
    }
    if (!inserted) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  /**
   * One code field: its textarea (the simple editor, and the form's value without
   * JavaScript) and, when enhanced, a CodeMirror editor in its place with the same label,
   * description and content. Problems found while typing are listed under it.
   */
  function codeField(name, kind) {
    const textarea = $(name);
    const container = $(name + "-editor");
    const problems = $(name + "-problems");
    const label = $(name + "-label");
    let editor = null;
    const field = {
      name,
      textarea,
      get enhanced() {
        return editor !== null;
      },
      get value() {
        return editor ? editor.getValue() : textarea.value;
      },
      set value(text) {
        textarea.value = text;
        if (editor) editor.setValue(text);
      },
      /** The element that takes the keyboard: the textarea or CodeMirror's content. */
      get input() {
        return editor ? editor.contentElement : textarea;
      },
      focus() {
        if (editor) editor.focus();
        else textarea.focus();
      },
      enhance() {
        if (editor || !Editors) return;
        const options = {
          parent: container,
          doc: textarea.value,
          labelledBy: label.id,
          describedBy: [
            kind === "graphql" ? "completion-hint" : null,
            textarea.getAttribute("aria-describedby"),
            problems.id,
          ]
            .filter(Boolean)
            .join(" "),
          onChange: (text) => {
            textarea.value = text; // the form's value stays in the textarea
            field.changed();
          },
          onRun: () => form.requestSubmit(),
          onDiagnostics: (list) => showProblems(field, list),
        };
        if (kind === "graphql") {
          options.onShowInDocs = (typeName) => {
            if (typeName) showType(String(typeName).replace(/[[\]!]/g, ""), null);
          };
          editor = Editors.createQueryEditor(options);
          if (schema) editor.setSchema(schema);
        } else {
          editor = Editors.createJsonEditor(options);
        }
        if (textarea.hasAttribute("aria-invalid")) editor.contentElement.setAttribute("aria-invalid", "true");
        container.hidden = false;
        textarea.hidden = true;
      },
      simplify() {
        if (!editor) return;
        textarea.value = editor.getValue();
        editor.destroy();
        editor = null;
        container.replaceChildren();
        container.hidden = true;
        textarea.hidden = false;
        showProblems(field, []);
      },
      setSchema(newSchema) {
        if (editor && editor.setSchema) editor.setSchema(newSchema);
      },
      setInvalid(invalid) {
        for (const node of [textarea, editor && editor.contentElement]) {
          if (!node) continue;
          if (invalid) node.setAttribute("aria-invalid", "true");
          else node.removeAttribute("aria-invalid");
        }
        container.classList.toggle("invalid", invalid);
      },
      changed() {
        scheduleSave();
        if (field.onChange) field.onChange();
      },
      onChange: null,
    };
    enableTabIndent(textarea);
    textarea.addEventListener("input", () => field.changed());
    // The label names the editor too; a click on it goes to whichever editor is shown.
    label.addEventListener("click", (event) => {
      if (!editor) return;
      event.preventDefault();
      editor.focus();
    });
    return field;
  }

  /** List what the editor underlines, for everyone: "Línea 1, columna 3: message". */
  function showProblems(field, list) {
    const problems = $(field.name + "-problems");
    problems.replaceChildren(
      ...list.map((problem) =>
        el(
          "li",
          { className: "problem problem-" + problem.severity },
          (problem.severity === "error" ? "Error" : "Aviso") +
            " en la línea " + problem.line + ", columna " + problem.column + ": ",
          el("span", { lang: "en" }, problem.message),
        ),
      ),
    );
    problems.hidden = list.length === 0;
  }

  const queryField = codeField("query", "graphql");
  const variablesField = codeField("variables", "json");
  const headersField = codeField("headers", "json");
  const codeFields = [queryField, variablesField, headersField];
  variablesField.onChange = () => clearFieldError(variablesField);
  headersField.onChange = () => clearFieldError(headersField);

  // -------------------------------------------------- simple or enhanced editor

  const modeButton = $("editor-mode");

  function setMode(enhanced, remember) {
    for (const field of codeFields) {
      if (enhanced) field.enhance();
      else field.simplify();
    }
    const active = queryField.enhanced;
    form.classList.toggle("simple-mode", !active);
    $("completion-hint").hidden = !active;
    modeButton.replaceChildren(
      active
        ? bilingual("Usar el editor sencillo", "Use the plain text editor")
        : bilingual("Usar el editor con sugerencias", "Use the editor with completion"),
    );
    if (remember) writeStorage(EDITOR_MODE_KEY, active ? "enhanced" : "simple");
  }

  modeButton.addEventListener("click", () => {
    setMode(!queryField.enhanced, true);
    announce(
      queryField.enhanced
        ? bilingual("Editor con sugerencias activado.", "Editor with completion on.")
        : bilingual("Editor sencillo activado.", "Plain text editor on."),
    );
  });

  // ------------------------------------------------------------- the form

  form.addEventListener("keydown", (event) => {
    // CodeMirror handles Ctrl+Enter itself (and marks the event as handled).
    if (event.defaultPrevented) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  $("reset-example").addEventListener("click", () => {
    queryField.value = EXAMPLE_QUERY;
    variablesField.value = "";
    operationNameInput.value = "";
    clearFieldError(variablesField);
    saveToUrl();
    queryField.focus();
  });

  operationNameInput.addEventListener("input", scheduleSave);

  // ------------------------------------------------------------ URL sharing

  function loadFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const query = params.get("query");
    if (query !== null && query.trim() !== "") queryField.value = query;
    else if (queryField.value.trim() === "") queryField.value = EXAMPLE_QUERY;
    variablesField.value = params.get("variables") || "";
    operationNameInput.value = params.get("operationName") || "";
  }

  function saveToUrl() {
    const params = new URLSearchParams(window.location.search);
    params.set("query", queryField.value);
    setOrDelete(params, "variables", variablesField.value.trim());
    setOrDelete(params, "operationName", operationNameInput.value.trim());
    params.delete("run"); // the no-JavaScript form's marker: reloading must not run again
    const url = window.location.pathname + "?" + params.toString() + window.location.hash;
    window.history.replaceState(null, "", url);
  }

  function setOrDelete(params, key, value) {
    if (value) params.set(key, value);
    else params.delete(key);
  }

  let saveTimer = 0;
  function scheduleSave() {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(saveToUrl, 300);
  }

  // ------------------------------------------------- variables and headers

  function showFieldError(field, message) {
    const error = $(field.name + "-error");
    error.textContent = message;
    error.hidden = false;
    field.setInvalid(true);
  }

  function clearFieldError(field) {
    const error = $(field.name + "-error");
    if (error.hidden) return;
    error.textContent = "";
    error.hidden = true;
    field.setInvalid(false);
  }

  /** Returns {ok: true, value} or {ok: false, message}; "" is {ok: true, value: undefined}. */
  function parseJsonObject(text, what, example) {
    if (text.trim() === "") return { ok: true, value: undefined };
    let value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return {
        ok: false,
        message:
          what.es + " no son JSON válido: " + error.message +
          ". No se envió la consulta. (" + what.en + " are not valid JSON; the query was not sent.)",
      };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return {
        ok: false,
        message:
          what.es + " deben ser un objeto JSON, por ejemplo " + example + ". " +
          "No se envió la consulta. (" + what.en + " must be a JSON object; the query was not sent.)",
      };
    }
    return { ok: true, value };
  }

  const VARIABLES = { es: "Las variables", en: "Variables" };
  const HEADERS = { es: "Las cabeceras", en: "Headers" };
  const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

  /** The headers as [name, value] pairs, or {ok: false, message}. */
  function parseHeaders(text) {
    const parsed = parseJsonObject(text, HEADERS, '{"X-API-Key": "…"}');
    if (!parsed.ok) return parsed;
    const pairs = [];
    for (const [name, value] of Object.entries(parsed.value || {})) {
      if (!HEADER_NAME.test(name)) {
        return {
          ok: false,
          message:
            "«" + name + "» no es un nombre de cabecera HTTP válido. No se envió la consulta. " +
            "(Not a valid HTTP header name; the query was not sent.)",
        };
      }
      if (!["string", "number", "boolean"].includes(typeof value) || /[\r\n]/.test(String(value))) {
        return {
          ok: false,
          message:
            "El valor de la cabecera «" + name + "» debe ser un texto de una línea. " +
            "No se envió la consulta. (A header value must be one line of text; the query was not sent.)",
        };
      }
      pairs.push([name, String(value)]);
    }
    return { ok: true, value: pairs };
  }

  /**
   * What a run sends, from the form: {ok: true, body, headers: [[name, value]…]}, or
   * {ok: false} after showing the problem at its field and moving focus there.
   */
  function buildRequest() {
    const variables = parseJsonObject(variablesField.value, VARIABLES, '{"id": "jarabacoa"}');
    if (!variables.ok) {
      showFieldError(variablesField, variables.message);
      variablesField.focus();
      return { ok: false };
    }
    clearFieldError(variablesField);
    const headers = parseHeaders(headersField.value);
    if (!headers.ok) {
      showFieldError(headersField, headers.message);
      headersField.focus();
      return { ok: false };
    }
    clearFieldError(headersField);
    const query = queryField.value;
    if (query.trim() === "") {
      setStatus("Escriba una consulta antes de ejecutarla.", "Write a query first.", "error");
      queryField.focus();
      return { ok: false };
    }
    const body = { query };
    if (variables.value !== undefined) body.variables = variables.value;
    const operationName = operationNameInput.value.trim();
    if (operationName) body.operationName = operationName;
    // The user's headers replace the defaults of the same name (any letter case).
    const merged = new Map([
      ["content-type", ["Content-Type", "application/json"]],
      ["accept", ["Accept", ACCEPT]],
    ]);
    for (const [name, value] of headers.value) merged.set(name.toLowerCase(), [name, value]);
    return { ok: true, body, headers: [...merged.values()] };
  }

  // ------------------------------------------------------------------- run

  let inFlight = null;

  async function run() {
    const request = buildRequest();
    if (!request.ok) return;
    const { body } = request;
    saveToUrl();
    addToHistory({
      query: body.query,
      variables: variablesField.value.trim(),
      operationName: body.operationName || "",
    });

    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    resultRegion.setAttribute("aria-busy", "true");
    const started = performance.now();
    try {
      const headers = new Headers();
      for (const [name, value] of request.headers) headers.set(name, value);
      const response = await fetch(ENDPOINT, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const text = await response.text();
      const elapsed = Math.round(performance.now() - started);
      showResponse(response, text, elapsed);
    } catch (error) {
      if (error && error.name === "AbortError") return;
      setStatus(
        "No se pudo enviar la consulta: " + (error && error.message ? error.message : error),
        "Could not send the query",
        "error",
      );
      responseBox.hidden = true;
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        resultRegion.removeAttribute("aria-busy");
      }
    }
  }

  function showResponse(response, text, elapsed) {
    let pretty = text;
    let errorCount = 0;
    try {
      const json = JSON.parse(text);
      pretty = JSON.stringify(json, null, 2);
      if (json && Array.isArray(json.errors)) errorCount = json.errors.length;
    } catch (_) {
      // Not JSON: show the body as it came.
    }
    const statusText = response.statusText ? " " + response.statusText : "";
    let es = "HTTP " + response.status + statusText + " · " + elapsed + " ms";
    let en = "status " + response.status + ", " + elapsed + " ms";
    if (errorCount > 0) {
      es += " · " + errorCount + (errorCount === 1 ? " error" : " errores");
      en += ", " + errorCount + (errorCount === 1 ? " error" : " errors");
    }
    setStatus(es, en, response.ok && errorCount === 0 ? "ok" : "error");
    responseBox.textContent = pretty;
    responseBox.hidden = false;
  }

  function setStatus(es, en, kind) {
    for (const node of document.querySelectorAll(".server-outcome")) node.hidden = true;
    statusLine.hidden = false;
    statusLine.replaceChildren(bilingual(es, en));
    statusLine.classList.toggle("status-error", kind === "error");
    statusLine.classList.toggle("status-ok", kind === "ok");
  }

  /** Say something in the polite status region (copy as curl, editor mode). */
  let announceTimer = 0;
  function announce(content, kind) {
    announcer.replaceChildren();
    announcer.classList.toggle("status-error", kind === "error");
    window.clearTimeout(announceTimer);
    // Emptied first and filled a moment later, so that the same words are read again.
    announceTimer = window.setTimeout(() => announcer.replaceChildren(content), 50);
  }

  // ---------------------------------------------------------- copy as curl

  const curlBox = $("curl-box");
  const curlOutput = $("curl-command");

  /** A POSIX shell word: single-quoted, with each ' written as '\''. */
  function shellQuote(text) {
    return "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function curlCommand(request) {
    const url = new URL(ENDPOINT, window.location.href).href;
    const parts = ["curl -X POST " + shellQuote(url)];
    for (const [name, value] of request.headers) parts.push("-H " + shellQuote(name + ": " + value));
    parts.push("--data-raw " + shellQuote(JSON.stringify(request.body)));
    return parts.join(" \\\n  ");
  }

  async function copyAsCurl() {
    const request = buildRequest();
    if (!request.ok) {
      announce(
        bilingual("No se copió nada: corrija el campo señalado.", "Nothing copied: fix the field shown."),
        "error",
      );
      return;
    }
    const command = curlCommand(request);
    curlOutput.value = command;
    curlBox.hidden = false;
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(command);
        copied = true;
      } catch (_) {
        copied = false;
      }
    }
    if (!copied) {
      // No clipboard API here (plain http on another host): select the text and copy it.
      curlOutput.focus();
      curlOutput.select();
      try {
        copied = document.execCommand("copy");
      } catch (_) {
        copied = false;
      }
    }
    if (copied) {
      announce(bilingual("Comando curl copiado al portapapeles.", "curl command copied to the clipboard."));
    } else {
      announce(
        bilingual(
          "No se pudo copiar: el comando está seleccionado en «Comando curl»; cópielo con Ctrl+C.",
          "Could not copy: the command is selected in the curl command field; copy it with Ctrl+C.",
        ),
        "error",
      );
    }
  }

  $("copy-curl").addEventListener("click", copyAsCurl);

  // --------------------------------------------------------------- history

  const historyList = $("history-list");
  const historyEmpty = $("history-empty");
  const historyClear = $("history-clear");

  function readHistory() {
    try {
      const data = JSON.parse(readStorage(HISTORY_KEY) || "[]");
      return Array.isArray(data) ? data.filter((e) => e && typeof e.query === "string") : [];
    } catch (_) {
      return [];
    }
  }

  function writeHistory(entries) {
    writeStorage(HISTORY_KEY, JSON.stringify(entries));
  }

  function addToHistory(entry) {
    const same = (e) =>
      e.query === entry.query && e.variables === entry.variables && e.operationName === entry.operationName;
    const entries = [entry, ...readHistory().filter((e) => !same(e))].slice(0, HISTORY_SIZE);
    writeHistory(entries);
    renderHistory();
  }

  function renderHistory() {
    const entries = readHistory();
    historyList.replaceChildren(
      ...entries.map((entry) => {
        const summary = entry.query.replace(/\s+/g, " ").trim();
        const short = summary.length > 70 ? summary.slice(0, 69) + "…" : summary;
        const button = el("button", { type: "button", className: "history-item" }, short);
        button.addEventListener("click", () => {
          queryField.value = entry.query;
          variablesField.value = entry.variables || "";
          operationNameInput.value = entry.operationName || "";
          clearFieldError(variablesField);
          saveToUrl();
          queryField.focus();
          announce(bilingual("Consulta del historial restaurada.", "Query restored from the history."));
        });
        return el("li", null, button);
      }),
    );
    historyList.hidden = entries.length === 0;
    historyClear.hidden = entries.length === 0;
    historyEmpty.hidden = entries.length !== 0;
  }

  historyClear.addEventListener("click", () => {
    writeHistory([]);
    renderHistory();
    queryField.focus();
  });

  // ------------------------------------------------------------------ docs

  const docsStatus = $("docs-status");
  const docsRoot = $("docs-root");
  const docsType = $("docs-type");
  const searchInput = $("docs-search");
  const searchResults = $("docs-search-results");
  const searchCount = $("docs-search-count");
  let typesByName = new Map();
  const docsStack = []; // [{name, trigger, field}]

  async function loadSchema() {
    try {
      const response = await fetch(ENDPOINT, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT },
        body: JSON.stringify({ query: INTROSPECTION_QUERY, operationName: "ExplorerIntrospection" }),
      });
      const json = await response.json();
      if (!json || !json.data || !json.data.__schema) {
        const message = json && json.errors && json.errors[0] ? json.errors[0].message : "HTTP " + response.status;
        throw new Error(message);
      }
      renderSchema(json.data.__schema);
      docsStatus.replaceChildren();
      docsStatus.hidden = true;
      if (Editors) {
        schema = Editors.buildSchema(json.data.__schema);
        queryField.setSchema(schema);
      }
    } catch (error) {
      docsStatus.hidden = false;
      docsStatus.replaceChildren(
        bilingual(
          "No se pudo cargar el esquema: " + (error && error.message ? error.message : error),
          "Could not load the schema",
        ),
      );
      docsStatus.classList.add("status-error");
    }
  }

  function renderSchema(introspected) {
    typesByName = new Map(introspected.types.map((t) => [t.name, t]));
    const roots = [
      [introspected.queryType, "Consultas", "Query"],
      [introspected.mutationType, "Mutaciones", "Mutation"],
      [introspected.subscriptionType, "Suscripciones", "Subscription"],
    ];
    const children = [];
    for (const [ref, es, en] of roots) {
      if (!ref) continue;
      const type = typesByName.get(ref.name);
      if (!type) continue;
      children.push(
        el("h3", null, bilingual(es, en)),
        type.description ? el("p", { className: "description" }, type.description) : null,
        fieldList(type.fields || []),
      );
    }
    children.push(
      el("h3", null, bilingual("Todos los tipos", "All types")),
      el("ul", { className: "type-index" }, ...namedTypes().map((t) => el("li", null, typeButton(t.name)))),
    );
    docsRoot.replaceChildren(...children);
    searchInput.disabled = false;
    if (searchInput.value.trim() !== "") search();
  }

  function namedTypes() {
    return [...typesByName.values()]
      .filter((t) => !t.name.startsWith("__"))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  function fieldList(fields) {
    return el(
      "ul",
      { className: "fields" },
      ...fields.map((field) =>
        el(
          "li",
          { "data-field": field.name },
          el(
            "code",
            { className: "signature" },
            el("span", { className: "field-name" }, field.name),
            argList(field.args || []),
            ": ",
            typeRef(field.type),
          ),
          field.description ? el("p", { className: "description" }, field.description) : null,
          field.isDeprecated ? deprecation(field.deprecationReason) : null,
          (field.args || []).some((a) => a.description) ? argDescriptions(field.args) : null,
        ),
      ),
    );
  }

  function argList(args) {
    if (args.length === 0) return null;
    const frag = document.createDocumentFragment();
    frag.append("(");
    args.forEach((arg, index) => {
      if (index > 0) frag.append(", ");
      frag.append(el("span", { className: "arg-name" }, arg.name), ": ", typeRef(arg.type));
      if (arg.defaultValue !== null && arg.defaultValue !== undefined) frag.append(" = " + arg.defaultValue);
    });
    frag.append(")");
    return frag;
  }

  function argDescriptions(args) {
    return el(
      "ul",
      { className: "arg-descriptions" },
      ...args
        .filter((a) => a.description)
        .map((a) => el("li", null, el("code", null, a.name), ": " + a.description)),
    );
  }

  function deprecation(reason) {
    return el(
      "p",
      { className: "deprecated" },
      bilingual("Obsoleto" + (reason ? ": " + reason : ""), "deprecated"),
    );
  }

  /** Render a type reference such as [Municipality!]! with the named type clickable. */
  function typeRef(ref) {
    if (ref.kind === "NON_NULL") {
      const frag = document.createDocumentFragment();
      frag.append(typeRef(ref.ofType), "!");
      return frag;
    }
    if (ref.kind === "LIST") {
      const frag = document.createDocumentFragment();
      frag.append("[", typeRef(ref.ofType), "]");
      return frag;
    }
    return typeButton(ref.name);
  }

  function typeButton(name) {
    const button = el("button", { type: "button", className: "type-link" }, name);
    button.addEventListener("click", () => showType(name, button));
    return button;
  }

  /** Open a type's page; with `field`, focus that field's entry instead of the heading. */
  function showType(name, trigger, field) {
    const type = typesByName.get(name);
    if (!type) return;
    docsStack.push({ name, trigger, field });
    renderType(type, field);
  }

  function renderType(type, focusField) {
    const back = el("button", { type: "button", className: "back" }, bilingual("← Volver", "Back"));
    back.addEventListener("click", goBack);
    const heading = el("h3", { id: "docs-type-heading", tabIndex: -1 }, type.name);
    const parts = [
      back,
      heading,
      el("p", { className: "kind" }, KIND_LABELS[type.kind] || type.kind),
      type.description ? el("p", { className: "description" }, type.description) : null,
    ];
    if (type.interfaces && type.interfaces.length) {
      parts.push(
        el("h4", null, bilingual("Implementa", "Implements")),
        el("ul", { className: "type-index" }, ...type.interfaces.map((i) => el("li", null, typeRef(i)))),
      );
    }
    if (type.fields && type.fields.length) {
      parts.push(el("h4", null, bilingual("Campos", "Fields")), fieldList(type.fields));
    }
    if (type.inputFields && type.inputFields.length) {
      parts.push(
        el("h4", null, bilingual("Campos de entrada", "Input fields")),
        el(
          "ul",
          { className: "fields" },
          ...type.inputFields.map((f) =>
            el(
              "li",
              { "data-field": f.name },
              el(
                "code",
                { className: "signature" },
                el("span", { className: "field-name" }, f.name),
                ": ",
                typeRef(f.type),
                f.defaultValue !== null && f.defaultValue !== undefined ? " = " + f.defaultValue : null,
              ),
              f.description ? el("p", { className: "description" }, f.description) : null,
            ),
          ),
        ),
      );
    }
    if (type.enumValues && type.enumValues.length) {
      parts.push(
        el("h4", null, bilingual("Valores", "Enum values")),
        el(
          "ul",
          { className: "fields" },
          ...type.enumValues.map((v) =>
            el(
              "li",
              { "data-field": v.name },
              el("code", { className: "signature" }, el("span", { className: "field-name" }, v.name)),
              v.description ? el("p", { className: "description" }, v.description) : null,
              v.isDeprecated ? deprecation(v.deprecationReason) : null,
            ),
          ),
        ),
      );
    }
    if (type.possibleTypes && type.possibleTypes.length) {
      parts.push(
        el("h4", null, bilingual("Tipos posibles", "Possible types")),
        el("ul", { className: "type-index" }, ...type.possibleTypes.map((p) => el("li", null, typeRef(p)))),
      );
    }
    docsType.replaceChildren(...parts);
    docsRoot.hidden = true;
    searchResults.hidden = true;
    docsType.hidden = false;
    const target = focusField
      ? [...docsType.querySelectorAll("li[data-field]")].find((li) => li.dataset.field === focusField)
      : null;
    if (target) {
      target.tabIndex = -1;
      target.classList.add("found");
      target.focus();
    } else {
      heading.focus();
    }
  }

  function goBack() {
    const current = docsStack.pop();
    const previous = docsStack[docsStack.length - 1];
    if (previous) {
      renderType(typesByName.get(previous.name), previous.field);
      return;
    }
    docsType.hidden = true;
    docsType.replaceChildren();
    showDocsHome();
    if (current && current.trigger && current.trigger.isConnected) current.trigger.focus();
    else $("docs-heading").focus();
  }

  /** The docs' first page: the search results while there is a search, else the root. */
  function showDocsHome() {
    const searching = searchInput.value.trim() !== "";
    searchResults.hidden = !searching;
    docsRoot.hidden = searching;
  }

  // ----------------------------------------------------------- docs search

  /** Lower case without accents, so that "municipio" finds "Municipío" and back. */
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function searchEntries() {
    const entries = [];
    for (const type of namedTypes()) {
      entries.push({ type, field: null, name: type.name, description: type.description });
      for (const field of [...(type.fields || []), ...(type.inputFields || []), ...(type.enumValues || [])]) {
        entries.push({ type, field, name: field.name, description: field.description });
      }
    }
    return entries;
  }

  function search() {
    const words = fold(searchInput.value).split(/\s+/).filter(Boolean);
    // A new search starts from the docs' first page.
    docsStack.length = 0;
    docsType.hidden = true;
    docsType.replaceChildren();
    if (words.length === 0) {
      searchResults.replaceChildren();
      searchCount.replaceChildren();
      showDocsHome();
      return;
    }
    const scored = [];
    for (const entry of searchEntries()) {
      const name = fold(entry.name);
      const full = fold(entry.field ? entry.type.name + "." + entry.name : entry.name);
      const description = fold(entry.description);
      let score = 0;
      for (const word of words) {
        if (name === word) score += 4;
        else if (name.startsWith(word)) score += 3;
        else if (full.includes(word)) score += 2;
        else if (description.includes(word)) score += 1;
        else {
          score = 0;
          break;
        }
      }
      if (score > 0) scored.push([score, entry]);
    }
    scored.sort((a, b) => b[0] - a[0] || fold(label(a[1])).localeCompare(fold(label(b[1]))));
    const shown = scored.slice(0, SEARCH_LIMIT);
    searchResults.replaceChildren(
      ...shown.map(([, entry]) => {
        const button = el("button", { type: "button", className: "type-link" }, label(entry));
        button.addEventListener("click", () =>
          showType(entry.type.name, button, entry.field ? entry.field.name : undefined),
        );
        const kind = entry.field
          ? entry.type.kind === "ENUM"
            ? "valor de " + entry.type.name
            : "campo de " + entry.type.name
          : (KIND_LABELS[entry.type.kind] || entry.type.kind).replace(/ \(.*\)$/, "");
        return el(
          "li",
          null,
          button,
          el("span", { className: "kind" }, " — " + kind),
          entry.description ? el("p", { className: "description" }, entry.description) : null,
        );
      }),
    );
    const count = scored.length;
    searchCount.replaceChildren(
      count === 0
        ? bilingual("Ningún tipo ni campo coincide.", "No type or field matches.")
        : bilingual(
            (count === 1 ? "1 resultado" : count + " resultados") +
              (count > shown.length ? ", se muestran los " + shown.length + " primeros" : "") + ".",
            count === 1 ? "1 result" : count + " results",
          ),
    );
    showDocsHome();
  }

  function label(entry) {
    return entry.field ? entry.type.name + "." + entry.name : entry.name;
  }

  let searchTimer = 0;
  searchInput.addEventListener("input", () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(search, 150);
  });
  searchInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      window.clearTimeout(searchTimer);
      search();
    }
  });

  // ------------------------------------------------------------------ start

  for (const node of document.querySelectorAll(".origin")) node.textContent = window.location.origin;
  loadFromUrl();
  // The editing hint (Tab, Esc then Tab, Ctrl+Enter) describes every code field.
  queryField.textarea.setAttribute("aria-describedby", "editor-hint");
  for (const field of [variablesField, headersField]) {
    field.textarea.setAttribute("aria-describedby", field.textarea.getAttribute("aria-describedby") + " editor-hint");
  }
  if (Editors) {
    let enhanced = false;
    try {
      setMode(readStorage(EDITOR_MODE_KEY) !== "simple", false);
      enhanced = true;
    } catch (_) {
      setMode(false, false); // the bundle does not run in this browser: the plain textareas
    }
    modeButton.hidden = !enhanced;
  } else {
    form.classList.add("simple-mode");
  }
  renderHistory();
  searchInput.disabled = true;
  $("js-required").hidden = true;
  for (const id of ["editor-hint", "headers-field", "copy-curl", "reset-example", "history", "docs", "skip-docs"]) {
    $(id).hidden = false;
  }
  loadSchema();
})();
