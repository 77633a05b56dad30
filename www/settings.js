// Connection settings: where each provider is reached and with which credentials.
//
// The default is this demo's own backend (/api/<provider>), which adds the credentials: the
// page holds no secret. Base URLs and the Mangopay ClientId persist in localStorage; API keys
// live in this module's memory only and are gone on reload.

import { IdvClient } from "idv-sessions";
import { PROVIDERS, esc, describeError, $ } from "./ui.js";

const STORAGE_KEY = "idv-sessions-demo.connection";
const secretKeys = { mangopay: "", equals: "", didit: "", onfido: "", stripe: "" };

export function defaultSettings(directory) {
  return {
    mangopay: { baseUrl: "/api/mangopay", clientId: directory.mangopayClientId ?? "mock-client" },
    equals: { baseUrl: "/api/equals" },
    didit: { baseUrl: "/api/didit" },
    onfido: { baseUrl: "/api/onfido" },
    stripe: { baseUrl: "/api/stripe" },
  };
}

export function loadSettings(directory) {
  const defaults = defaultSettings(directory);
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (!saved || typeof saved !== "object") return defaults;
    const pick = (p, field) => (typeof saved[p]?.[field] === "string" ? saved[p][field] : defaults[p][field]);
    return {
      mangopay: { baseUrl: pick("mangopay", "baseUrl"), clientId: pick("mangopay", "clientId") },
      equals: { baseUrl: pick("equals", "baseUrl") },
      didit: { baseUrl: pick("didit", "baseUrl") },
      onfido: { baseUrl: pick("onfido", "baseUrl") },
      stripe: { baseUrl: pick("stripe", "baseUrl") },
    };
  } catch {
    return defaults;
  }
}

function saveSettings(settings) {
  // Never a key: only base URLs and the (public) Mangopay ClientId.
  const safe = {
    mangopay: { baseUrl: settings.mangopay.baseUrl, clientId: settings.mangopay.clientId },
    equals: { baseUrl: settings.equals.baseUrl },
    didit: { baseUrl: settings.didit.baseUrl },
    onfido: { baseUrl: settings.onfido.baseUrl },
    stripe: { baseUrl: settings.stripe.baseUrl },
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(safe));
}

export function usesProxy(settings) {
  return PROVIDERS.every((p) => settings[p].baseUrl.startsWith("/") && !secretKeys[p]);
}

/** The IdvClient for these settings; throws the package's `config` IdvError when it refuses them. */
export function createClient(settings) {
  const config = {};
  for (const p of PROVIDERS) {
    const entry = {};
    if (settings[p].baseUrl.trim()) entry.baseUrl = settings[p].baseUrl.trim();
    if (secretKeys[p]) entry.apiKey = secretKeys[p];
    if (p === "mangopay") entry.clientId = settings.mangopay.clientId.trim();
    config[p] = entry;
  }
  return new IdvClient(config);
}

/**
 * Wires the settings dialog. `onApply(settings, client)` runs after the package accepted them.
 */
export function initSettingsDialog({ dialog, directory, getSettings, onApply }) {
  const form = $("form", dialog);
  const errorBox = $("[data-testid=settings-error]", dialog);

  const fill = (settings, keys) => {
    for (const p of PROVIDERS) {
      form.elements[`${p}-baseUrl`].value = settings[p].baseUrl;
      form.elements[`${p}-apiKey`].value = keys[p];
    }
    form.elements["mangopay-clientId"].value = settings.mangopay.clientId;
  };
  const read = () => ({
    mangopay: { baseUrl: form.elements["mangopay-baseUrl"].value, clientId: form.elements["mangopay-clientId"].value },
    equals: { baseUrl: form.elements["equals-baseUrl"].value },
    didit: { baseUrl: form.elements["didit-baseUrl"].value },
    onfido: { baseUrl: form.elements["onfido-baseUrl"].value },
    stripe: { baseUrl: form.elements["stripe-baseUrl"].value },
  });

  return {
    open() {
      errorBox.hidden = true;
      fill(getSettings(), secretKeys);
      dialog.showModal();
    },
    wire() {
      $("[data-action=reset]", dialog).addEventListener("click", () => {
        errorBox.hidden = true;
        fill(defaultSettings(directory), Object.fromEntries(PROVIDERS.map((p) => [p, ""])));
      });
      $("[data-action=cancel]", dialog).addEventListener("click", () => dialog.close());
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const settings = read();
        const previous = { ...secretKeys };
        for (const p of PROVIDERS) secretKeys[p] = form.elements[`${p}-apiKey`].value.trim();
        let client;
        try {
          client = createClient(settings);
        } catch (e) {
          Object.assign(secretKeys, previous);
          const { code } = describeError(e);
          errorBox.innerHTML = `<strong>idv-sessions refused these settings</strong> <span class="code">${esc(code)}</span>
            <p>${esc(e?.message ?? String(e))}</p>`;
          errorBox.hidden = false;
          return;
        }
        saveSettings(settings);
        dialog.close();
        onApply(settings, client);
      });
    },
  };
}
