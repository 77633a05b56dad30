// Runs in a module Web Worker (tests/browser/worker.test.mjs): a worker's code
// is as readable by every visitor as a page's, so a secret key sent straight
// to a provider from here must be refused too.
import { IdvClient } from "/pkg/browser.mjs";

const attempt = (config) => {
  try {
    new IdvClient(config).free();
    return "ok";
  } catch (e) {
    return `${e.name}:${e.code}`;
  }
};

postMessage({
  direct: attempt({ didit: { apiKey: "k" } }),
  providerHostWithPort: attempt({ didit: { apiKey: "k", baseUrl: "https://verification.didit.me:443" } }),
  providerHostWithDot: attempt({ equals: { apiKey: "k", baseUrl: "https://api.equalsmoney.com./v2" } }),
  proxy: attempt({ didit: { baseUrl: "/api/didit" } }),
  allowed: attempt({ didit: { apiKey: "k" }, dangerouslyAllowBrowser: true }),
});
