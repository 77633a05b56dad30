#!/usr/bin/env bash
# Installs what a fresh machine lacks (see shared/TOOLCHAIN.md); each step is
# skipped when already done, so it is cheap to run before every build.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "install-tools: $*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the wasm-bindgen version in Cargo.lock (pinned with = in crates/wasm/Cargo.toml).
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (about 2 minutes)"
  # No --locked: it fails against this registry (TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$want"
fi

# npm dev tooling: binaryen (wasm-opt), typescript, playwright-core, the Mangopay SDK,
# and for the package checks @arethetypeswrong/cli, publint, esbuild, vite.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json .build/package-lock.installed; then
  say "installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p .build && cp package-lock.json .build/package-lock.installed
fi

# Debian's Chromium for the browser tests (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ]; then
  say "installing chromium from Debian (about 50 s)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
