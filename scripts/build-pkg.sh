#!/usr/bin/env bash
# Builds the npm package into pkg/: one release wasm build, bound twice by
# wasm-bindgen (Node CommonJS glue and ES-module glue), which must produce the
# same .wasm; that one .wasm, shrunk once with wasm-opt -Oz (npm binaryen, see
# TOOLCHAIN.md), sits beside both glues in pkg/ and serves every entry point.
#
#   bash scripts/build-pkg.sh                                  # cargo build, then bind
#   IDV_WASM=/path/to/idv_sessions_wasm.wasm bash scripts/build-pkg.sh  # bind an already built
#       raw wasm (cargo build --release --target wasm32-unknown-unknown -p idv-sessions-wasm), no cargo
#
# pkg/ after it (see README, Building): hand-written entries index.cjs, index.mjs,
# node.mjs, browser.entry.mjs (the source of browser.mjs), index.d.ts, index.d.mts,
# wasm.d.ts (the types of ./wasm)
# and package.json; generated browser.mjs (browser.entry.mjs, the ES-module glue
# and its snippets bundled by esbuild into one module),
# idv_sessions.cjs (wasm-bindgen --target nodejs), idv_sessions.mjs (--target web),
# idv_sessions.d.ts, idv_sessions_bg.wasm, snippets/ (the JS modules the wasm imports); copied README.md, LICENSE-MIT, LICENSE-APACHE.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${IDV_WASM:-}" ]; then
  wasm=$IDV_WASM
  [ -f "$wasm" ] || { echo "IDV_WASM=$wasm: no such file" >&2; exit 1; }
else
  # The binding crate (crates/wasm), which links the core.
  cargo build --release --target wasm32-unknown-unknown -p idv-sessions-wasm
  wasm=target/wasm32-unknown-unknown/release/idv_sessions_wasm.wasm
fi
wasm_opt=node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || { echo "missing $wasm_opt: run scripts/install-tools.sh" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for target in nodejs web; do
  wasm-bindgen --target "$target" --out-name idv_sessions \
    --remove-name-section --remove-producers-section --out-dir "$tmp/$target" "$wasm"
done
# One .wasm for both glues: wasm-bindgen must have written the same module for each.
cmp "$tmp/nodejs/idv_sessions_bg.wasm" "$tmp/web/idv_sessions_bg.wasm"
# And the same JS snippets (crates/wasm/src/*.js imported by the wasm: guarded calls, the IdvError class).
diff -r "$tmp/nodejs/snippets" "$tmp/web/snippets"

# Generated files of this and of the former layout (pkg/node, pkg/web); the
# hand-written entries stay.
rm -rf pkg/node pkg/web pkg/idv_sessions.* pkg/idv_sessions_bg.wasm pkg/snippets pkg/browser.mjs
"$wasm_opt" -Oz "$tmp/web/idv_sessions_bg.wasm" -o pkg/idv_sessions_bg.wasm
# Explicit module kinds by extension, whatever a package.json around them says.
cp "$tmp/nodejs/idv_sessions.js" pkg/idv_sessions.cjs
cp "$tmp/web/idv_sessions.js" pkg/idv_sessions.mjs
# wasm-bindgen writes one `import * as importN` and one key of the imports
# object per import of a snippet module; the keys name the same module (one
# namespace object), so bundlers warn of duplicate keys on every build. Keep
# the first of each, and drop the imports no key uses any more.
node scripts/dedupe-glue-imports.mjs pkg/idv_sessions.mjs
cp -r "$tmp/web/snippets" pkg/snippets
# The browser entry as one module (a page's module chain is a round trip per
# level); the .wasm stays beside it, found through `new URL(..., import.meta.url)`.
node_modules/.bin/esbuild pkg/browser.entry.mjs --bundle --format=esm --log-level=error \
  --outfile=pkg/browser.mjs
# The snippets are ES modules; the package is "type": "commonjs".
echo '{ "type": "module" }' > pkg/snippets/package.json
# The declarations of the exports and of crates/wasm/src/types.d.ts; the Node glue's
# (the web glue's add only its init functions, which no entry exports).
cp "$tmp/nodejs/idv_sessions.d.ts" pkg/idv_sessions.d.ts
cp README.md LICENSE-MIT LICENSE-APACHE pkg/

raw=$(wc -c < pkg/idv_sessions_bg.wasm)
gz=$(gzip -9 -c pkg/idv_sessions_bg.wasm | wc -c)
glue=$(wc -c < pkg/idv_sessions.mjs)
echo "pkg: idv_sessions_bg.wasm ${raw} bytes raw, ${gz} bytes gzip; ES-module glue ${glue} bytes"
