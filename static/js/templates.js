// The template editor, enhanced: "Add section" clones the formset's empty form (and
// bumps TOTAL_FORMS), sections move up and down (their Position fields follow), a
// section shows only the fields of its source (a draw, or picked questions), and the
// question list filters by title and track. Without JavaScript the same form works:
// "Add another section" re-renders with one more, Position orders, everything shows.
(function () {
  "use strict";
  const form = document.getElementById("template-form");
  if (!form) return;
  const list = document.getElementById("sections");
  const blank = document.getElementById("section-template");
  const total = form.querySelector("input[name='sections-TOTAL_FORMS']");
  const addButton = document.getElementById("add-section");
  const limit = document.getElementById("section-limit");
  const max = Number(list.dataset.max || 20);

  function sections() {
    return Array.from(list.querySelectorAll("fieldset[data-section]"));
  }

  function renumber() {
    let n = 0;
    sections().forEach(function (section, index) {
      const removed = section.querySelector(".section-delete");
      const gone = removed && removed.checked;
      section.classList.toggle("removed", Boolean(gone));
      if (!gone) n += 1;
      section.querySelector(".section-number").textContent = gone ? "(removed when you save)" : String(n);
      const order = section.querySelector(".section-order");
      if (order) order.value = String(index + 1);
    });
    const full = Number(total.value) >= max;
    addButton.disabled = full;
    limit.textContent = full ? "A template has at most " + max + " sections." : "";
  }

  function showSource(section) {
    const checked = section.querySelector("input[type=radio][name$='-source']:checked");
    const source = checked ? checked.value : "draw";
    section.querySelectorAll("[data-when]").forEach(function (part) {
      part.hidden = part.dataset.when !== source;
    });
  }

  function filterQuestions(section) {
    const search = section.querySelector(".picker-search");
    const track = section.querySelector(".picker-track");
    const words = search.value.trim().toLowerCase();
    let shown = 0;
    section.querySelectorAll(".track-group").forEach(function (group) {
      const trackHidden = track.value !== "" && group.dataset.track !== track.value;
      let inGroup = 0;
      group.querySelectorAll("li").forEach(function (item) {
        const match = !trackHidden && (words === "" || item.dataset.title.indexOf(words) !== -1);
        item.hidden = !match;
        if (match) inGroup += 1;
      });
      group.hidden = inGroup === 0;
      shown += inGroup;
    });
    section.querySelector(".picker-count").textContent =
      shown + " question" + (shown === 1 ? "" : "s") + " shown";
  }

  function move(section, step) {
    const all = sections();
    const at = all.indexOf(section);
    const other = all[at + step];
    if (!other) return;
    if (step < 0) list.insertBefore(section, other);
    else list.insertBefore(other, section);
    renumber();
  }

  function enhance(section) {
    section.querySelector(".picker-tools").hidden = false;
    section.querySelector(".move").hidden = false;
    section.querySelectorAll("input[type=radio][name$='-source']").forEach(function (radio) {
      radio.addEventListener("change", function () { showSource(section); });
    });
    showSource(section);
    section.querySelector(".picker-search").addEventListener("input", function () { filterQuestions(section); });
    section.querySelector(".picker-track").addEventListener("change", function () { filterQuestions(section); });
    section.querySelector(".move-up").addEventListener("click", function (event) {
      move(section, -1);
      event.currentTarget.focus();
    });
    section.querySelector(".move-down").addEventListener("click", function (event) {
      move(section, 1);
      event.currentTarget.focus();
    });
    const remove = section.querySelector(".section-delete");
    if (remove) remove.addEventListener("change", renumber);
  }

  addButton.addEventListener("click", function () {
    const index = Number(total.value);
    if (index >= max) return;
    const html = blank.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const section = holder.querySelector("fieldset[data-section]");
    list.appendChild(section);
    total.value = String(index + 1);
    enhance(section);
    renumber();
    section.querySelector("input[name$='-title']").focus();
  });

  sections().forEach(enhance);
  addButton.hidden = false;
  document.getElementById("add-section-nojs").hidden = true;
  renumber();
})();
