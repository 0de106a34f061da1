// Browser-side helpers the pages call through JS interop: file download, clipboard, Esc to stop, keeping the
// newest turn in view.
window.isrm = {
  download: function (fileName, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type: type || "application/json" }));
    const a = document.createElement("a");
    a.href = url; a.download = fileName; document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
  copy: function (text) { return navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.resolve(); },
  // Esc anywhere on the page stops the running turn (one listener per page instance).
  onEscape: function (dotnet) {
    if (window.isrm._escape) document.removeEventListener("keydown", window.isrm._escape);
    window.isrm._escape = e => { if (e.key === "Escape") dotnet.invokeMethodAsync("StopFromKeyboard"); };
    document.addEventListener("keydown", window.isrm._escape);
  },
  // Keeps the history scrolled to its newest turn while the reader is at the bottom (or a turn was just added),
  // and brings that turn into the window.
  follow: function (history, force) {
    if (!history) return;
    const nearEnd = history.scrollHeight - history.scrollTop - history.clientHeight < 120;
    if (force || nearEnd) history.scrollTop = history.scrollHeight;
    const last = history.lastElementChild;
    if (force && last) last.scrollIntoView({ block: "nearest" });
  }
};
