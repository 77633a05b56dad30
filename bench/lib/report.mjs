// Markdown tables of the benchmark results (one section per benchmark).

const STRATEGIES = ["text", "bytes", "object"];

export function rate(sessions, ms) {
  const r = sessions / (ms / 1000);
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(0)}k`;
  return r.toFixed(0);
}

export function ratio(x) {
  if (!Number.isFinite(x)) return "—";
  return `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}

export function bytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}

export function ms(x) {
  if (x >= 10_000) return `${(x / 1000).toFixed(1)} s`;
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  return `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;
}

const table = (head, rows) => [
  `| ${head.join(" | ")} |`,
  `|${head.map((h, i) => (i === 0 || /^(env|provider|case|contender|file|crate|what|flow)$/.test(h) ? "---" : "---:")).join("|")}|`,
  ...rows.map((r) => `| ${r.join(" | ")} |`),
];

/** Benchmark 1: sessions/s of the package and the JS baseline, per boundary strategy. */
export function normalizeSection(result) {
  const head = ["env", "provider", "sessions", "input"];
  for (const s of STRATEGIES) head.push(`wasm ${s}/s`, `JS ${s}/s`, `wasm/JS ${s}`);
  head.push("fastest");
  const rows = [];
  for (const env of Object.values(result)) {
    for (const [provider, entry] of Object.entries(env.providers)) {
      for (const size of entry.sizes) {
        const row = [env.env, provider, size.rows.toLocaleString("en"), bytes(size.bodyBytes)];
        let fastest = null;
        for (const s of STRATEGIES) {
          const w = size.times[`wasm:${s}`].best;
          const j = size.times[`js:${s}`].best;
          row.push(rate(size.rows, w), rate(size.rows, j), ratio(j / w));
          for (const [name, t] of [[`wasm ${s}`, w], [`JS ${s}`, j]]) if (!fastest || t < fastest[1]) fastest = [name, t];
        }
        row.push(`${fastest[0]} (wasm: ${size.fastestWasm})`);
        rows.push(row);
      }
      const p = entry.paged;
      if (p) {
        const row = [env.env, provider, `${p.sessions.toLocaleString("en")} (${p.pages}×${p.rowsPerPage})`, `${bytes(p.pageBytes)}/page`];
        for (const s of STRATEGIES) {
          if (s === p.strategy) row.push(rate(p.sessions, p.wasm.totalMs), rate(p.sessions, p.js.totalMs), ratio(p.js.totalMs / p.wasm.totalMs));
          else row.push("—", "—", "—");
        }
        row.push(p.wasm.totalMs < p.js.totalMs ? `wasm ${p.strategy}` : `JS ${p.strategy}`);
        rows.push(row);
      }
    }
  }
  const parts = [];
  for (const env of Object.values(result)) {
    for (const [provider, entry] of Object.entries(env.providers)) {
      const b = entry.breakdown;
      if (!b) continue;
      const n = entry.sizes[entry.sizes.length - 1].rows;
      parts.push([
        env.env, provider, n.toLocaleString("en"), bytes(b.inputBytes), bytes(b.outputBytes), ms(b.jsTextMs), ms(b.parseInputMs),
        ms(b.wasmTextMs), ms(b.parseOutputMs), ms(b.insideWasmMs), ms(b.stringifyInputMs),
      ]);
    }
  }
  const where = parts.length
    ? [
        "",
        "Where the time goes (largest single body, text input; best of 2):",
        "",
        ...table(
          ["env", "provider", "rows", "input JSON", "output JSON", "JS baseline", "of which JSON.parse(input)", "package", "of which JSON.parse(output)", "rest: wasm parse + map + serialize + copies", "JSON.stringify(object) (object form's extra)"],
          parts,
        ),
      ]
    : [];
  return [
    "### 1. Normalization throughput (`normalizeList`), sessions per second",
    "",
    ...table(head, rows),
    "",
    "wasm/JS > 1: the package is faster than the hand-written JS baseline. Best of the runs, contenders interleaved; " +
      "paged rows: the package's fastest input form at the largest single body, pages cycled from a pool, total time over all pages.",
    ...where,
  ];
}

/** Benchmark 2: listing time of each contender as a multiple of the physical limit. */
export function listingSection(result) {
  const rows = [];
  for (const c of result.cases) {
    const l = c.limit;
    const cell = (name) => (c.times[name] ? `${ms(c.times[name].best)} (${ratio(c.times[name].best / l.limitMs)})` : "—");
    const scaled = c.scaled ? ` (rate-scaled ${Math.floor(300 * c.scaled.rateScale)}/${+(60 * c.scaled.windowScale).toFixed(1)} s)` : "";
    rows.push([
      `${c.provider}${scaled}`,
      c.sessions.toLocaleString("en"),
      String(l.pages),
      ms(l.roundTripMs),
      l.rateMs > 0 && (c.provider !== "equals") ? ms(l.rateMs) : "none documented",
      ms(l.limitMs),
      c.provider === "equals" ? "—" : ms(l.smoothRateMs),
      cell("listAll"),
      cell("sequential"),
      cell("sdk"),
    ]);
  }
  return [
    `### 2. Listing time against the mock (${result.latencyMs} ms per response), as a multiple of the physical limit`,
    "",
    ...table(
      ["provider", "sessions", "pages", "round-trip bound", "rate-limit bound", "limit", "same limit read as a smooth rate (not enforced)", "listAll (concurrency 4)", "sequential listSessions", "Mangopay SDK (sequential)"],
      rows,
    ),
    "",
    `Time (best of the runs) and, in parentheses, time ÷ limit (1.00× = at the limit). Round-trip bound = latency × (1 + ⌈(pages − 1) / ${result.concurrency}⌉), ` +
      "plus one round trip for Mangopay's token; rate-limit bound = latency + (windows needed − 1) × window, with the documented " +
      "limits counted in fixed windows as the mock and the client do. The SDK returns raw rows (no normalization). " +
      "The mock runs in-process, on the client's thread: its CPU time for building pages is included.",
  ];
}

