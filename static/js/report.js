// The recruiter's report: landing on a question (#question-3, from the review queue or
// after an override) puts the keyboard focus on it, and on its confirmation or error when
// the page carries one, so a screen reader announces where the reader is.
(function () {
  "use strict";

  function land() {
    var error = document.querySelector(".report .field-error");
    if (error) {
      var field = document.querySelector('[aria-describedby="' + error.id + '"]');
      (field || error).focus();
      (field || error).scrollIntoView({ block: "center" });
      return;
    }
    var match = /^#(?:question-|q)(\d+)$/.exec(window.location.hash);
    if (!match) return;
    var heading = document.getElementById("question-" + match[1]);
    if (!heading) return;
    var card = heading.closest(".report-question");
    var status = card && card.querySelector(".override-status");
    // The heading at the top of the view, the status (just below it) focused without
    // scrolling again, so the reader sees the question and its confirmation together.
    heading.scrollIntoView({ block: "start" });
    (status || heading).focus({ preventScroll: true });
  }

  // After "load": the browser's own jump to the fragment (which focuses the heading, it
  // being focusable) is done by then, and does not take the focus back from the status.
  function later() {
    window.setTimeout(land, 0);
  }
  if (document.readyState === "complete") {
    later();
  } else {
    window.addEventListener("load", later);
  }
  window.addEventListener("hashchange", land);
})();
