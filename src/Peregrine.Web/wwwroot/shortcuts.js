// Review shortcuts: a key clicks the button that carries it in data-shortcut. Without this script the buttons work the same.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest("input, textarea, select, [contenteditable]")) {
    return;
  }
  const button = document.querySelector(`[data-shortcut="${event.key.toLowerCase()}"]`);
  if (button) {
    event.preventDefault();
    button.click();
  }
});