/** Benchmark 3: sizes of the shipped files and the wasm's code by crate. */
export function sizeSection(result, top = 12) {
  const out = ["### 3. Size", "", ...table(
    ["file", "what", "raw", "gzip -9"],
    result.files.map((f) => [`\`${f.file}\``, f.what, bytes(f.raw), bytes(f.gzip)]),
  )];
  const inst = result.installed;
  if (inst && !inst.error) {
    out.push("", `Installed package (\`npm pack\` of pkg/, unpacked, README included): ${inst.unpacked.toLocaleString("en")} bytes ` +
      `in ${inst.files} files, ${inst.dependencies} dependencies; the tarball ${inst.tarball.toLocaleString("en")} bytes.`);
  }
  const b = result.breakdown;
  if (b?.error) {
    out.push("", `Per-crate breakdown unavailable: ${b.error}`);
    return out;
  }
  if (b) {
    const names = b.crates.find((c) => c.crate === "(names and custom sections)");
    const code = b.crates.filter((c) => c !== names);
    const shown = code.slice(0, top);
    const rest = code.slice(top).reduce((a, c) => a + c.bytes, 0);
    const rows = shown.map((c) => [c.crate, c.bytes.toLocaleString("en"), `${((100 * c.bytes) / b.withoutNamesBytes).toFixed(1)}%`]);
    if (rest > 0) rows.push([`${code.length - top} more`, rest.toLocaleString("en"), `${((100 * rest) / b.withoutNamesBytes).toFixed(1)}%`]);
    rows.push(["**code + data total**", b.withoutNamesBytes.toLocaleString("en"), "100%"]);
    if (names) rows.push(["(names section, stripped when shipped)", names.bytes.toLocaleString("en"), `+${((100 * names.bytes) / b.withoutNamesBytes).toFixed(1)}%`]);
    out.push(
      "",
      `By crate (twiggy shallow sizes of \`${b.source}\` bound by wasm-bindgen with names kept, before wasm-opt; ` +
        `${b.boundBytes.toLocaleString("en")} bytes; generic code is counted in the crate of the implementing type):`,
      "",
      ...table(["crate", "bytes", "share"], rows),
    );
  }
  return out;
}

