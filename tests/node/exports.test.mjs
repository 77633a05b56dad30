// Every entry point of the built package (pkg/) exports the same names, and the
// types declare exactly those: an export added on the Rust side (it appears in
// the generated glue) or in one entry only fails here until every entry and
// both declaration files have it. Run after `scripts/build-pkg.sh`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const pkg = new URL("../../pkg/", import.meta.url);
const require = createRequire(import.meta.url);
const sorted = (names) => [...names].sort();
/** Names an entry exports at run time (`__`-prefixed glue internals excluded). */
const namesOf = (module) => sorted(Object.keys(module).filter((k) => k !== "default" && !k.startsWith("__")));

/** browser.mjs in Node: its `fetch` of the .wasm URL answered from disk. */
async function importBrowserEntry() {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) =>
    new Response(readFileSync(fileURLToPath(url)), { headers: { "content-type": "application/wasm" } });
  try {
    return await import(new URL("browser.mjs", pkg));
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** Value exports (functions, classes) and class members declared by a types entry. */
function declared(file) {
  const program = ts.createProgram([fileURLToPath(new URL(file, pkg))], {
    module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022,
    types: [], noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(fileURLToPath(new URL(file, pkg)));
  const values = [];
  const classes = {};
  const properties = {};
  for (let symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
    const name = symbol.getName();
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (!(symbol.flags & ts.SymbolFlags.Value)) continue;
    values.push(name);
    const decls = (symbol.declarations ?? []).filter(ts.isClassDeclaration);
    if (decls.length) {
      classes[name] = sorted(decls.flatMap((d) => d.members)
        .filter((m) => m.name && !ts.isComputedPropertyName(m.name) && ts.isMethodDeclaration(m))
        .filter((m) => !m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword))
        .map((m) => m.name.getText()));
      properties[name] = decls.flatMap((d) => d.members)
        .filter((m) => m.name && ts.isPropertyDeclaration(m))
        .map((m) => m.name.getText());
    }
  }
  return { values: sorted(values), classes, properties };
}

test("index.cjs, index.mjs, node.mjs and browser.mjs export the same names, and every export of the glue", async () => {
  // The glue's exports, plus the IdvError class the entries get from the
  // internal `__idvErrorClass()` (the class lives in a JS snippet, crates/wasm/src/idv_error.js).
  const glue = sorted([...namesOf(require("../../pkg/idv_sessions.cjs")), "IdvError"]);
  const cjs = namesOf(require("../../pkg/index.cjs"));
  assert.deepEqual(cjs, glue, "index.cjs: one line per export of the generated glue");
  assert.deepEqual(namesOf(await import(new URL("index.mjs", pkg))), cjs, "index.mjs differs from index.cjs");
  assert.deepEqual(namesOf(await import(new URL("node.mjs", pkg))), cjs, "node.mjs differs from index.cjs");
  assert.deepEqual(namesOf(await importBrowserEntry()), cjs, "browser.mjs differs from index.cjs");
});

test("index.d.ts and index.d.mts declare exactly the run-time exports, classes with their methods", () => {
  // (Class fields, such as IdvError's `code`, are instance properties, not methods.)
  const runtime = require("../../pkg/index.cjs");
  for (const file of ["index.d.ts", "index.d.mts"]) {
    const { values, classes, properties } = declared(file);
    assert.deepEqual(values, namesOf(runtime), `${file}: declared values differ from the exports`);
    assert.ok(Object.keys(classes).length > 0, `${file}: no class found`);
    for (const [name, members] of Object.entries(classes)) {
      const proto = runtime[name].prototype;
      const own = Object.getOwnPropertyNames(proto).filter((m) => m !== "constructor" && !m.startsWith("__"));
      const methods = own.filter((m) => typeof Object.getOwnPropertyDescriptor(proto, m).value === "function");
      assert.deepEqual(members, sorted(methods), `${file}: class ${name} declares other methods than it has`);
      // Getters on the prototype (a stream's badRows) are declared as properties.
      for (const getter of own.filter((m) => Object.getOwnPropertyDescriptor(proto, m).get)) {
        assert.ok(properties[name].includes(getter), `${file}: ${name}.${getter} is not declared`);
      }
    }
  }
});
