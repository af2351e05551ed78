// Application questions: "Suggest" asks upstream's endpoint (POST api/jobs/{id}/qa/suggest) and puts the answer in
// place, without posting the form; nothing is saved until Save. Without this script Suggest posts the form and the
// page comes back with the suggestion filled in.
(() => {
  "use strict";
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-suggest-url]");
    if (!button) {
      return;
    }

    const item = button.closest("[data-qa-item]");
    const section = button.closest("[data-qa]");
    const question = item.querySelector("[data-qa-question]").value.trim();
    const answer = item.querySelector("[data-qa-answer]");
    const status = item.querySelector("[data-qa-status]");
    if (!question) {
      return; // the server says what is missing
    }

    event.preventDefault();
    if (answer.value.trim() && !window.confirm("Replace your answer with a suggestion?")) {
      return;
    }

    button.disabled = true;
    status.textContent = "Writing a suggestion…";
    try {
      const response = await fetch(new URL(button.dataset.suggestUrl, document.baseURI), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ question }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok && typeof body.answer === "string") {
        answer.value = body.answer;
        status.textContent = "Suggestion added. Edit it if you like, then save your answers.";
      } else if (response.status === 503) {
        status.textContent = section.dataset.unavailable;
      } else {
        status.textContent = body.detail || section.dataset.unavailable;
      }
    } catch {
      status.textContent = section.dataset.unavailable;
    } finally {
      button.disabled = false;
    }
  });
})();
