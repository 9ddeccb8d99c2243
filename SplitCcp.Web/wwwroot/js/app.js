// Small helpers called from Blazor. Kept in a file (not inline) so the Content-Security-Policy can forbid inline scripts.
window.splitCcp = {
  prefersDark() {
    const saved = localStorage.getItem("splitccp-theme");
    if (saved) {
      return saved === "dark";
    }
    return window.matchMedia("(prefers-color-scheme: dark)").matches;
  },
  saveTheme(value) {
    localStorage.setItem("splitccp-theme", value);
  },
  async copy(text) {
    await navigator.clipboard.writeText(text);
  },
};
