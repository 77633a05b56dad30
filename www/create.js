// The "new session" form: Mangopay (a user and a return URL), Didit (a workflow, the vendor
// data naming the user, a callback), Onfido (a workflow run for an applicant of the directory,
// or for a new one: the package then creates the applicant first) or Stripe Identity (a document
// or ID number check, the client reference id naming the user, a return URL). Shows the
// verification URL to send to the user.

import { PROVIDER_LABELS, describeError, esc, externalLink, statusBadge, $ } from "./ui.js";

export function initCreateDialog({ dialog, directory, getClient, onCreated }) {
  const form = $("form", dialog);
  const result = $("[data-testid=create-result]", dialog);
  const error = $("[data-testid=create-error]", dialog);
  const submit = $("[data-testid=create-submit]", dialog);

  const mpUsers = directory.people.filter((p) => p.mangopayUserId).sort((a, b) => a.name.localeCompare(b.name));
  form.elements.mangopayUser.innerHTML = mpUsers
    .map((p) => `<option value="${esc(p.mangopayUserId)}">${esc(p.name)} — ${esc(p.mangopayUserId)}</option>`)
    .join("");
  form.elements.workflow.innerHTML = directory.diditWorkflows
    .map((w) => `<option value="${esc(w.id)}">${esc(w.label)} (${esc(w.features.join(", "))})</option>`)
    .join("");
  $("#vendor-data-list", dialog).innerHTML = directory.people
    .filter((p) => p.diditVendorData)
    .map((p) => `<option value="${esc(p.diditVendorData)}">${esc(p.name)}</option>`)
    .join("");
  form.elements.onfidoWorkflow.innerHTML = (directory.onfidoWorkflows ?? [])
    .map((w) => `<option value="${esc(w.id)}">${esc(w.label)} (${esc(w.reports.join(", "))})</option>`)
    .join("");
  // "" = a new applicant, named in the fields below; else an applicant of the directory.
  const applicants = directory.people.filter((p) => p.onfidoApplicantId).sort((a, b) => a.name.localeCompare(b.name));
  form.elements.onfidoApplicant.innerHTML =
    `<option value="">A new applicant…</option>` +
    applicants.map((p) => `<option value="${esc(p.onfidoApplicantId)}">${esc(p.name)} — ${esc(p.onfidoApplicantId)}</option>`).join("");
  const newApplicant = $("[data-role=new-applicant]", dialog);
  $("#client-reference-list", dialog).innerHTML = directory.people
    .filter((p) => p.stripeClientReferenceId)
    .map((p) => `<option value="${esc(p.stripeClientReferenceId)}">${esc(p.name)}</option>`)
    .join("");

  const showProvider = () => {
    const provider = form.elements.provider.value;
    for (const fs of dialog.querySelectorAll("[data-provider-fields]")) fs.hidden = fs.dataset.providerFields !== provider;
    newApplicant.hidden = form.elements.onfidoApplicant.value !== "";
  };
  for (const radio of form.querySelectorAll("input[name=provider]")) radio.addEventListener("change", showProvider);
  form.elements.onfidoApplicant.addEventListener("change", showProvider);
  $("[data-action=close]", dialog).addEventListener("click", () => dialog.close());

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const provider = form.elements.provider.value;
    const value = (name) => form.elements[name].value.trim();
    const optional = (key, name) => (value(name) ? { [key]: value(name) } : {});
    const input =
      provider === "mangopay"
        ? { userId: value("mangopayUser"), returnUrl: value("returnUrl"), ...optional("tag", "tag") }
        : provider === "onfido"
          ? {
              workflowId: value("onfidoWorkflow"),
              ...(value("onfidoApplicant")
                ? { applicantId: value("onfidoApplicant") }
                : { applicant: { firstName: value("firstName"), lastName: value("lastName"), ...optional("email", "email") } }),
              ...optional("completedRedirectUrl", "completedRedirectUrl"),
            }
          : provider === "stripe"
            ? { type: value("stripeType"), ...optional("clientReferenceId", "clientReferenceId"), ...optional("returnUrl", "stripeReturnUrl") }
            : { workflowId: value("workflow"), ...optional("vendorData", "vendorData"), ...optional("callback", "callback") };
    error.hidden = true;
    result.hidden = true;
    submit.disabled = true;
    submit.textContent = "Creating…";
    try {
      const session = await getClient().createSession(provider, input);
      result.innerHTML = `<div class="result-head">${statusBadge(session.status, session.providerStatus)}
          <span>${esc(PROVIDER_LABELS[provider])} session <span class="mono">${esc(session.id)}</span> created.</span></div>
        <p class="muted small">Send this link to the user to start the verification:</p>
        <div class="url-box">${externalLink(session.verificationUrl, session.verificationUrl ?? "", "create-result-url") || '<span class="muted">The provider returned no URL.</span>'}</div>`;
      result.dataset.key = session.key;
      result.hidden = false;
      onCreated(session);
    } catch (e) {
      error.innerHTML = `<strong>Not created</strong> <span class="code">${esc(describeError(e).code)}</span><p>${esc(e?.message ?? String(e))}</p>`;
      error.hidden = false;
    } finally {
      submit.disabled = false;
      submit.textContent = "Create session";
    }
  });

  return {
    open() {
      result.hidden = true;
      error.hidden = true;
      showProvider();
      dialog.showModal();
    },
  };
}
