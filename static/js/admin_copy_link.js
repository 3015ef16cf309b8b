// The configuration page's "Copy link" (admin): copies the hosted page's address.
// A file rather than an onclick attribute, so the Content-Security-Policy needs no
// inline script.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-copy]");
  if (!link) return;
  event.preventDefault();
  navigator.clipboard.writeText(link.dataset.copy).then(() => {
    link.textContent = "Link copied";
  });
});
