// Attendance sheet: "全部出勤" marks everyone not yet marked as present (one tap for a full
// class). A static file rather than an inline script: the site's CSP has no 'unsafe-inline'.
document.querySelectorAll("[data-all]").forEach(function (btn) {
  btn.addEventListener("click", function () {
    document.querySelectorAll(".sheet-row").forEach(function (row) {
      if (!row.querySelector("input:checked")) {
        var input = row.querySelector('input[value="' + btn.dataset.all + '"]');
        if (input) { input.checked = true; }
      }
    });
  });
});
