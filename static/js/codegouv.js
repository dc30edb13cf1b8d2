// Progressive enhancements; every page works without them.
(function () {
  "use strict";
  // A listing's sort and page size apply as soon as they change (their button stays for
  // visitors without JavaScript).
  document.querySelectorAll(".codegouv-sort select").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
      }
    });
  });
})();
