// Browser-side helpers the pages call through JS interop: file download and clipboard.
window.isrm = {
  download: function (fileName, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url; a.download = fileName; document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  },
  copy: function (text) { return navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.resolve(); }
};
