// The portal works without this file; it only makes a few things quicker.

// Hubject's rule: Broadcast Request and the Service URL can be set only once Online Request
// is ticked. The server refuses them anyway; this only keeps the form honest while editing.
for (const form of document.querySelectorAll("form[data-online-gate]")) {
  const online = form.querySelector("input[name=online_request]");
  const gated = form.querySelectorAll("[data-needs-online]");
  const url = form.querySelector("input[name=service_url]");
  const cleared = form.querySelector("[data-cleared-offline]");
  const update = () => {
    gated.forEach((field) => { field.disabled = !online.checked; });
    // A disabled field is not sent: say so, rather than drop the URL without a word.
    if (cleared && url) cleared.hidden = online.checked || !url.value.trim();
  };
  online.addEventListener("change", update);
  update();
}

// Forms marked data-submit-on-change (the service-type picker) go as soon as a choice is
// made; their submit button stays for browsers without JavaScript, and is hidden here.
for (const form of document.querySelectorAll("form[data-submit-on-change]")) {
  form.querySelector("select").addEventListener("change", () => form.requestSubmit());
  form.querySelector("button[type=submit]").hidden = true;
}

// The Process Monitor asks for exchanges newer than the newest it shows, every two seconds,
// and puts the rows the hub rendered on top.
const live = document.querySelector("[data-live-url]");
if (live) {
  const status = document.getElementById("live-status");
  const poll = async () => {
    const url = `${live.dataset.liveUrl}&after=${live.dataset.lastId}`;
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      const rows = (await response.text()).trim();
      live.dataset.lastId = response.headers.get("X-Hubsim-Last-Exchange") || live.dataset.lastId;
      if (rows) {
        document.getElementById("no-exchange")?.remove();
        live.insertAdjacentHTML("afterbegin", rows);
      }
      const shown = live.querySelectorAll("details.exchange").length;
      status.hidden = false;
      status.textContent = `Live: ${shown} exchange${shown === 1 ? "" : "s"} shown, updated ${new Date().toISOString().slice(11, 19)} UTC.`;  // as every time on the page
      setTimeout(poll, 2000);
    } catch (error) {
      status.hidden = false;
      status.textContent = `Live updates stopped (${error.message}); reload the page to see newer exchanges.`;
    }
  };
  setTimeout(poll, 2000);
}

// An arrow of a session's diagram links to its message in the list: open that entry.
const openTarget = () => {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const details = target && target.querySelector("details");
  if (details) details.open = true;
};
window.addEventListener("hashchange", openTarget);
openTarget();

// A session's page asks every two seconds whether the session changed (204 while not), and
// then shows the new diagram, timeline and exchanges the hub rendered.
const sessionLive = document.getElementById("session-live");
if (sessionLive) {
  const refresh = async () => {
    const chosen = new URLSearchParams(location.search).get("event") || "";
    const url = `${sessionLive.dataset.liveUrl}?version=${encodeURIComponent(sessionLive.dataset.version)}&event=${encodeURIComponent(chosen)}`;
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (response.status === 200) {
        sessionLive.innerHTML = await response.text();
        sessionLive.dataset.version = response.headers.get("X-Hubsim-Version") || "";
        openTarget();
      } else if (response.status !== 204) {
        return; // the session is gone or the hub refused: keep what is shown
      }
      setTimeout(refresh, 2000);
    } catch (error) {
      // The hub is unreachable: stop asking; a reload shows the session again.
    }
  };
  setTimeout(refresh, 2000);
}
