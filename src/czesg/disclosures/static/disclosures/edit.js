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

  // An intensity's denominator (per revenue, calculated; or per MW, per t of product, per m²):
  // picking an output basis opens the field for its own value (the calculated per-revenue
  // figure in it is not that value); going back to per revenue is saved (the platform
  // calculates again).
  function pickBasis(event, target) {
    var form = target.closest("form.answer");
    var field = form === null ? null : form.querySelector("[name=value]");
    if (field === null || target.value === "-") { return; }
    if (field.readOnly) {
      field.value = "";
      field.readOnly = false;
      field.focus();
    }
    if (field.value.trim() === "") { event.stopPropagation(); }
  }

  // Capture phase on the document: runs before htmx's listener on the row's form.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.name === "basis") {
      pickBasis(event, target);
      return;
    }
    if (!(target instanceof HTMLSelectElement) || target.name !== "unit") { return; }
    var form = target.closest("form.answer");
    if (form === null || !emptyValue(form)) { return; }
    var na = form.querySelector("[name=na]");
    if (na !== null && na.checked) { return; }
    event.stopPropagation();
  }, true);
}());
