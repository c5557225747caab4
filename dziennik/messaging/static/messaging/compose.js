/* The compose page's recipients: the list of people the sender may write to (a plain
   multiple select without JavaScript) becomes a search field and a list of check boxes,
   so a principal choosing among hundreds of people types a few letters instead of
   scrolling with Ctrl held down. The select stays in the form, hidden, and carries the
   choice; its words come from the page (data-* attributes, translated there). */
(function () {
  "use strict";
  var select = document.getElementById("id_recipients");
  var picker = document.getElementById("recipient-picker");
  if (!select || !picker) return;

  var search = picker.querySelector("input[type=search]");
  var list = picker.querySelector(".recipient-options");
  var status = picker.querySelector(".recipient-status");

  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ł/g, "l")
      .replace(/Ł/g, "L").toLowerCase();
  }

  var items = Array.prototype.map.call(select.options, function (option, index) {
    var item = document.createElement("li");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "recipient-" + option.value;
    box.value = option.value;
    box.checked = option.selected;
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.textContent = option.textContent;
    item.appendChild(box);
    item.appendChild(label);
    list.appendChild(item);
    box.addEventListener("change", function () {
      select.options[index].selected = box.checked;
      report();
    });
    return { item: item, box: box, key: folded(option.textContent) };
  });

  function report() {
    var shown = items.filter(function (i) { return !i.item.hidden; }).length;
    var chosen = items.filter(function (i) { return i.box.checked; }).length;
    status.textContent = picker.dataset.shown.replace("{shown}", shown)
      .replace("{all}", items.length) + " " + picker.dataset.chosen.replace("{n}", chosen);
  }

  search.addEventListener("input", function () {
    var words = folded(search.value).split(/\s+/).filter(Boolean);
    items.forEach(function (i) {
      i.item.hidden = !words.every(function (w) { return i.key.indexOf(w) !== -1; });
    });
    report();
  });
  // Enter in the search field must not send the half-written message.
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });

  document.getElementById("recipients-field").hidden = true;
  picker.hidden = false;
  report();
})();
