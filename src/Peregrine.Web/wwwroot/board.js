// The Interviews board: the date field of a move shows only for stages that take one, and the arrow keys move between
// cards (up and down within a stage, left and right across stages). The move forms work the same without it.
(() => {
  "use strict";
  const syncDateField = (select) => {
    const field = select.form?.querySelector("[data-when-field]");
    if (field) {
      field.hidden = !select.selectedOptions[0]?.hasAttribute("data-takes-date");
    }
  };

  document.querySelectorAll("select[data-stage-select]").forEach(syncDateField);
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[data-stage-select]")) {
      syncDateField(event.target);
    }
  });

  const columns = () => [...document.querySelectorAll("[data-board-column]")]
    .map((column) => [...column.querySelectorAll("a[data-card-link]")])
    .filter((links) => links.length > 0);

  document.addEventListener("keydown", (event) => {
    const link = event.target.closest?.("a[data-card-link]");
    if (!link || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }

    const grid = columns();
    const col = grid.findIndex((links) => links.includes(link));
    const row = grid[col].indexOf(link);
    const target = {
      ArrowDown: grid[col][row + 1],
      ArrowUp: grid[col][row - 1],
      ArrowRight: grid[col + 1]?.[Math.min(row, grid[col + 1].length - 1)],
      ArrowLeft: grid[col - 1]?.[Math.min(row, grid[col - 1].length - 1)],
    }[event.key];
    if (target) {
      event.preventDefault();
      target.focus();
    }
  });
})();
