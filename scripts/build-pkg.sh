#!/usr/bin/env bash
# Builds the npm package into pkg/: one release wasm build, bound twice by
# wasm-bindgen (Node CommonJS glue in pkg/node, ES-module glue in pkg/web),
# each shrunk with wasm-opt -Oz (npm binaryen, see TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown --lib
wasm=target/wasm32-unknown-unknown/release/idv_sessions.wasm
wasm_opt=node_modules/.bin/wasm-opt
[ -x "$wasm_opt" ] || { echo "missing $wasm_opt: run scripts/install-tools.sh" >&2; exit 1; }

for target in node web; do
  out=pkg/$target
  rm -rf "$out"
  bindgen_target=$target
  [ "$target" = node ] && bindgen_target=nodejs
  wasm-bindgen --target "$bindgen_target" --remove-name-section --remove-producers-section \
    --out-dir "$out" "$wasm"
  "$wasm_opt" -Oz "$out/idv_sessions_bg.wasm" -o "$out/idv_sessions_bg.wasm"
  rm -f "$out/.gitignore"
done
# Module kind of each glue folder, whatever the consumer's package says.
echo '{ "type": "commonjs" }' > pkg/node/package.json
echo '{ "type": "module" }' > pkg/web/package.json
cp README.md pkg/README.md

raw=$(wc -c < pkg/web/idv_sessions_bg.wasm)
gz=$(gzip -9 -c pkg/web/idv_sessions_bg.wasm | wc -c)
glue=$(wc -c < pkg/web/idv_sessions.js)
echo "pkg: idv_sessions_bg.wasm ${raw} bytes raw, ${gz} bytes gzip; web glue ${glue} bytes"