/** Benchmark 4: wasm linear memory and JS heap across many calls. */
export function memorySection(result) {
  const rows = [];
  for (const key of ["listAll", "normalizeList"]) {
    const w = result[key];
    if (!w) continue;
    const at = (n) => w.samples.find((s) => s.calls === n) ?? w.samples[w.samples.length - 1];
    const first = at(1);
    const last = w.samples[w.samples.length - 1];
    const growth = last.wasmBytes - first.wasmBytes;
    rows.push([
      w.what,
      String(last.calls),
      bytes(w.samples[0].wasmBytes),
      bytes(first.wasmBytes),
      bytes(at(100).wasmBytes),
      bytes(last.wasmBytes),
      w.samples.filter((s) => s.calls >= 1).map((s) => (s.jsHeapBytes / 1e6).toFixed(1)).join(" / ") + " MB",
      growth === 0 ? "flat" : `+${bytes(growth)}`,
    ]);
  }
  return [
    "### 4. Memory",
    "",
    `wasm linear memory right after import: ${bytes(result.atImport)}.`,
    "",
    ...table(
      ["workload", "calls", "wasm before", "wasm after 1", "wasm after 100", "wasm after all", "JS heap after 1, 10, 100, then every 250 calls (50 with --quick)", "wasm after 1 → after all"],
      rows,
    ),
    "",
    "wasm memory never shrinks (`memoryBytes()` is its current size); flat means the allocator reuses what it freed. JS heap after a forced GC.",
    ...(result.peak?.length
      ? [
          "",
          ...table(
            ["provider", "rows", "input", "wasm before", "wasm after", "growth ÷ input"],
            result.peak.map((p) => [p.provider + ", " + p.form, p.rows.toLocaleString("en"), bytes(p.inputBytes), bytes(p.before), bytes(p.after), ratio((p.after - p.before) / p.inputBytes)]),
          ),
          "",
          "Peak of one `normalizeList` call, each in a fresh process (wasm memory only grows, so its size after the call is the peak).",
        ]
      : []),
    ...(result.listAllPeak
      ? [
          "",
          `Peak of one \`listAll\` of ${result.listAllPeak.sessions.toLocaleString("en")} Didit sessions (an injected \`fetch\` serving pages of generated rows), fresh process: wasm memory ${bytes(result.listAllPeak.before)} → ${bytes(result.listAllPeak.after)}, growth ${ratio((result.listAllPeak.after - result.listAllPeak.before) / result.listAllPeak.listingBytes)} the listing's ${bytes(result.listAllPeak.listingBytes)} of JSON.`,
        ]
      : []),
  ];
}

/** Benchmark 5: cold start to the first result, package vs JS baseline. */
export function startupSection(result) {
  const rows = [];
  if (result.node) {
    const { wasm, js } = result.node;
    rows.push(["Node: `import` → first result", ms(wasm.importToResultMs.median), ms(js.importToResultMs.median), ratio(wasm.importToResultMs.median / js.importToResultMs.median)]);
    rows.push(["Node: process start → first result", ms(wasm.processToResultMs.median), ms(js.processToResultMs.median), ratio(wasm.processToResultMs.median / js.processToResultMs.median)]);
    rows.push(["Node: spawn → exit (wall)", ms(wasm.wallMs.median), ms(js.wallMs.median), ratio(wasm.wallMs.median / js.wallMs.median)]);
  }
  if (result.chromium) {
    const { wasm, js } = result.chromium;
    rows.push(["Chromium: module script top → first result", ms(wasm.importToResultMs.median), ms(js.importToResultMs.median), ratio(wasm.importToResultMs.median / js.importToResultMs.median)]);
    rows.push(["Chromium: navigation start → first result", ms(wasm.navigationToResultMs.median), ms(js.navigationToResultMs.median), ratio(wasm.navigationToResultMs.median / js.navigationToResultMs.median)]);
    const pre = result.chromium.wasmPreload;
    if (pre) {
      rows.push(["Chromium, the .wasm preloaded: module script top → first result", ms(pre.importToResultMs.median), ms(js.importToResultMs.median), ratio(pre.importToResultMs.median / js.importToResultMs.median)]);
      rows.push(["Chromium, the .wasm preloaded: navigation start → first result", ms(pre.navigationToResultMs.median), ms(js.navigationToResultMs.median), ratio(pre.navigationToResultMs.median / js.navigationToResultMs.median)]);
    }
  }
  return [
    "### 5. Startup (cold), median of " + result.n,
    "",
    ...table(["flow", "package (wasm)", "JS baseline", "wasm ÷ JS"], rows),
    "",
    "Fresh Node process / fresh Chromium context per run (page from the local static server, no cache); first `normalizeSession` of a Didit row. wasm ÷ JS > 1: the package starts slower.",
  ];
}

/** Every result and ratio of a full run in one table. */
export function webhooksSection(result) {
  const rows = [];
  for (const c of result.cases) {
    const hmac = c.times["node:crypto HMAC"].median;
    for (const name of ["X-Signature", "X-Signature-V2", "all three"]) {
      const t = c.times[name].median;
      rows.push([`${c.mb} MB, ${c.keys.toLocaleString("en")} keys: ${name} wrong`, ms(t), ms(t / c.mb), ms(hmac), ratio(t / hmac), ms(c.times["JSON.parse"].median)]);
    }
  }
  return [
    "### 6. Webhooks: rejecting a forged body",
    "",
    ...table(["forged Didit body", "parseWebhook rejects in", "per MB", "node:crypto HMAC of it", "÷ HMAC", "JSON.parse of it"], rows),
    "",
    "Median of the runs. Synchronous: the time a Node server serves no one. X-Signature is checked over the raw bytes before any parse; V2 needs the canonical form (a parse and a sort of each object's keys).",
  ];
}

