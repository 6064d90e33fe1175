// <form data-confirm="确定……吗？">: ask before submitting. Replaces onsubmit="return confirm()"
// handlers, which the site's CSP (no 'unsafe-inline') refuses to run.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
});
