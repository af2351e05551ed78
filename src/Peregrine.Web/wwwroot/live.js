// Live progress. A section marked data-live (with an id) shows background tasks, and lists in data-watch the ids of
// those not yet finished. While any is unfinished, upstream's task list (api/tasks) is polled: a task's stage updates
// in place, and when one finishes the page is fetched again and every live section is replaced by its new version,
// so what appears is exactly what a reload would show (the letter, the research, the failure and its Retry). Without
// this script each such section has a Refresh link.
(() => {
  "use strict";
  const base = document.baseURI;
  const firstDelay = 1200;
  const longestDelay = 8000;
  const giveUpAfter = 30 * 60 * 1000;
  const started = Date.now();
  let delay = firstDelay;
  let timer = null;

  const announce = (text) => {
    const region = document.getElementById("live-announcer");
    if (region && text) {
      region.textContent = "";
      setTimeout(() => { region.textContent = text; }, 50);
    }
  };

  const watched = () => new Set([...document.querySelectorAll("[data-live][data-watch]")]
    .flatMap((section) => section.dataset.watch.split(/\s+/).filter(Boolean)));

  const schedule = () => {
    if (timer || watched().size === 0 || Date.now() - started > giveUpAfter) {
      return;
    }

    timer = setTimeout(poll, delay);
  };

  const showProgress = (task) => {
    document.querySelectorAll(`[data-task-id="${CSS.escape(String(task.id))}"]`).forEach((status) => {
      status.dataset.status = task.status;
      const stage = status.querySelector("[data-task-stage]");
      if (stage) {
        stage.textContent = task.stage || (task.status === "queued" ? "Waiting to start…" : "Working…");
      }
    });
  };

  const hasUnsavedEdits = (section) => [...section.querySelectorAll("textarea, input[type=text], input:not([type])")]
    .some((field) => field.value !== field.defaultValue);

  // The user is typing in this section: never pull the text from under them; offer the new version instead.
  const offerNewVersion = (section, next) => {
    if (section.querySelector("[data-new-version]")) {
      return;
    }

    const offer = document.createElement("p");
    offer.className = "notice notice-info";
    offer.dataset.newVersion = "";
    offer.append("A new version is ready. ");
    const show = document.createElement("button");
    show.type = "button";
    show.className = "link";
    show.textContent = "Show it (replaces your unsaved changes here)";
    show.addEventListener("click", () => replace(section, next));
    offer.append(show);
    section.prepend(offer);
    announce("A new version is ready.");
  };

  const replace = (section, next) => {
    const focusedId = section.contains(document.activeElement) ? document.activeElement.id : null;
    const adopted = document.importNode(next, true);
    section.replaceWith(adopted);
    announce([...adopted.querySelectorAll("[data-announce]")].map((n) => n.textContent.trim()).join(" "));
    if (focusedId) {
      document.getElementById(focusedId)?.focus();
    }

    document.dispatchEvent(new CustomEvent("peregrine:updated", { detail: adopted }));
  };

  const refresh = async () => {
    const response = await fetch(location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) {
      return;
    }

    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    document.querySelectorAll("[data-live]").forEach((section) => {
      const next = fresh.getElementById(section.id);
      if (!next || next.isEqualNode(section)) {
        return;
      }

      if (hasUnsavedEdits(section)) {
        offerNewVersion(section, next);
      } else {
        replace(section, next);
      }
    });
  };

  const poll = async () => {
    timer = null;
    if (document.hidden) {
      document.addEventListener("visibilitychange", schedule, { once: true });
      return;
    }

    try {
      const response = await fetch(new URL("api/tasks", base), { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }

      const active = new Map((await response.json()).map((task) => [String(task.id), task]));
      let finished = false;
      watched().forEach((id) => {
        const task = active.get(id);
        if (task) {
          showProgress(task);
        } else {
          finished = true;
        }
      });

      if (finished) {
        await refresh();
        delay = firstDelay;
      } else {
        delay = Math.min(delay * 1.3, longestDelay);
      }
    } catch {
      delay = Math.min(delay * 2, longestDelay);
    }

    schedule();
  };

  // A form posted from a live section (Generate, Retry) renders a new task to watch: begin at once.
  schedule();
  document.addEventListener("peregrine:updated", schedule);
})();
