/* The guided disclosure form (disclosures/edit.html): every row autosaves through htmx when a
   field changes. Picking a unit before the value is typed is not a change worth saving: the
   empty row would be sent, and a slow answer could wipe what is being typed. Such a change is
   kept in the page and travels with the value once it is typed. Without JavaScript the form
   still works (each row has a Save button) and the server keeps a picked unit as well. */
(function () {
  "use strict";

  function emptyValue(form) {
    var field = form.querySelector("[name=value]");
    return field !== null && field.value.trim() === "";
  }

  // Capture phase on the document: runs before htmx's listener on the row's form.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement) || target.name !== "unit") { return; }
    var form = target.closest("form.answer");
    if (form === null || !emptyValue(form)) { return; }
    var na = form.querySelector("[name=na]");
    if (na !== null && na.checked) { return; }
    event.stopPropagation();
  }, true);
}());
