// `idv-sessions/wasm` is the package's WebAssembly module as a file, for build
// scripts and bundlers: resolve its path (`require.resolve("idv-sessions/wasm")`,
// `import.meta.resolve`) or let a bundler emit it as an asset. It has no
// JavaScript exports; every entry of the package loads it by itself.
export {};
