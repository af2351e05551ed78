// Progressive enhancement for every page: keyboard shortcuts and their help, the user's time zone, confirmations,
// Copy buttons and word counts. Every page works the same without it. Listeners are delegated to the document, so
// sections that live.js replaces keep working.
(() => {
  "use strict";
  const root = document.documentElement;
  const base = document.baseURI;

  // ── Keyboard shortcuts ──────────────────────────────────────────────────────
  // A key clicks the button that carries it in data-shortcut; "g" then a letter goes to a page; "?" shows the help.
  const destinations = { h: "", r: "review", i: "interviews", s: "settings" };
  let pendingG = false;
  const help = () => document.getElementById("shortcut-help");

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select, [contenteditable]")) {
      return;
    }

    if (event.key === "Escape" && help()?.open) {
      help().open = false;
      return;
    }

    if (event.key === "?") {
      const details = help();
      if (details) {
        event.preventDefault();
        details.open = !details.open;
        if (details.open) {
          details.scrollIntoView({ block: "nearest" });
          details.querySelector("summary").focus();
        }
      }
      return;
    }

    if (pendingG) {
      pendingG = false;
      const target = destinations[event.key.toLowerCase()];
      if (target !== undefined) {
        event.preventDefault();
        location.assign(new URL(target, base));
      }
      return;
    }

    if (event.key === "g") {
      pendingG = true;
      setTimeout(() => { pendingG = false; }, 1500);
      return;
    }

    const button = document.querySelector(`[data-shortcut="${CSS.escape(event.key.toLowerCase())}"]`);
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  // ── Time zone ───────────────────────────────────────────────────────────────
  // Until the user picks one in Settings, dates are shown in UTC; the browser knows better, so it says so once.
  if (root.dataset.zone === "unset" && !sessionStorage.getItem("peregrine-zone-sent")) {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      sessionStorage.setItem("peregrine-zone-sent", "1");
      fetch(new URL("api/settings/time-zone", base), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ time_zone: zone }),
      }).then((response) => {
        // Dates on this page were drawn in UTC: draw them again, unless the user has started typing.
        if (response.ok && document.querySelector("time[data-local]") && !document.activeElement?.closest("input, textarea, select")) {
          location.reload();
        }
      }, () => {});
    }
  }

  // ── Confirmations ───────────────────────────────────────────────────────────
  // data-confirm asks always; data-confirm-if-edited="<textarea id>" asks only when that text differs from what was
  // loaded, and then tells the server the replacement is wanted (the server asks too when this script is absent).
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-confirm], button[data-confirm-if-edited]");
    if (!button) {
      return;
    }

    const edited = button.dataset.confirmIfEdited && document.getElementById(button.dataset.confirmIfEdited);
    const ask = button.dataset.confirm || (edited && edited.value !== edited.defaultValue ? button.dataset.confirmText : null);
    if (!ask) {
      return;
    }

    if (!window.confirm(ask)) {
      event.preventDefault();
      return;
    }

    const flag = button.form?.querySelector("input[data-confirmed]");
    if (flag) {
      flag.value = "true";
    }
  });

  // ── Copy ────────────────────────────────────────────────────────────────────
  // Copy buttons are hidden in the markup: without a script there is nothing they could do.
  const revealCopyButtons = (scope) => scope.querySelectorAll("button[data-copy]").forEach((b) => { b.hidden = !navigator.clipboard; });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }

    event.preventDefault();
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.copyStatus);
    try {
      await navigator.clipboard.writeText(source.value ?? source.textContent);
      if (status) {
        status.textContent = "Copied to the clipboard.";
      }
    } catch {
      if (status) {
        status.textContent = "The browser did not allow copying. Select the text and copy it instead.";
      }
    }
  });

  // ── Word counts ─────────────────────────────────────────────────────────────
  const words = (text) => (text.trim().match(/\S+/g) || []).length;
  const updateCount = (output) => {
    const source = document.getElementById(output.dataset.wordCountFor);
    if (source) {
      const n = words(source.value);
      output.textContent = `${n} ${n === 1 ? "word" : "words"}`;
    }
  };
  document.addEventListener("input", (event) => {
    if (event.target.id) {
      document.querySelectorAll(`[data-word-count-for="${CSS.escape(event.target.id)}"]`).forEach(updateCount);
    }
  });

  const enhance = (scope) => {
    revealCopyButtons(scope);
    scope.querySelectorAll("[data-word-count-for]").forEach(updateCount);
  };
  enhance(document);
  document.addEventListener("peregrine:updated", (event) => enhance(event.detail));
})();
