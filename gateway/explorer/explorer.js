// PLANASMUN GraphQL explorer: plain ES2020, no dependencies, no build step.
// Runs under a strict CSP (script-src 'self'; style-src 'self'): no inline code or styles,
// no eval, and every node is built with the DOM API (schema text is never parsed as HTML).
"use strict";

(() => {
  const ENDPOINT = "/graphql";
  const EXAMPLE_QUERY = "{\n  municipalities {\n    id\n    oneCode\n    name\n    kind\n    province\n  }\n}\n";
  const HISTORY_KEY = "planasmun.explorer.history";
  const HISTORY_SIZE = 10;
  const INDENT = "  ";

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

  // ---------------------------------------------------------------- editors

  const form = $("operation-form");
  const queryInput = $("query");
  const variablesInput = $("variables");
  const operationNameInput = $("operation-name");
  const variablesError = $("variables-error");
  const statusLine = $("status");
  const responseBox = $("response");
  const resultRegion = $("result");

  /**
   * Tab inserts two spaces, but the field never traps the keyboard: Escape arms
   * "leave mode", and the next Tab (or Shift+Tab) then moves focus as usual.
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

  enableTabIndent(queryInput);
  enableTabIndent(variablesInput);

  form.addEventListener("keydown", (event) => {
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
    queryInput.value = EXAMPLE_QUERY;
    variablesInput.value = "";
    operationNameInput.value = "";
    clearVariablesError();
    saveToUrl();
    queryInput.focus();
  });

  // ------------------------------------------------------------ URL sharing

  function loadFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const query = params.get("query");
    queryInput.value = query !== null && query.trim() !== "" ? query : EXAMPLE_QUERY;
    variablesInput.value = params.get("variables") || "";
    operationNameInput.value = params.get("operationName") || "";
  }

  function saveToUrl() {
    const params = new URLSearchParams(window.location.search);
    params.set("query", queryInput.value);
    setOrDelete(params, "variables", variablesInput.value.trim());
    setOrDelete(params, "operationName", operationNameInput.value.trim());
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
  for (const input of [queryInput, variablesInput, operationNameInput]) {
    input.addEventListener("input", scheduleSave);
  }
  variablesInput.addEventListener("input", clearVariablesError);

  // ------------------------------------------------------------- variables

  function showVariablesError(message) {
    variablesError.textContent = message;
    variablesError.hidden = false;
    variablesInput.setAttribute("aria-invalid", "true");
  }

  function clearVariablesError() {
    variablesError.textContent = "";
    variablesError.hidden = true;
    variablesInput.removeAttribute("aria-invalid");
  }

  /** Returns {ok: true, value} or {ok: false, message}. */
  function parseVariables(text) {
    if (text.trim() === "") return { ok: true, value: undefined };
    let value;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return {
        ok: false,
        message:
          "Las variables no son JSON válido: " + error.message +
          ". No se envió la consulta. (Variables are not valid JSON; the query was not sent.)",
      };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return {
        ok: false,
        message:
          "Las variables deben ser un objeto JSON, por ejemplo {\"id\": \"jarabacoa\"}. " +
          "No se envió la consulta. (Variables must be a JSON object; the query was not sent.)",
      };
    }
    return { ok: true, value };
  }

  // ------------------------------------------------------------------- run

  let inFlight = null;

  async function run() {
    const parsed = parseVariables(variablesInput.value);
    if (!parsed.ok) {
      showVariablesError(parsed.message);
      variablesInput.focus();
      return;
    }
    clearVariablesError();
    const query = queryInput.value;
    if (query.trim() === "") {
      setStatus("Escriba una consulta antes de ejecutarla.", "Write a query first.", "error");
      queryInput.focus();
      return;
    }
    const operationName = operationNameInput.value.trim() || undefined;
    const body = { query };
    if (parsed.value !== undefined) body.variables = parsed.value;
    if (operationName) body.operationName = operationName;

    saveToUrl();
    addToHistory({ query, variables: variablesInput.value.trim(), operationName: operationName || "" });

    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    resultRegion.setAttribute("aria-busy", "true");
    const started = performance.now();
    try {
      const response = await fetch(ENDPOINT, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const text = await response.text();
      const elapsed = Math.round(performance.now() - started);
      showResponse(response, text, elapsed);
    } catch (error) {
      if (error && error.name === "AbortError") return;
      setStatus(
        "No se pudo conectar con el servidor: " + (error && error.message ? error.message : error),
        "Could not reach the server",
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
    statusLine.replaceChildren(bilingual(es, en));
    statusLine.classList.toggle("status-error", kind === "error");
    statusLine.classList.toggle("status-ok", kind === "ok");
  }

  // --------------------------------------------------------------- history

  const historyList = $("history-list");
  const historyEmpty = $("history-empty");
  const historyClear = $("history-clear");

  function readHistory() {
    try {
      const data = JSON.parse(window.localStorage.getItem(HISTORY_KEY) || "[]");
      return Array.isArray(data) ? data.filter((e) => e && typeof e.query === "string") : [];
    } catch (_) {
      return [];
    }
  }

  function writeHistory(entries) {
    try {
      window.localStorage.setItem(HISTORY_KEY, JSON.stringify(entries));
    } catch (_) {
      // Storage full or disabled: history is optional.
    }
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
          queryInput.value = entry.query;
          variablesInput.value = entry.variables || "";
          operationNameInput.value = entry.operationName || "";
          clearVariablesError();
          saveToUrl();
          queryInput.focus();
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
    queryInput.focus();
  });

  // ------------------------------------------------------------------ docs

  const docsStatus = $("docs-status");
  const docsRoot = $("docs-root");
  const docsType = $("docs-type");
  let typesByName = new Map();
  const docsStack = []; // [{name, trigger}]

  async function loadSchema() {
    try {
      const response = await fetch(ENDPOINT, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
        },
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
    } catch (error) {
      docsStatus.replaceChildren(
        bilingual(
          "No se pudo cargar el esquema: " + (error && error.message ? error.message : error),
          "Could not load the schema",
        ),
      );
      docsStatus.classList.add("status-error");
    }
  }

  function renderSchema(schema) {
    typesByName = new Map(schema.types.map((t) => [t.name, t]));
    const roots = [
      [schema.queryType, "Consultas", "Query"],
      [schema.mutationType, "Mutaciones", "Mutation"],
      [schema.subscriptionType, "Suscripciones", "Subscription"],
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
    const named = schema.types
      .filter((t) => !t.name.startsWith("__"))
      .sort((a, b) => a.name.localeCompare(b.name));
    children.push(
      el("h3", null, bilingual("Todos los tipos", "All types")),
      el("ul", { className: "type-index" }, ...named.map((t) => el("li", null, typeButton(t.name)))),
    );
    docsRoot.replaceChildren(...children);
  }

  function fieldList(fields) {
    return el(
      "ul",
      { className: "fields" },
      ...fields.map((field) =>
        el(
          "li",
          null,
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

  function showType(name, trigger) {
    const type = typesByName.get(name);
    if (!type) return;
    docsStack.push({ name, trigger });
    renderType(type);
  }

  function renderType(type) {
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
              null,
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
              null,
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
    docsType.hidden = false;
    heading.focus();
  }

  function goBack() {
    const current = docsStack.pop();
    const previous = docsStack[docsStack.length - 1];
    if (previous) {
      renderType(typesByName.get(previous.name));
      return;
    }
    docsType.hidden = true;
    docsType.replaceChildren();
    docsRoot.hidden = false;
    if (current && current.trigger && current.trigger.isConnected) current.trigger.focus();
    else $("docs-heading").focus();
  }

  // ------------------------------------------------------------------ start

  for (const node of document.querySelectorAll(".origin")) node.textContent = window.location.origin;
  loadFromUrl();
  renderHistory();
  $("js-required").hidden = true;
  $("app").hidden = false;
  $("docs").hidden = false;
  $("skip-docs").hidden = false;
  loadSchema();
})();
