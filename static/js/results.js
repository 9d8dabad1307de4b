// The practice results page keeps itself current while grading finishes: it long-polls the
// results API (backing off on errors), and when a question's grade changes it fetches this page
// again and swaps in the cards that changed, so the HTML stays the server's alone.
// A coding follow-up's reply is graded apart from the code (never in the score): the
// page also waits for that grade, and swaps its card in when it arrives.
// Without JavaScript the page is the same server HTML; a reload shows new grades.
(function () {
  "use strict";
  const root = document.getElementById("results");
  if (!root || root.dataset.graded === "true") return;

  const FIRST_DELAY_MS = 1500;
  const MAX_DELAY_MS = 30000;
  const GIVE_UP_AFTER_MS = 30 * 60 * 1000; // a grader that is down for long: stop asking
  const started = Date.now();
  let delay = FIRST_DELAY_MS;

  function announce(text) {
    const region = document.getElementById("results-announce");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick, so screen readers read it even if it repeats.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function stateOf(card) {
    return (card.dataset.gradeStatus || "") + "|" + (card.dataset.score || "") + "|" + (card.dataset.followUps || "");
  }

  function changedPositions(payload) {
    const changed = [];
    payload.questions.forEach(function (q) {
      const card = document.getElementById("result-" + q.position);
      const score = q.score === null || q.score === undefined ? "" : String(q.score);
      if (!card) return;
      if (stateOf(card) !== q.grade_status + "|" + score + "|" + (q.follow_ups_state || "")) changed.push(q.position);
    });
    return changed;
  }

  function done(payload) {
    return payload.graded && !payload.follow_ups_pending;
  }

  async function refresh(positions, payload) {
    const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error("page " + response.status);
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const swap = function (id) {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (now && next) now.replaceWith(document.importNode(next, true));
    };
    swap("results-summary");
    positions.forEach(function (position) { swap("result-" + position); });
    const titles = positions.map(function (position) {
      const q = payload.questions.find(function (item) { return item.position === position; });
      return q && q.grade_status === "graded" ? position + ". " + q.title : null;
    }).filter(Boolean);
    if (done(payload)) {
      root.dataset.graded = "true";
      announce("Grading finished. Your score is " + payload.score_display + " out of 100.");
    } else if (titles.length) {
      announce("Graded: " + titles.join("; ") + ".");
    }
  }

  async function poll() {
    try {
      // A long poll once the page knows the grading state it shows: the server answers when
      // a grade changes since then (pushed to it), or after 25 s, so the page asks again at once.
      const known = root.dataset.gradingState;
      const query = known ? "?wait=25&since=" + encodeURIComponent(known) : "";
      const response = await fetch(root.dataset.api + query, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        const payload = await response.json();
        root.dataset.gradingState = payload.grading_state || "";
        const positions = changedPositions(payload);
        if (positions.length || done(payload)) {
          await refresh(positions, payload);
        }
        // The server did the waiting; an answer without a state (no long poll) backs off.
        delay = payload.grading_state ? 250 : Math.min(MAX_DELAY_MS, Math.round(Math.max(FIRST_DELAY_MS, delay) * 1.6));
        if (done(payload)) return;
      } else {
        delay = Math.min(MAX_DELAY_MS, Math.max(FIRST_DELAY_MS, delay * 2));
      }
    } catch (error) {
      delay = Math.min(MAX_DELAY_MS, Math.max(FIRST_DELAY_MS, delay * 2)); // offline for a moment: try again later
    }
    if (Date.now() - started > GIVE_UP_AFTER_MS) {
      announce("Grading is taking longer than usual. Reload this page later to see your grades.");
      return;
    }
    window.setTimeout(poll, delay);
  }

  window.setTimeout(poll, delay);
})();
