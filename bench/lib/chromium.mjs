// Headless Debian Chromium through playwright-core (never a downloaded browser),
// with gc() exposed to pages so that the benchmarks can collect between runs.
import { chromium } from "playwright-core";

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--js-flags=--expose-gc",
    ],
  });
}

/** The browser's version string (e.g. "156.0.8078.79"). */
export function version(browser) {
  return browser.version();
}
