// Hubject's rule: Broadcast Request and the Service URL can be set only once Online Request
// is ticked. The server refuses them anyway; this only keeps the form honest while editing.
for (const form of document.querySelectorAll("form[data-online-gate]")) {
  const online = form.querySelector("input[name=online_request]");
  const gated = form.querySelectorAll("[data-needs-online]");
  const update = () => gated.forEach((field) => { field.disabled = !online.checked; });
  online.addEventListener("change", update);
  update();
}
