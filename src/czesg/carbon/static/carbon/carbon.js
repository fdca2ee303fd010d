/* The carbon calculator's table: units that fit the chosen activity, and more rows on demand.
   Without JavaScript the form still works: the server lists units and checks every row. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var data = document.getElementById("carbon-units");
    var body = document.getElementById("activity-rows");
    if (!data || !body) { return; }
    var units = JSON.parse(data.textContent);

    function fillUnits(row) {
      var activity = row.querySelector("select.activity").value;
      var select = row.querySelector("select.unit");
      var choices = units[activity];
      if (!choices) { return; }
      var current = select.value;
      select.textContent = "";
      choices.forEach(function (choice) {
        var option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];
        if (choice[0] === current) { option.selected = true; }
        select.appendChild(option);
      });
    }

    body.addEventListener("change", function (event) {
      if (event.target.matches("select.activity")) { fillUnits(event.target.closest("tr")); }
    });

    var add = document.getElementById("add-row");
    if (add) {
      add.addEventListener("click", function () {
        var rows = body.querySelectorAll("tr.activity-row");
        var copy = rows[rows.length - 1].cloneNode(true);
        var number = rows.length + 1;
        copy.dataset.row = String(number);
        copy.querySelector(".row-number").textContent = String(number);
        copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        copy.querySelector("select.activity").value = "";
        copy.querySelectorAll("[aria-label]").forEach(function (el) {
          el.setAttribute("aria-label", el.getAttribute("aria-label").replace(/\d+$/, String(number)));
        });
        body.appendChild(copy);
        copy.querySelector("select.activity").focus();
      });
    }
  });
})();
