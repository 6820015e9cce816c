// The countdown of an opened renewal question. The server keeps the time: it gave
// the seconds left when it sent the page, and it refuses a late answer whatever
// this shows. This only displays them, and tells screen readers now and then.
(function () {
  "use strict";
  var shown = document.getElementById("time-left");
  var announce = document.getElementById("time-announce");
  if (!shown) { return; }
  var ends = Date.now() + Number(shown.getAttribute("data-seconds")) * 1000;
  var lastSaid = null;
  function words(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute left" : " minutes left");
    }
    return seconds + " seconds left";
  }
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    shown.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    // Each whole minute, then at 30 and 10 seconds: often enough to plan, not so
    // often that a screen reader talks over the question.
    var say = null;
    if (left > 0 && left % 60 === 0) { say = words(left); }
    else if (left === 30 || left === 10) { say = words(left); }
    else if (left === 0) { say = "Time is up"; }
    if (say && say !== lastSaid && announce) { announce.textContent = say; lastSaid = say; }
    if (left > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
