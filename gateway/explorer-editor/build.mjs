// Builds ../explorer/editor.bundle.js from src/editor.js: one minified IIFE exposing
// `window.PlanasmunEditor`, with the licences of every bundled package in a comment at
// its end (name, version, licence and the licence text, as each package ships it).
// Usage: `npm ci && npm run build` in this directory; `node build.mjs --check` builds in
// memory and fails when the committed bundle differs (see README.md).

import { readFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "..", "explorer", "editor.bundle.js");

/**
 * CodeMirror styles itself through style-mod, which puts a <style> element in a document
 * (it keeps constructable style sheets for shadow roots). The hub's CSP (style-src 'self')
 * refuses <style> elements, so the bundle's copy of style-mod adopts a constructed
 * CSSStyleSheet on the document too (`document.adoptedStyleSheets`), which the CSP
 * allows. explorer.js keeps the plain textareas in a browser without them.
 */
const STYLE_MOD_TEST = "!root.head && root.adoptedStyleSheets && win.CSSStyleSheet";
const adoptedStyleSheets = {
  name: "style-mod-adopted-style-sheets",
  setup(build) {
    build.onLoad({ filter: /[\\/]style-mod[\\/]src[\\/]style-mod\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes(STYLE_MOD_TEST)) {
        throw new Error(`style-mod changed: "${STYLE_MOD_TEST}" not found in ${args.path}`);
      }
      return { contents: source.replace(STYLE_MOD_TEST, "root.adoptedStyleSheets && win.CSSStyleSheet") };
    });
  },
};

const result = await esbuild.build({
  plugins: [adoptedStyleSheets],
  entryPoints: [join(here, "src", "editor.js")],
  bundle: true,
  format: "iife",
  globalName: "PlanasmunEditor",
  minify: true,
  target: ["es2020"],
  // graphql-js checks `process.env.NODE_ENV` only where `process` exists.
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  charset: "utf8",
  metafile: true,
  write: false,
  logLevel: "warning",
});

/** The package directory (node_modules/<name> or node_modules/@scope/<name>) of a file. */
function packageDir(file) {
  const parts = relative(here, join(here, file)).split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return null;
  const depth = parts[at + 1].startsWith("@") ? 3 : 2;
  return join(here, ...parts.slice(0, at + depth));
}

const packages = new Map();
for (const [file, info] of Object.entries(result.metafile.outputs)) {
  void file;
  for (const input of Object.keys(info.inputs)) {
    const dir = packageDir(input);
    if (dir && !packages.has(dir)) packages.set(dir, null);
  }
}

const licences = new Map(); // licence text -> [name@version, ...]
for (const dir of [...packages.keys()].sort()) {
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
  if (!file || !existsSync(join(dir, file))) {
    throw new Error(`${meta.name} ships no licence file: add its text by hand`);
  }
  const text = readFileSync(join(dir, file), "utf8").trim().replaceAll("*/", "* /");
  const id = `${meta.name}@${meta.version} (${meta.license})`;
  licences.set(text, [...(licences.get(text) || []), id]);
}

const banner =
  "/*! PLANASMUN explorer editor: CodeMirror 6, cm6-graphql, graphql-js and their " +
  "dependencies, bundled by gateway/explorer-editor (npm run build). Licences at the end. */\n";
const trailer =
  "\n/*! Bundled packages and their licences:\n\n" +
  [...licences.entries()].map(([text, ids]) => ids.join("\n") + "\n\n" + text).join("\n\n-----\n\n") +
  "\n*/\n";

const code = result.outputFiles[0].text;
const bundle = banner + code + trailer;
if (process.argv.includes("--check")) {
  const committed = existsSync(outfile) ? readFileSync(outfile, "utf8") : "";
  if (committed !== bundle) {
    console.error(`${outfile} is not what the sources build: run \`npm run build\` here`);
    process.exit(1);
  }
  console.log(`${relative(process.cwd(), outfile)} is up to date`);
  process.exit(0);
}
writeFileSync(outfile, bundle);
const kib = (bytes) => (bytes / 1024).toFixed(1) + " KiB";
console.log(
  `${relative(process.cwd(), outfile)}: ${kib(Buffer.byteLength(banner + code + trailer))} ` +
    `(code ${kib(Buffer.byteLength(code))}), ${packages.size} packages`,
);
