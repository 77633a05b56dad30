# idv-sessions: `make demo` runs the main job, `make test` runs every test.
# Both install what a fresh machine lacks first (scripts/install-tools.sh).
SHELL := /bin/bash
NODE_TESTS := tests/node/ tests/mock/ tests/browser/ tests/demo/ tests/cli/

.PHONY: tools pkg demo example bench frontier fuzz test test-native test-wasm lint

tools:
	@bash scripts/install-tools.sh

pkg: tools
	bash scripts/build-pkg.sh

# The dashboard on the embedded mock providers: http://127.0.0.1:8080 unless PORT is set.
demo: pkg
	node scripts/demo.mjs

# The docs' example payloads, normalized and printed as one table.
example: pkg
	node examples/normalize-fixtures.mjs

# Every benchmark, one after the other; tables on stdout and in bench/results/ (gitignored).
bench: pkg
	@command -v twiggy >/dev/null || [ -x "$$HOME/.cargo/bin/twiggy" ] || cargo install twiggy --version 0.8.0
	node bench/run.mjs
	node --expose-gc bench/boundary.mjs

# The size/speed frontier: the crate at several release profiles, each timed against the JS baseline (a few minutes).
frontier: pkg
	node --expose-gc bench/frontier.mjs

# The boundary fuzzer: hostile JS values into every export of pkg/ for FUZZ_SECONDS (default 300);
# FUZZ_SEED=N repeats a run (the seed is printed), --replay I one iteration (tests/fuzz/boundary.fuzz.mjs).
FUZZ_SECONDS ?= 300
fuzz: pkg
	node tests/fuzz/boundary.fuzz.mjs --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

# Native tests first (fast, no wasm), then one wasm build, then Node and Chromium, then 5 s of fuzzing.
test: tools test-native lint pkg test-wasm
	node --test $(NODE_TESTS)
	node tests/fuzz/boundary.fuzz.mjs --seconds 5

test-native:
	cargo test
	cargo test --features testkit --test registry

# The JS binding's own tests (crates/wasm/src/tests.rs), built once, run in Node and
# in headless Chromium (Chromium's flags: crates/wasm/webdriver.json).
WASM_TEST := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test -p idv-sessions-wasm --target wasm32-unknown-unknown --lib
test-wasm:
	$(WASM_TEST)
	WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver $(WASM_TEST)

lint:
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --features testkit --lib --test registry -- -D warnings
	cargo clippy -p idv-sessions --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p idv-sessions-wasm --lib --tests --target wasm32-unknown-unknown -- -D warnings