export function summaryTable(all) {
  const rows = [];
  const add = (bench, kase, result, against, r, what) => rows.push([bench, kase, result, against, r, what]);

  for (const env of Object.values(all.normalize ?? {})) {
    for (const [provider, entry] of Object.entries(env.providers)) {
      for (const size of entry.sizes) {
        let fastest = null;
        for (const s of STRATEGIES) {
          for (const c of [`wasm:${s}`, `js:${s}`]) if (!fastest || size.times[c].best < size.times[fastest].best) fastest = c;
        }
        for (const s of STRATEGIES) {
          const w = size.times[`wasm:${s}`].best;
          const j = size.times[`js:${s}`].best;
          const marks = [fastest === `wasm:${s}` ? "fastest overall" : null, fastest === `js:${s}` ? "JS fastest overall" : null, size.fastestWasm === s ? "package's fastest" : null].filter(Boolean);
          add(
            "1 normalize",
            `${env.env}, ${provider}, ${size.rows.toLocaleString("en")} rows, ${s}${marks.length ? ` (${marks.join("; ")})` : ""}`,
            `${rate(size.rows, w)}/s`,
            `JS ${rate(size.rows, j)}/s`,
            ratio(j / w),
            "wasm ÷ JS throughput",
          );
        }
      }
      const p = entry.paged;
      if (p) {
        add(
          "1 normalize",
          `${env.env}, ${provider}, ${p.sessions.toLocaleString("en")} as ${p.pages} pages × ${p.rowsPerPage}, ${p.strategy}`,
          `${rate(p.sessions, p.wasm.totalMs)}/s`,
          `JS ${rate(p.sessions, p.js.totalMs)}/s`,
          ratio(p.js.totalMs / p.wasm.totalMs),
          "wasm ÷ JS throughput",
        );
      }
    }
  }

  const names = { listAll: "listAll", sequential: "sequential listSessions", sdk: "Mangopay SDK, sequential" };
  for (const c of all.listing?.cases ?? []) {
    const scaled = c.scaled ? ` (mock rate-scaled: ${Math.floor(300 * c.scaled.rateScale)} per ${+(60 * c.scaled.windowScale).toFixed(1)} s)` : "";
    for (const [k, t] of Object.entries(c.times)) {
      add("2 listing", `${c.provider} ${c.sessions.toLocaleString("en")}${scaled}, ${c.limit.pages} page${c.limit.pages === 1 ? "" : "s"}: ${names[k]}`, ms(t.best), `limit ${ms(c.limit.limitMs)}`, ratio(t.best / c.limit.limitMs), "time ÷ limit");
    }
  }

  if (all.size) {
    const f = Object.fromEntries(all.size.files.map((x) => [x.file, x]));
    const base = f["bench/baseline.mjs"];
    for (const file of ["pkg/idv_sessions_bg.wasm", "pkg/idv_sessions.mjs", "pkg/browser.mjs"]) {
      const x = f[file];
      if (!x) continue;
      add("3 size", `\`${file}\` raw`, bytes(x.raw), `JS baseline ${bytes(base.raw)}`, ratio(x.raw / base.raw), "÷ JS baseline normalizer");
      add("3 size", `\`${file}\` gzip -9`, bytes(x.gzip), `JS baseline ${bytes(base.gzip)}`, ratio(x.gzip / base.gzip), "÷ JS baseline normalizer");
    }
    const inst = all.size.installed;
    if (inst && !inst.error) {
      add("3 size", `installed package (npm pack of pkg/, unpacked, README included; ${inst.files} files, ${inst.dependencies} dependencies)`, bytes(inst.unpacked), `JS baseline ${bytes(base.raw)}`, ratio(inst.unpacked / base.raw), "÷ JS baseline normalizer");
    }
    const b = all.size.breakdown;
    if (b && !b.error) {
      for (const c of b.crates.slice(0, 10)) {
        const isNames = c.crate === "(names and custom sections)";
        add("3 size", `wasm by crate: ${c.crate}${isNames ? " (not shipped)" : ""}`, bytes(c.bytes), `code + data ${bytes(b.withoutNamesBytes)}`, `${((100 * c.bytes) / b.withoutNamesBytes).toFixed(1)}%`, "share");
      }
    }
  }

  if (all.memory) {
    for (const key of ["listAll", "normalizeList"]) {
      const w = all.memory[key];
      if (!w) continue;
      const first = w.samples.find((s) => s.calls === 1);
      const last = w.samples[w.samples.length - 1];
      add("4 memory", `${last.calls} × ${w.what}: wasm memory`, `${bytes(first.wasmBytes)} → ${bytes(last.wasmBytes)}`, "after 1 call", ratio(last.wasmBytes / first.wasmBytes), "end ÷ start (1.00× flat)");
      add("4 memory", `${last.calls} × ${w.what}: JS heap`, `${bytes(first.jsHeapBytes)} → ${bytes(last.jsHeapBytes)}`, "after 1 call", ratio(last.jsHeapBytes / first.jsHeapBytes), "end ÷ start (1.00× flat)");
    }
    for (const p of all.memory.peak ?? []) {
      add("4 memory", `peak of one normalizeList, ${p.provider}, ${p.rows.toLocaleString("en")} rows, ${p.form} (fresh process): wasm memory growth`, bytes(p.after - p.before), `input ${bytes(p.inputBytes)}`, ratio((p.after - p.before) / p.inputBytes), "growth ÷ input");
    }
    const l = all.memory.listAllPeak;
    if (l) {
      add("4 memory", `peak of one listAll, ${l.provider}, ${l.sessions.toLocaleString("en")} sessions (fresh process): wasm memory growth`, bytes(l.after - l.before), `listing ${bytes(l.listingBytes)}`, ratio((l.after - l.before) / l.listingBytes), "growth ÷ listing");
    }
  }

  const st = all.startup;
  if (st?.node) {
    add("5 startup", `Node, fresh process: import → first normalizeSession (median of ${st.n})`, ms(st.node.wasm.importToResultMs.median), `JS ${ms(st.node.js.importToResultMs.median)}`, ratio(st.node.wasm.importToResultMs.median / st.node.js.importToResultMs.median), "wasm ÷ JS time");
    add("5 startup", `Node, fresh process: process start → first result`, ms(st.node.wasm.processToResultMs.median), `JS ${ms(st.node.js.processToResultMs.median)}`, ratio(st.node.wasm.processToResultMs.median / st.node.js.processToResultMs.median), "wasm ÷ JS time");
  }
  if (st?.chromium) {
    add("5 startup", `Chromium, fresh page: module top → first result (median of ${st.n})`, ms(st.chromium.wasm.importToResultMs.median), `JS ${ms(st.chromium.js.importToResultMs.median)}`, ratio(st.chromium.wasm.importToResultMs.median / st.chromium.js.importToResultMs.median), "wasm ÷ JS time");
    add("5 startup", `Chromium, fresh page: navigation → first result`, ms(st.chromium.wasm.navigationToResultMs.median), `JS ${ms(st.chromium.js.navigationToResultMs.median)}`, ratio(st.chromium.wasm.navigationToResultMs.median / st.chromium.js.navigationToResultMs.median), "wasm ÷ JS time");
    const pre = st.chromium.wasmPreload;
    if (pre) {
      add("5 startup", `Chromium, fresh page, the .wasm preloaded: module top → first result`, ms(pre.importToResultMs.median), `JS ${ms(st.chromium.js.importToResultMs.median)}`, ratio(pre.importToResultMs.median / st.chromium.js.importToResultMs.median), "wasm ÷ JS time");
      add("5 startup", `Chromium, fresh page, the .wasm preloaded: navigation → first result`, ms(pre.navigationToResultMs.median), `JS ${ms(st.chromium.js.navigationToResultMs.median)}`, ratio(pre.navigationToResultMs.median / st.chromium.js.navigationToResultMs.median), "wasm ÷ JS time");
    }
  }

  for (const c of all.webhooks?.cases ?? []) {
    const hmac = c.times["node:crypto HMAC"].median;
    for (const name of ["X-Signature", "all three"]) {
      const t = c.times[name].median;
      add("6 webhooks", `forged Didit body ${c.mb} MB, ${name} wrong: rejected in (${ms(t / c.mb)} per MB)`, ms(t), `HMAC ${ms(hmac)}`, ratio(t / hmac), "÷ node:crypto HMAC of the body");
    }
  }

  return table(["benchmark", "case", "result", "compared with", "ratio", "ratio is"], rows);
}
