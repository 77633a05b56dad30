# idv-sessions: `make demo` runs the main job, `make test` runs every test.
# Both install what a fresh machine lacks first (scripts/install-tools.sh).
SHELL := /bin/bash
NODE_TESTS := tests/node/ tests/mock/ tests/browser/

.PHONY: tools pkg demo test test-native lint

tools:
	@bash scripts/install-tools.sh

pkg: tools
	bash scripts/build-pkg.sh

demo: pkg
	node examples/normalize-fixtures.mjs

# Native tests first (fast, no wasm), then one wasm build, then Node and Chromium.
test: tools test-native lint pkg
	node --test $(NODE_TESTS)

test-native:
	cargo test

lint:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
