/* The proctor console's live parts ([data-live]): htmx refreshes them every few
   seconds, except while the proctor is filling in a form inside one, so nothing
   typed, ticked or chosen is lost and the focus stays put. A refresh skipped for
   that reason says so ([data-live-note]); the next one after the form is sent or
   cleared goes ahead. Buttons and links keep their ids across refreshes, and htmx
   gives the focus back to an element with the same id. */
(function () {
  "use strict";

  function changed(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    return field.value !== field.defaultValue;
  }

  function busy(region) {
    var active = document.activeElement;
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field === active && field.type !== "hidden") {
        return true;
      }
      if (changed(field)) {
        return true;
      }
    }
    return false;
  }

  function note(paused) {
    var element = document.querySelector("[data-live-note]");
    if (!element) {
      return;
    }
    if (!element.dataset.liveText) {
      element.dataset.liveText = element.textContent;
    }
    element.textContent = paused ? element.dataset.pausedText : element.dataset.liveText;
    element.classList.toggle("paused", paused);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-live")) {
      return;
    }
    if (busy(region)) {
      event.preventDefault();
      note(true);
    }
  });

  // A refresh sent before the proctor began typing can come back after: check
  // again before it lands, or it would wipe what was ticked since it was sent.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-live")) {
      return;
    }
    if (busy(region)) {
      event.detail.shouldSwap = false;
      note(true);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.elt && event.detail.elt.hasAttribute("data-live")) {
      note(false);
    }
  });
})();
