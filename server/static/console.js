// The console's one script: live refresh and confirmations. Pages work without it (plain links
// and forms); with it, a page listening for changes (main[data-live="1"]) re-fetches itself and
// swaps its content in when the server says a job changed or a phone synced, keeping the
// filters in the URL. No framework, no build step.
"use strict";

(function () {
  const main = document.getElementById("main");
  if (main && main.dataset.live === "1" && "EventSource" in window) {
    const badge = document.getElementById("live");
    let refreshing = false;
    let again = false;
    async function refresh(changed) {
      if (refreshing) { again = true; return; }
      refreshing = true;
      try {
        const res = await fetch(location.href, { headers: { "X-Fieldwork-Fragment": "1" }, credentials: "same-origin" });
        if (res.redirected || !res.ok) { location.reload(); return; }
        const html = await res.text();
        const doc = new DOMParser().parseFromString(html, "text/html");
        const fresh = doc.getElementById("main");
        if (fresh) {
          // Keep the focus and a half-typed filter: only swap what is below the filters.
          const keep = main.querySelector("form.filters");
          main.replaceChildren(...fresh.childNodes);
          const theirs = main.querySelector("form.filters");
          if (keep && theirs) theirs.replaceWith(keep);
          for (const id of changed || []) {
            const row = main.querySelector(`tr[data-job="${CSS.escape(id)}"]`);
            if (row) row.classList.add("changed");
          }
        }
      } finally {
        refreshing = false;
        if (again) { again = false; refresh(); }
      }
    }
    const events = new EventSource("/events");
    events.addEventListener("open", () => { if (badge) badge.hidden = false; });
    events.addEventListener("error", () => { if (badge) badge.hidden = true; });
    events.addEventListener("change", (e) => refresh(JSON.parse(e.data).jobs));
    events.addEventListener("lagged", () => refresh());
  }

  document.addEventListener("submit", (e) => {
    const message = e.target.dataset && e.target.dataset.confirm;
    if (message && !window.confirm(message)) e.preventDefault();
  });
})();
