// The interview page. Everything goes through the session API; the server owns the
// clock and decides what is saved. A save is shown as saved only once the server
// confirmed it; a failed save is retried until it is, and whatever is not confirmed
// yet is sent once more (keepalive) when the page is hidden or closed.
(function () {
  "use strict";
  const root = document.getElementById("interview");
  if (!root) return;
  const sessionId = root.dataset.session;
  const mode = root.dataset.mode;
  const csrf = root.dataset.csrf;
  const $ = (id) => document.getElementById(id);
  const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  const runKeys = isMac ? "⌘+Enter" : "Ctrl+Enter";

  let session = null;
  let clockOffset = 0; // server time minus browser time, in ms
  let current = null; // position shown
  let closed = false;
  const answers = {}; // position -> {payload, revision, confirmed, saving, timer, failures}
  const editors = {};
  // The interviewer's follow-up questions (templates with follow_ups): follow-up id ->
  // {id, position, number, question, deadline, serverState, text, revision, confirmed, …}.
  // Replies are saved like answers: debounced, with revisions, retried, sent on pagehide.
  const followUps = {};
  const known = new Set(); // follow-ups already on the page: each is announced once
  let focusAfterSubmit = null; // the position whose Submit the candidate just pressed

  // What kinds and verdicts are called on screen: the server's names (session.labels),
  // the same the results page uses.
  let KINDS = {};
  let VERDICTS = {};
  const MULTIPLE_RULE =
    "Select all that apply. Partial credit: each correct option you pick earns its share; each wrong pick takes one share away; the score never goes below zero.";

  // -- what this browser keeps for the session (the question shown, custom input, the
  // last run), so a reload or a crash loses none of it ---------------------------------

  const store = {
    key: (name) => `mockloop:session:${sessionId}:${name}`,
    get(name) {
      try {
        const text = window.localStorage.getItem(this.key(name));
        return text === null ? null : JSON.parse(text);
      } catch (error) { return null; }
    },
    set(name, value) {
      try { window.localStorage.setItem(this.key(name), JSON.stringify(value)); } catch (error) { /* full or disabled */ }
    },
  };

  async function api(method, url, body) {
    const options = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrf, Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      return { ok: false, status: 0, data: { error: { code: "network", message: "No connection to the server." } } };
    }
    let data = null;
    if (response.status !== 204) {
      try { data = await response.json(); } catch (error) { data = null; }
    }
    return { ok: response.ok, status: response.status, data };
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value; // only ever server-sanitized HTML
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child !== "" && child !== null && child !== undefined) node.append(child);
    return node;
  }

  function announce(text) {
    // Cleared first, so the same words said twice are announced twice.
    const node = $("announcer");
    node.textContent = "";
    setTimeout(() => (node.textContent = text), 50);
  }

  function errorMessage(result, fallback) {
    return result.data && result.data.error ? result.data.error.message : fallback;
  }

  // -- clock ----------------------------------------------------------------------

  let lastMinuteAnnounced = null;
  const warned = { five: false, one: false };

  function remainingMs() {
    return Date.parse(session.deadline) - (Date.now() + clockOffset);
  }

  function minutesText(minutes) {
    return minutes === 1 ? "1 minute" : `${minutes} minutes`;
  }

  function tick() {
    const left = Math.max(0, remainingMs());
    const minutes = Math.floor(left / 60000);
    const seconds = Math.floor((left % 60000) / 1000);
    $("countdown").textContent = `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
    $("countdown").classList.toggle("urgent", left < 60000);
    $("countdown").classList.toggle("soon", left < 300000);
    if (closed) return;
    for (const fu of Object.values(followUps)) {
      if (!fu.ended && !fu.ending && (followUpLeftMs(fu) <= 0 || fu.serverState !== "open")) followUpEnd(fu, fu.announceEnd);
      followUpClock(fu);
    }
    // A section whose time is over closes its questions (the interview's own end is below).
    for (const q of session.questions) {
      if (!q.sectionEnded && left > 0 && sectionOver(q) && Date.parse(q.section_deadline) < Date.parse(session.deadline)) sectionEnd(q);
    }
    if (left <= 60000 && left > 0 && !warned.one) {
      warned.one = warned.five = true;
      banner("1 minute left. Your answers are saved as you type; when the clock reaches 0:00, the interview ends by itself.", "warning");
    } else if (left <= 300000 && left > 60000 && !warned.five) {
      warned.five = true;
      banner("5 minutes left. Your answers are saved as you type; when the clock reaches 0:00, the interview ends by itself.", "warning");
    } else {
      // Once a minute, for screen readers; the countdown itself is not a live region.
      const whole = Math.ceil(left / 60000);
      if (lastMinuteAnnounced === null) lastMinuteAnnounced = whole;
      else if (whole !== lastMinuteAnnounced && left > 0) {
        lastMinuteAnnounced = whole;
        announce(`${minutesText(whole)} left`);
      }
    }
    if (left <= 0) timeUp();
  }

  async function timeUp() {
    closed = true;
    banner("Time is up. Your saved answers are being graded.", "warning");
    document.querySelectorAll("#answer-area button, #answer-area input, #answer-area textarea").forEach((n) => (n.disabled = true));
    await saveAll(); // anything in flight still counts within the server's grace period
    flushEvents();
    // Any request now makes the server finalize the session; then show the results.
    setTimeout(async () => {
      await api("GET", `/api/sessions/${sessionId}/`);
      recording = false;
      window.location.href = root.dataset.resultsUrl;
    }, 6000);
  }

  function banner(text, kind) {
    const node = $("banner");
    node.textContent = text;
    node.className = `banner ${kind || ""}`;
    node.hidden = false;
    announce(text);
  }

  // -- saving ---------------------------------------------------------------------

  function setStatus(text, kind) {
    const node = $("save-status");
    node.textContent = text;
    node.dataset.state = kind;
  }

  function refreshStatus() {
    const pending = [...Object.values(answers), ...Object.values(followUps)].filter((a) => a.revision > a.confirmed);
    const failing = pending.some((a) => a.failures > 0);
    if (failing) setStatus("Not saved yet — retrying…", "error");
    else if (pending.length) setStatus("Saving…", "saving");
    else setStatus(`All answers saved ${new Date().toLocaleTimeString()}`, "saved");
    Object.values(followUps).forEach(updatePanel);
    renderList();
  }

  function changed(position, payload) {
    if (closed) return;
    const answer = answers[position];
    answer.payload = payload;
    answer.revision += 1;
    clearTimeout(answer.timer);
    answer.timer = setTimeout(() => save(position), 800);
    refreshStatus();
  }

  async function save(position) {
    const answer = answers[position];
    if (answer.saving || answer.revision <= answer.confirmed) return;
    answer.saving = true;
    const revision = answer.revision;
    const result = await api("PUT", `/api/sessions/${sessionId}/answers/${position}/`, { payload: answer.payload, revision });
    answer.saving = false;
    if (result.ok) {
      answer.failures = 0;
      if (result.data.revision > revision) {
        // Another tab saved something newer meanwhile; what this tab shows is the
        // candidate's latest intent here, so it goes in on top.
        answer.revision = result.data.revision + 1;
      }
      answer.confirmed = Math.max(answer.confirmed, Math.min(result.data.revision, revision));
    } else if (result.status === 409) {
      conflict(result, position);
    } else if (result.status >= 400 && result.status < 500) {
      answer.failures += 1;
      banner(`Not saved: ${errorMessage(result, "the server refused the answer")}`, "error");
    } else {
      answer.failures += 1;
      const delay = Math.min(30000, 1000 * 2 ** answer.failures);
      clearTimeout(answer.timer);
      answer.timer = setTimeout(() => save(position), delay);
    }
    refreshStatus();
    if (answer.revision > answer.confirmed && result.ok) save(position);
  }

  // A save, a submit or a reply the server refused as too late (409): a written answer
  // submitted already (in another tab) stays as submitted; a section whose time is over
  // closes its questions only; otherwise the interview is over and the results follow.
  function conflict(result, position) {
    const code = result.data && result.data.error ? result.data.error.code : "";
    const question = position === undefined ? null : questionAt(position);
    if (question && code === "answer_submitted") {
      answers[position].confirmed = answers[position].revision;
      reread();
      return;
    }
    if (question && (code === "section_closed" || (code === "session_closed" && remainingMs() > 0 && sectionOver(question)))) {
      answers[position].confirmed = answers[position].revision;
      if (!question.sectionEnded) sectionEnd(question);
      return;
    }
    closed = true;
    banner(errorMessage(result, "This interview is over."), "warning");
    setTimeout(() => (window.location.href = root.dataset.resultsUrl), 4000);
  }

  async function saveAll() {
    await Promise.all([
      ...Object.keys(answers).map((position) => save(Number(position))),
      ...Object.values(followUps).map((fu) => saveReply(fu)),
    ]);
  }

  function hasUnsaved() {
    return [...Object.values(answers), ...Object.values(followUps)].some((a) => a.revision > a.confirmed);
  }

  function sendKeepalive(url, body) {
    try {
      fetch(url, {
        method: "PUT", credentials: "same-origin", keepalive: true,
        headers: { "X-CSRFToken": csrf, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      }).catch(() => {});
    } catch (error) { /* a body over keepalive's 64 KiB: the regular save retries if the page lives */ }
  }

  // The page is being hidden or closed: what is not confirmed yet goes now, in requests
  // that outlive the page (keepalive can carry the CSRF header; sendBeacon cannot). A
  // save the server already has is ignored by its revision, so sending twice is safe.
  function saveBeforeLeaving() {
    if (closed || !session) return;
    for (const [position, answer] of Object.entries(answers)) {
      if (answer.revision <= answer.confirmed) continue;
      clearTimeout(answer.timer);
      sendKeepalive(`/api/sessions/${sessionId}/answers/${position}/`, { payload: answer.payload, revision: answer.revision });
      // If the page stays (a hidden tab comes back), the regular save confirms it.
      answer.timer = setTimeout(() => save(Number(position)), 1000);
    }
    for (const fu of Object.values(followUps)) {
      if (fu.revision <= fu.confirmed) continue;
      clearTimeout(fu.timer);
      sendKeepalive(`/api/sessions/${sessionId}/follow-ups/${fu.id}/`, { text: fu.text, revision: fu.revision });
      fu.timer = setTimeout(() => saveReply(fu), 1000);
    }
  }

  // Every few seconds, whatever is not confirmed yet is sent again.
  setInterval(() => { if (!closed) saveAll(); }, 5000);
  window.addEventListener("pagehide", saveBeforeLeaving);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveBeforeLeaving(); });
  window.addEventListener("beforeunload", (event) => {
    if (hasUnsaved()) {
      saveBeforeLeaving();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // -- integrity events (assessments only) -----------------------------------------
  // Pastes and copies (their size, never their text) and leaving or returning to the
  // page, for the recruiter. Strictly fire-and-forget: a lost batch is lost, and
  // nothing here may ever disturb the interview.

  let recording = mode === "assessment";
  const pending = []; // events not sent yet
  const MAX_PENDING = 500; // the server keeps at most 2000 per session anyway
  const BATCH = 100; // the server's maximum per request
  let away = false;

  function record(kind, chars) {
    // Before the session is loaded the clock offset is unknown: nothing is recorded.
    if (!recording || !session || pending.length >= MAX_PENDING) return;
    // The server's time, so events line up with the session's start and deadline.
    const at = new Date(Date.now() + clockOffset).toISOString();
    pending.push({ kind, position: current, chars: Math.min(chars || 0, 100000000), at });
  }

  function codePoints(text) {
    // The length as the server counts characters (astral characters count once).
    return text.length - (text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) || []).length;
  }

  function leave() {
    if (away) return; // "blur" and "hidden" both fire when switching tabs: one absence
    away = true;
    record("focus_lost");
    flushEvents(); // the page may not come back
  }

  function comeBack() {
    if (!away) return;
    away = false;
    record("focus_back");
  }

  function flushEvents() {
    const sends = [];
    while (recording && pending.length) {
      const events = pending.splice(0, BATCH);
      // keepalive lets the request outlive the page (pagehide, closing the tab); unlike
      // sendBeacon it can carry the CSRF header the API needs.
      const request = fetch(`/api/sessions/${sessionId}/events/`, {
        method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "X-CSRFToken": csrf, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ events }),
      }).then((response) => {
        if (response.status === 409) { recording = false; pending.length = 0; } // finished: nothing more is recorded
      }).catch(() => {});
      sends.push(request);
    }
    return Promise.all(sends);
  }

  if (recording) {
    document.addEventListener("paste", (event) => {
      if (!root.contains(event.target)) return;
      const text = event.clipboardData ? event.clipboardData.getData("text/plain") : "";
      record("paste", codePoints(text));
    }, true); // capture: seen even if the editor stops the event
    document.addEventListener("copy", (event) => {
      if (!root.contains(event.target)) return;
      const target = event.target;
      const field = target && typeof target.selectionStart === "number" && typeof target.value === "string";
      const text = field ? target.value.slice(target.selectionStart, target.selectionEnd) : String(window.getSelection() || "");
      record("copy", codePoints(text));
    }, true);
    window.addEventListener("blur", leave);
    window.addEventListener("focus", comeBack);
    document.addEventListener("visibilitychange", () => (document.visibilityState === "hidden" ? leave() : comeBack()));
    window.addEventListener("pagehide", () => { leave(); flushEvents(); });
    setInterval(flushEvents, 5000);
  }

  // -- the split between the problem and the answer ---------------------------------
  // A separator (role="separator", with aria-valuenow) that a pointer drags and the
  // arrow keys move; the split is remembered in this browser.

  const SPLIT_MIN = 25;
  const SPLIT_MAX = 75;
  let split = 42;
  try { split = Number(window.localStorage.getItem("mockloop:split")) || split; } catch (error) { /* disabled */ }

  function setSplit(value, remember) {
    split = Math.round(Math.min(SPLIT_MAX, Math.max(SPLIT_MIN, value)));
    $("split").style.setProperty("--split", `${split}%`);
    const handle = $("splitter");
    handle.setAttribute("aria-valuenow", String(split));
    handle.setAttribute("aria-valuetext", `problem ${split}% of the width, answer ${100 - split}%`);
    if (remember) { try { window.localStorage.setItem("mockloop:split", String(split)); } catch (error) { /* disabled */ } }
  }

  function setUpSplitter() {
    const handle = $("splitter");
    const area = $("split");
    setSplit(split, false);
    handle.addEventListener("keydown", (event) => {
      const steps = { ArrowLeft: -5, ArrowRight: 5, ArrowUp: 5, ArrowDown: -5 };
      if (event.key in steps) setSplit(split + steps[event.key], true);
      else if (event.key === "Home") setSplit(SPLIT_MIN, true);
      else if (event.key === "End") setSplit(SPLIT_MAX, true);
      else return;
      event.preventDefault();
    });
    handle.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      handle.setPointerCapture(event.pointerId);
      handle.classList.add("dragging");
      const move = (e) => {
        const box = area.getBoundingClientRect();
        setSplit(((e.clientX - box.left) / box.width) * 100, false);
      };
      const up = () => {
        handle.classList.remove("dragging");
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        setSplit(split, true);
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
  }

  // -- rendering ------------------------------------------------------------------

  function questionAt(position) {
    return session.questions.find((q) => q.position === Number(position));
  }

  function serverNow() {
    return Date.now() + clockOffset;
  }

  function sectionOver(question) {
    return Boolean(question.section_deadline) && Date.parse(question.section_deadline) < serverNow();
  }

  function submitted(question) {
    return question.kind === "free_text" && Boolean(question.answer.submitted_at);
  }

  // Whether the answer to this question can no longer change: the interview is over, its
  // section's time is, or (a written answer) it was submitted for its follow-ups.
  function locked(question) {
    return closed || Boolean(question.sectionEnded) || sectionOver(question) || submitted(question);
  }

  function isAnswered(question) {
    const payload = answers[question.position].payload || {};
    if (question.kind === "coding") return Boolean(payload.source && payload.source !== question.content.starter);
    if (question.kind === "multiple_choice") return (payload.selected || []).length > 0;
    if (question.kind === "numeric") return payload.value !== undefined && payload.value !== null && payload.value !== "";
    return Boolean(payload.text && payload.text.trim());
  }

  function renderList() {
    const list = $("question-list");
    list.replaceChildren(
      ...session.questions.map((q) => {
        const answer = answers[q.position];
        const state = answer.revision > answer.confirmed ? "unsaved" : isAnswered(q) ? "answered" : "empty";
        const open = Object.values(followUps).filter((f) => f.position === q.position && !f.ended).length;
        const stateText = { unsaved: "saving", answered: "answered", empty: "not answered" }[state]
          + (open ? ` · ${open === 1 ? "follow-up" : `${open} follow-ups`} open` : "");
        return el("li", { class: `${q.position === current ? "current" : ""} ${state}` }, [
          el("button", {
            type: "button", "data-position": q.position, "aria-current": q.position === current ? "step" : null,
            onclick: () => show(q.position),
          }, [
            el("span", { class: "q-number", text: String(q.position) }),
            el("span", { class: "q-text" }, [
              el("span", { class: "q-title", text: q.title }),
              el("span", { class: "q-kind", text: `${KINDS[q.kind] || ""} · ${stateText}` }),
            ]),
          ]),
        ]);
      })
    );
  }

  function show(position) {
    current = position;
    store.set("current", position);
    record("question_shown"); // time per question, for the recruiter
    const question = session.questions.find((q) => q.position === position);
    $("question-title").textContent = question.title;
    const kind = KINDS[question.kind] || "";
    // A section named after the kind ("Coding") is not said twice.
    const where = question.section.toLowerCase() === kind.toLowerCase() ? [kind] : [question.section, kind];
    $("question-meta").textContent = [`Question ${position} of ${session.questions.length}`, ...where].join(" · ");
    $("prompt").innerHTML = question.prompt_html; // sanitized by the server
    // A wide code block scrolls sideways: keyboard users reach it with Tab, then the arrows.
    $("prompt").querySelectorAll("pre").forEach((block) => (block.tabIndex = 0));
    $("examples").replaceChildren();
    const sideBySide = question.kind === "coding" || question.kind === "free_text";
    $("split").classList.toggle("side-by-side", sideBySide);
    $("split").classList.toggle("coding", question.kind === "coding");
    $("splitter").hidden = !sideBySide;
    if (focusAfterSubmit !== position) focusAfterSubmit = null;
    renderAnswerArea(question);
    renderList();
  }

  function renderAnswerArea(question) {
    const area = $("answer-area");
    area.replaceChildren();
    delete editors.code;
    delete editors.text;
    ({ coding: renderCoding, multiple_choice: renderChoice, numeric: renderNumeric, free_text: renderText })[question.kind](area, question);
  }

  function renderChoice(area, question) {
    const selected = new Set(answers[question.position].payload.selected || []);
    const multiple = question.content.multiple;
    const type = multiple ? "checkbox" : "radio";
    const fieldset = el("fieldset", { class: "options" }, [
      el("legend", { text: multiple ? MULTIPLE_RULE : "Select one." }),
    ]);
    question.content.options.forEach((option, index) => {
      // Labelled in the order shown (this session's option order), as the results page labels them.
      const letter = option.label || String.fromCharCode(65 + index);
      const input = el("input", { type, name: `q${question.position}`, value: option.id, id: `option-${question.position}-${option.id}` });
      input.checked = selected.has(option.id);
      input.disabled = locked(question);
      input.addEventListener("change", () => {
        const chosen = [...fieldset.querySelectorAll("input:checked")].map((n) => n.value);
        changed(question.position, { selected: chosen });
      });
      fieldset.append(el("label", { class: "option", for: input.id }, [
        input, el("span", { class: "option-letter", text: `${letter}.` }), el("span", { class: "option-text", html: option.html }),
      ]));
    });
    area.append(fieldset);
  }

  function renderNumeric(area, question) {
    const value = answers[question.position].payload.value;
    const input = el("input", { type: "text", inputmode: "decimal", id: "numeric-answer", autocomplete: "off", "aria-describedby": "numeric-error" });
    input.value = value === undefined || value === null ? "" : String(value);
    input.disabled = locked(question);
    const error = el("span", { class: "error", id: "numeric-error", "aria-live": "polite" });
    input.addEventListener("input", () => {
      const text = input.value.trim();
      if (text !== "" && !Number.isFinite(Number(text))) {
        error.textContent = "Enter a number, like 0.75 or 1e-3.";
        return;
      }
      error.textContent = "";
      changed(question.position, { value: text === "" ? null : Number(text) });
    });
    area.append(el("div", { class: "numeric" }, [
      el("label", { for: "numeric-answer", text: "Your answer" }), input,
      el("span", { class: "muted", text: question.content.unit || "" }), error,
    ]));
  }

  function wordCount(text) {
    return text.trim() ? text.trim().split(/\s+/).length : 0;
  }

  function renderText(area, question) {
    const done = submitted(question);
    const holder = el("div", { class: `editor markdown-editor${done ? " submitted" : ""}`, id: "text-editor" });
    const preview = el("div", { class: "prompt preview", id: "text-preview", hidden: true });
    const max = question.content.max_words;
    const words = el("span", { class: "word-count", id: "word-count" });
    const showCount = (text) => {
      const n = wordCount(text);
      words.textContent = `${n} / ${max} words`;
      words.classList.toggle("over", n > max);
    };
    const toggle = el("button", {
      type: "button", class: "secondary", text: "Preview", "aria-controls": "text-preview",
      onclick: async () => {
        if (preview.hidden) {
          const result = await api("POST", "/api/markdown/preview/", { text: editors.text.getValue() });
          preview.innerHTML = result.ok ? result.data.html : "";
          preview.hidden = false; holder.hidden = true; toggle.textContent = "Edit";
        } else {
          preview.hidden = true; holder.hidden = false; toggle.textContent = "Preview";
        }
      },
    });
    area.append(
      el("div", { class: "toolbar" }, [el("span", { class: "answer-label", id: "text-label", text: done ? "Your submitted answer" : "Your answer" }), toggle, words]),
      done ? "" : el("p", { class: "hint", id: "text-hint", text: `Markdown is fine: # headings, - lists, **bold**. At most ${max} words.` }),
      holder, preview,
    );
    if (session.follow_ups) area.append(...submitRow(question), followUpsArea(question));
    const start = answers[question.position].payload.text || "";
    showCount(start);
    editors.text = window.MockloopEditor.create(holder, {
      doc: start, language: "markdown", readOnly: locked(question),
      label: done ? `Your submitted answer to ${question.title} (read only)` : `Your answer to ${question.title} (Markdown, at most ${max} words)`,
      onChange: (text) => {
        showCount(text);
        changed(question.position, { text });
      },
    });
  }

  function examplesOf(question) {
    const tests = question.content.visible_tests || [];
    if (!tests.length) return "";
    return el("section", { class: "examples", "aria-labelledby": "examples-title" }, [
      el("h2", { id: "examples-title", text: "Example tests" }),
      el("ul", {}, tests.map((t) => el("li", {}, [
        el("strong", { text: t.name }),
        t.input_text !== null && t.input_text !== undefined
          ? el("pre", { class: "example-input" }, [el("code", { text: t.input_text })])
          : el("span", { class: "muted", text: " generated input" }),
        t.expected_text !== undefined ? el("div", {}, [document.createTextNode("Expected: "), el("code", { text: t.expected_text })]) : "",
        t.check ? el("div", { class: "muted", text: "Checked by a property, not one fixed answer." }) : "",
      ]))),
    ]);
  }

  function plural(n, noun) {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
  }

  function limitsText(content) {
    return `Limits per test: ${content.time_limit_seconds} s of CPU time, ${content.wall_limit_seconds} s wall clock, ${content.memory_limit_mb} MB`;
  }

  function renderCoding(area, question) {
    const content = question.content;
    const position = question.position;
    $("examples").replaceChildren(examplesOf(question));
    const stdio = content.mode === "stdio";
    const holder = el("div", { class: "editor code-editor", id: "code-editor" });
    const output = el("div", { class: "run-output", id: "run-output", "aria-live": "polite" });
    const first = (content.visible_tests || []).find((t) => t.args !== undefined);
    const example = first ? pythonArgs(first) : "[[1, 2, 3], 4]";
    const custom = el("textarea", {
      id: "custom-input", rows: "2", spellcheck: "false", autocomplete: "off", "aria-describedby": "custom-input-help",
      placeholder: stdio ? "Text for standard input" : example,
    });
    custom.value = store.get(`custom:${position}`) || "";
    custom.disabled = locked(question);
    custom.addEventListener("input", () => store.set(`custom:${position}`, custom.value));
    const run = el("button", { type: "button", id: "run", text: "Run", title: `Run the example tests (${runKeys})`, "aria-keyshortcuts": "Control+Enter Meta+Enter" });
    const submit = el("button", { type: "button", id: "submit", class: "secondary", text: "Submit" });
    const runState = el("span", { class: "run-state", id: "run-state" });
    run.disabled = submit.disabled = locked(question) || running !== null;
    const context = { question, custom, output, run, submit, runState };
    run.addEventListener("click", () => runCode(context, "run"));
    submit.addEventListener("click", () => runCode(context, "submit"));
    area.append(
      el("div", { class: "editor-label" }, [
        el("span", { class: "answer-label", text: "Your code (Python)" }),
        el("span", { class: "hint", id: "editor-hint", text: `Tab indents. To leave the editor, press Esc, then Tab. ${runKeys} runs.` }),
      ]),
      holder,
      el("div", { class: "toolbar" }, [run, submit, runState]),
      // The console under the editor scrolls by itself: the editor never scrolls away.
      el("div", { class: "console", id: "console" }, [
      el("p", { class: "muted limits", id: "limits", text: `${plural(content.visible_tests.length, "example test")}, ${content.hidden_test_count} hidden. ${limitsText(content)}.` }),
      el("div", { class: "custom-input" }, [
        el("label", { for: "custom-input", text: "Custom input (optional)" }),
        el("p", { class: "hint", id: "custom-input-help", text: stdio
          ? "Text given to your program on standard input. Run shows what it prints."
          : `The arguments for ${content.entrypoint} as a list, in Python or JSON, e.g. ${example}. Run shows what it returns.` }),
        custom,
      ]),
      output,
      // The interviewer's follow-up on an accepted solution (or, in an assessment, after Submit).
      session.follow_ups ? followUpsArea(question) : "",
      ]),
    );
    editors.code = window.MockloopEditor.create(holder, {
      doc: answers[position].payload.source || content.starter,
      language: "python", readOnly: locked(question), label: `Code editor for ${question.title} (Python)`,
      onRun: () => { if (!run.disabled) run.click(); },
      onChange: (source) => changed(position, { source }),
    });
    editors.code.view.contentDOM.setAttribute("aria-describedby", "editor-hint");
    // The last run of this question, as it was before a reload (or still running).
    const last = store.get(`run:${position}`);
    if (last && last.id) followSubmission(context, last.id, last.action, true);
  }

  function pythonArgs(test) {
    // "two_sum([2, 7, 11, 15], 9)" -> "[[2, 7, 11, 15], 9]": the list the box takes.
    const text = test.input_text || "";
    const open = text.indexOf("(");
    return open > 0 && text.endsWith(")") ? `[${text.slice(open + 1, -1)}]` : JSON.stringify(test.args);
  }

  let running = null; // {started, timer} while a run or submission is in flight

  // Run and Submit stay disabled while anything runs, even on another question.
  function setRunning(context, action) {
    for (const id of ["run", "submit"]) if ($(id)) $(id).disabled = true;
    const started = Date.now();
    const label = action === "run" ? "Running" : "Submitting";
    const update = () => { if ($("run-state")) $("run-state").textContent = `${label}… ${((Date.now() - started) / 1000).toFixed(1)} s`; };
    update();
    running = { timer: setInterval(update, 100) };
    root.classList.add("busy");
    announce(action === "run" ? "Running the example tests." : "Submitting.");
  }

  function stopRunning(context) {
    if (running) clearInterval(running.timer);
    running = null;
    root.classList.remove("busy");
    if ($("run-state")) $("run-state").textContent = "";
    const shown = current === null ? null : questionAt(current);
    for (const id of ["run", "submit"]) if ($(id)) $(id).disabled = closed || Boolean(shown && locked(shown));
  }

  async function runCode(context, action) {
    if (running || closed) return;
    const { question, custom, output } = context;
    const source = editors.code.getValue();
    const customText = custom.value;
    if (action === "submit") focusAfterSubmit = question.position;
    setRunning(context, action);
    editors.code.markErrors([]);
    try {
      changed(question.position, { source });
      await save(question.position);
      output.replaceChildren(el("p", { class: "muted", text: action === "run" ? "Running the example tests…" : "Submitting…" }));
      // Custom input is sent as typed: the server reads it as Python (or JSON) and says what is wrong.
      const body = action === "run"
        ? { source, ...(customText.trim() ? { custom_input: customText } : {}) }
        : { source, revision: answers[question.position].revision };
      const started = await api("POST", `/api/sessions/${sessionId}/answers/${question.position}/${action}/`, body);
      if (started.status === 204) {
        output.replaceChildren(el("p", { class: "saved", text: "Submitted. It will be graded when the interview ends." }));
        // An assessment asks its follow-up on the first submit, whatever the code did.
        if (session.follow_ups && !(question.follow_ups || []).length) await reread();
        return;
      }
      if (!started.ok) {
        output.replaceChildren(el("p", { class: "error", role: "alert", text: errorMessage(started, "Could not run the code; please try again.") }));
        return;
      }
      store.set(`run:${question.position}`, { id: started.data.id, action });
      await followSubmission(context, started.data.id, action, false, started.data);
    } finally {
      stopRunning(context);
    }
  }

  async function followSubmission(context, id, action, resumed, first) {
    const { output } = context;
    let submission = first;
    if (!submission) {
      const fetched = await api("GET", `/api/submissions/${id}/`);
      if (!fetched.ok) return;
      submission = fetched.data;
    }
    const pendingRun = submission.status === "queued" || submission.status === "running";
    if (resumed && pendingRun) setRunning(context, action);
    try {
      while (submission.status === "queued" || submission.status === "running") {
        if (submission.status_message) output.replaceChildren(el("p", { class: "muted", text: submission.status_message }));
        const polled = await api("GET", `/api/submissions/${submission.id}/?wait=20`);
        if (!document.body.contains(output)) {
          // The candidate moved on to another question: its follow-up may still come.
          if (action === "submit") awaitCodingFollowUp(context.question, 15);
          return;
        }
        if (!polled.ok) { await new Promise((r) => setTimeout(r, 1000)); continue; }
        submission = polled.data;
      }
      if (document.body.contains(output)) renderResult(output, submission, action);
      if (action === "submit") afterVerdict(context.question, submission);
    } finally {
      if (resumed && pendingRun) stopRunning(context);
    }
  }

  function verdictLabel(test) {
    if (test.compared === false && test.verdict === "accepted") return "Ran — no expected output to compare";
    return VERDICTS[test.verdict] || test.verdict;
  }

  function renderResult(output, submission, action) {
    const result = submission.result;
    if (!result) {
      output.replaceChildren(el("p", { class: "error", text: submission.status_message || "We could not run this code; please try again." }));
      return;
    }
    const tests = result.tests || [];
    const onlyCustom = tests.length > 0 && tests.every((t) => t.compared === false);
    const head = el("p", { class: "run-summary" }, [
      el("strong", { class: `verdict ${result.verdict}`, text: onlyCustom ? "Ran" : VERDICTS[result.verdict] || result.verdict }),
      document.createTextNode(` — ${result.message}`),
      document.createTextNode(action === "submit" && submission.score !== null ? ` · score ${submission.score}` : ""),
    ]);
    const marks = [];
    let trace = "";
    if (result.compile_error) {
      const error = result.compile_error;
      marks.push({ line: error.line, message: `${error.type}: ${error.message}` });
      trace = el("section", { class: "traceback", "aria-label": "Traceback" }, [
        el("h3", { text: "Traceback" }), el("pre", { text: error.traceback || `${error.type}: ${error.message}` }),
      ]);
    }
    const rows = tests.map((t) => {
      if (t.line) marks.push({ line: t.line, message: t.message });
      const details = t.visible ? [
        t.input !== null && t.input !== undefined ? el("div", { class: "test-input" }, [el("span", { class: "label", text: "Input" }), el("pre", {}, [el("code", { text: t.input })])]) : "",
        t.message && !(t.compared === false && t.verdict === "accepted") ? el("div", { class: "test-message", text: t.message }) : "",
        t.expected !== null && t.expected !== undefined ? el("div", {}, [el("span", { class: "label", text: "Expected" }), el("pre", {}, [el("code", { text: t.expected })])]) : "",
        t.actual !== null && t.actual !== undefined ? el("div", {}, [el("span", { class: "label", text: t.compared === false ? "Output" : "Got" }), el("pre", {}, [el("code", { text: t.actual })])]) : "",
        t.diff ? el("pre", { class: "diff", text: t.diff }) : "",
        t.stdout ? el("div", {}, [el("span", { class: "label", text: "Printed" }), el("pre", { class: "stdout", text: t.stdout })]) : "",
        t.stderr ? el("div", {}, [el("span", { class: "label", text: t.verdict === "runtime_error" ? "Traceback" : "Errors" }), el("pre", { class: "stderr traceback", text: t.stderr })]) : "",
      ] : [el("span", { class: "muted", text: "hidden test" })];
      return el("tr", { class: t.verdict }, [
        el("th", { scope: "row", text: t.name }),
        el("td", { class: t.compared === false && t.verdict === "accepted" ? "verdict ran" : `verdict ${t.verdict}`, text: verdictLabel(t) }),
        el("td", { class: "cpu", text: t.cpu_seconds !== null && t.cpu_seconds !== undefined ? `${t.cpu_seconds.toFixed(3)} s` : "" }),
        el("td", { class: "details" }, details),
      ]);
    });
    const table = el("table", { class: "tests" }, [
      el("caption", { class: "visually-hidden", text: "Test results" }),
      el("thead", {}, [el("tr", {}, ["Test", "Result", "CPU time", "Details"].map((h) => el("th", { scope: "col", text: h })))]),
      el("tbody", {}, rows),
    ]);
    const summary = result.hidden_summary && result.hidden_summary.total
      ? el("p", { class: "muted", text: `Hidden tests passed: ${result.hidden_summary.passed} of ${result.hidden_summary.total}` }) : "";
    output.replaceChildren(head, trace, table, summary);
    if (editors.code) editors.code.markErrors(marks);
    if (marks.length) {
      const lines = [...new Set(marks.map((m) => m.line).filter(Boolean))];
      if (lines.length) output.prepend(el("p", { class: "error-lines", text: `Marked in the editor: line ${lines.join(", ")}.` }));
    }
  }

  // Ctrl+Enter (Cmd+Enter) runs from anywhere on a coding question, as from the editor.
  root.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.defaultPrevented) return;
    if (event.target.closest && event.target.closest(".follow-up")) return; // a reply is prose, not code to run
    const run = $("run");
    if (!run) return;
    event.preventDefault();
    if (!run.disabled) run.click();
  });

  // -- the interviewer's follow-up questions -----------------------------------------
  // Templates with follow_ups: a written answer is submitted, then the interviewer asks
  // one or two questions about it; accepted code (in an assessment: any submitted code)
  // gets one. Each has its own time box on the server's clock; a reply is autosaved like
  // an answer, and when the box ends the reply is read-only and its state said in words.

  const GRACE_MS = 5000; // the server takes work this long after a deadline
  const MAX_REPLY_CHARS = 5000;

  function submitRow(question) {
    if (submitted(question)) {
      const at = new Date(question.answer.submitted_at).toLocaleTimeString();
      return [el("p", { class: "submitted-note", id: "submitted-note", tabindex: "-1", text: `Answer submitted at ${at}: it no longer changes.` })];
    }
    if (locked(question)) return [];
    const error = el("p", { class: "error", id: "submit-answer-error", role: "alert" });
    const button = el("button", { type: "button", id: "submit-answer", text: "Submit answer", "aria-describedby": "submit-answer-note" });
    button.addEventListener("click", () => submitWritten(question, button, error));
    return [
      el("div", { class: "toolbar submit-answer" }, [
        button,
        el("p", { class: "hint", id: "submit-answer-note", text: "Once submitted, your answer no longer changes, and the interviewer may ask a follow-up question or two, each with its own time limit." }),
      ]),
      error,
    ];
  }

  async function submitWritten(question, button, error) {
    if (closed || button.disabled) return;
    const position = question.position;
    const answer = answers[position];
    const text = editors.text ? editors.text.getValue() : answer.payload.text || "";
    button.disabled = true;
    error.textContent = "";
    focusAfterSubmit = position;
    clearTimeout(answer.timer);
    answer.payload = { text };
    answer.revision += 1;
    const result = await api("POST", `/api/sessions/${sessionId}/answers/${position}/submit/`, { text, revision: answer.revision });
    if (!result.ok) {
      if (result.status === 409) { conflict(result, position); return; }
      // Not submitted: the text is saved as usual meanwhile, and Submit can be pressed again.
      button.disabled = false;
      error.textContent = errorMessage(result, "Could not submit your answer; please try again.");
      answer.timer = setTimeout(() => save(position), 800);
      refreshStatus();
      return;
    }
    const fresh = result.data.question;
    // What was submitted is what the server holds (another tab may have saved newer text).
    answer.payload = fresh.answer.payload || { text };
    answer.revision = answer.confirmed = Math.max(answer.revision, fresh.answer.revision);
    applyQuestion(fresh);
    refreshStatus();
    if (question.position !== current) return;
    if (question.follow_ups_status === "asked") return; // focus went to the first follow-up
    const note = $("submitted-note");
    if (note && !typingElsewhere()) note.focus();
    announce(question.follow_ups_status === "none"
      ? "Answer submitted. No follow-up questions on this answer."
      : "Answer submitted. The interviewer is reading your answer…");
  }

  function followUpsStatusText(question) {
    if (question.kind === "coding") return "";
    if (question.follow_ups_status === "preparing") {
      return watchGaveUp
        ? "The interviewer is still reading your answer. Reload the page to check for follow-up questions."
        : "The interviewer is reading your answer…";
    }
    if (question.follow_ups_status === "none") return "No follow-up questions on this answer.";
    return "";
  }

  function followUpsArea(question) {
    const box = el("div", { class: "follow-ups", id: "follow-ups", "data-position": question.position });
    fillFollowUps(box, question);
    return box;
  }

  // Adds what is new to the shown question's follow-ups; panels already there stay, so a
  // reply being typed keeps its caret.
  function fillFollowUps(box, question) {
    const text = followUpsStatusText(question);
    let note = box.querySelector(".follow-ups-status");
    if (text) {
      if (!note) {
        note = el("p", { class: "follow-ups-status", id: "follow-ups-status" });
        box.prepend(note);
      }
      note.textContent = text;
      note.dataset.status = question.follow_ups_status;
    } else if (note) note.remove();
    for (const f of question.follow_ups || []) {
      const fu = followUps[f.id];
      if (!box.querySelector(`[data-follow-up="${f.id}"]`)) box.append(followUpPanel(question, fu));
      updatePanel(fu);
      followUpClock(fu);
    }
  }

  function followUpName(fu) {
    return fu.kind === "coding" ? "Follow-up on your solution" : `Follow-up ${fu.number}`;
  }

  function followUpPanel(question, fu) {
    const id = `follow-up-${fu.id}`;
    const reply = el("textarea", {
      id: `${id}-reply`, class: "follow-up-reply", rows: "5", maxlength: String(MAX_REPLY_CHARS), spellcheck: "true",
      "aria-describedby": `${id}-question ${id}-ended`,
    });
    reply.value = fu.text;
    reply.addEventListener("input", () => replyChanged(fu, reply.value));
    const clock = el("strong", { id: `${id}-clock`, class: "follow-up-countdown", role: "timer", "aria-labelledby": `${id}-clock-label`, text: "--:--" });
    const status = el("p", { class: "follow-up-status", id: `${id}-status` });
    const ended = el("p", { class: "follow-up-ended", id: `${id}-ended`, hidden: true });
    const panel = el("section", { class: "follow-up", id, "data-follow-up": fu.id, "aria-labelledby": `${id}-title` }, [
      el("div", { class: "follow-up-head" }, [
        el("h2", { id: `${id}-title`, tabindex: "-1", text: followUpName(fu) }),
        el("span", { class: "follow-up-clock" }, [
          el("span", { class: "muted", id: `${id}-clock-label` }, [
            document.createTextNode("Time left"), el("span", { class: "visually-hidden", text: ` for ${followUpName(fu).toLowerCase()}` }),
          ]),
          document.createTextNode(" "),
          clock,
        ]),
      ]),
      el("p", { class: "follow-up-question", id: `${id}-question`, text: fu.question }),
      el("label", { for: `${id}-reply`, class: "answer-label", text: "Your reply" }),
      reply, status, ended,
    ]);
    fu.dom = { panel, reply, status, ended, clock }; // the panel shown now (it may not be in the page yet)
    return panel;
  }

  function followUpLeftMs(fu) {
    return Date.parse(fu.deadline) - serverNow();
  }

  function followUpClock(fu) {
    if (!fu.dom) return;
    const node = fu.dom.clock;
    const left = fu.ended ? 0 : Math.max(0, followUpLeftMs(fu));
    const text = `${String(Math.floor(left / 60000)).padStart(2, "0")}:${String(Math.floor((left % 60000) / 1000)).padStart(2, "0")}`;
    if (node.textContent !== text) node.textContent = text;
    node.classList.toggle("urgent", !fu.ended && left < 30000);
    node.classList.toggle("soon", !fu.ended && left < 60000);
  }

  function endedText(fu) {
    if (fu.closedMessage) return `${fu.closedMessage}.`.replace(/\.\.$/, ".");
    if (fu.serverState === "late") return "Time is up for this follow-up: your reply came after its time limit, so it was kept but is not graded.";
    if (fu.revision > fu.confirmed) return "Time is up for this follow-up: your latest changes are not saved yet.";
    const saved = fu.serverState === "answered" || fu.serverState === "flagged" || Boolean((fu.confirmedText || "").trim());
    return saved ? "Time is up for this follow-up: your reply was saved." : "Time is up for this follow-up: no reply was saved.";
  }

  function updatePanel(fu) {
    if (!fu.dom) return;
    const { panel, reply, status, ended } = fu.dom;
    panel.classList.toggle("ended", fu.ended);
    reply.readOnly = fu.ended || closed;
    if (fu.ended) {
      ended.textContent = endedText(fu);
      ended.hidden = false;
      status.textContent = "";
      return;
    }
    const pendingReply = fu.revision > fu.confirmed;
    const [text, state] = pendingReply
      ? fu.failures ? ["Not saved yet — retrying…", "error"] : ["Saving…", "saving"]
      : fu.savedAt && fu.confirmedText.trim() ? [`Reply saved ${new Date(fu.savedAt).toLocaleTimeString()}`, "saved"]
      : ["Your reply is saved as you type.", "idle"];
    status.textContent = text;
    status.dataset.state = state;
  }

  function replyChanged(fu, text) {
    if (closed || fu.ended || fu.ending) return;
    fu.text = text;
    fu.revision += 1;
    clearTimeout(fu.timer);
    fu.timer = setTimeout(() => saveReply(fu), 800);
    refreshStatus();
  }

  async function saveReply(fu) {
    if (fu.saving || fu.revision <= fu.confirmed) return;
    fu.saving = true;
    const revision = fu.revision;
    const text = fu.text;
    const result = await api("PUT", `/api/sessions/${sessionId}/follow-ups/${fu.id}/`, { text, revision });
    fu.saving = false;
    if (result.ok) {
      fu.failures = 0;
      fu.serverState = result.data.state;
      if (result.data.revision > revision) fu.revision = result.data.revision + 1; // another tab saved newer: this one goes on top
      if (result.data.revision >= revision) {
        fu.confirmedText = result.data.reply;
        fu.savedAt = result.data.saved_at;
      }
      fu.confirmed = Math.max(fu.confirmed, Math.min(result.data.revision, revision));
    } else if (result.status === 409 && result.data && result.data.error && result.data.error.code === "follow_up_closed") {
      // The time box is over: the reply was kept, but is not graded; nothing more is sent.
      fu.confirmed = fu.revision;
      fu.closedMessage = result.data.error.message;
      const state = result.data.error.fields && result.data.error.fields.state;
      if (state && state.length) fu.serverState = state[0];
      if (!fu.ended && !fu.ending) followUpEnd(fu, true);
    } else if (result.status === 409) {
      conflict(result);
    } else if (result.status >= 400 && result.status < 500) {
      fu.failures += 1;
      banner(`Reply not saved: ${errorMessage(result, "the server refused the reply")}`, "error");
    } else {
      fu.failures += 1;
      clearTimeout(fu.timer);
      fu.timer = setTimeout(() => saveReply(fu), Math.min(30000, 1000 * 2 ** fu.failures));
    }
    refreshStatus();
    if (fu.revision > fu.confirmed && result.ok) saveReply(fu);
  }

  // The time box is over (by the server's clock): what is typed goes now (the server's
  // grace takes it), then the reply is read-only and its state said.
  async function followUpEnd(fu, live) {
    fu.ending = true;
    clearTimeout(fu.timer);
    await saveReply(fu);
    fu.ended = true;
    fu.ending = false;
    refreshStatus();
    if (live) announceSoon(`${followUpName(fu)}: ${endedText(fu)}`);
  }

  // Follow-ups that end together are said together (one announcement would replace the other).
  const toAnnounce = [];
  function announceSoon(text) {
    toAnnounce.push(text);
    if (toAnnounce.length === 1) setTimeout(() => announce(toAnnounce.splice(0).join(" ")), 150);
  }

  function mergeFollowUps(question) {
    const added = [];
    for (const f of question.follow_ups || []) {
      const fu = followUps[f.id];
      if (!fu) {
        followUps[f.id] = {
          id: f.id, position: question.position, kind: question.kind, number: f.number, question: f.question,
          deadline: f.deadline, serverState: f.state, text: f.reply || "", confirmedText: f.reply || "",
          revision: f.revision, confirmed: f.revision, savedAt: f.saved_at, saving: false, timer: null, failures: 0,
          ended: false, ending: false,
          // Its end is said only if this page saw it open.
          announceEnd: f.state === "open" && Date.parse(f.deadline) > serverNow(),
        };
        if (!known.has(f.id)) { known.add(f.id); added.push(followUps[f.id]); }
      } else {
        fu.deadline = f.deadline;
        fu.serverState = f.state;
        if (fu.revision <= fu.confirmed && f.revision > fu.confirmed) {
          // Saved in another tab, and nothing is pending here: show it.
          fu.text = fu.confirmedText = f.reply;
          fu.revision = fu.confirmed = f.revision;
          const reply = fu.dom && fu.dom.reply;
          if (reply && document.activeElement !== reply) reply.value = f.reply;
        }
      }
    }
    return added;
  }

  // A question as the server sends it now: its follow-ups and whether it was submitted.
  function applyQuestion(fresh) {
    const question = questionAt(fresh.position);
    if (!question) return [];
    const wasPreparing = question.follow_ups_status === "preparing";
    const newlySubmitted = !submitted(question) && fresh.kind === "free_text" && Boolean(fresh.answer.submitted_at);
    question.answer.submitted_at = fresh.answer.submitted_at;
    question.follow_ups = fresh.follow_ups || [];
    question.follow_ups_status = fresh.follow_ups_status;
    if (newlySubmitted) {
      // Submitted here or elsewhere (another tab, or its section's time ran out): it is the server's text now.
      const answer = answers[question.position];
      clearTimeout(answer.timer);
      answer.payload = fresh.answer.payload || {};
      answer.revision = answer.confirmed = Math.max(answer.revision, fresh.answer.revision);
    }
    const added = mergeFollowUps(question);
    if (question.position === current) {
      if (newlySubmitted) renderAnswerArea(question);
      else if ($("follow-ups")) fillFollowUps($("follow-ups"), question);
    }
    if (added.length) followUpsArrived(question, added);
    if (question.follow_ups_status === "preparing" && !wasPreparing) watch(true);
    return added;
  }

  function followUpsArrived(question, added) {
    const where = question.position === current ? "" : ` on question ${question.position}`;
    const minutes = minutesText(Math.max(1, Math.round(followUpLeftMs(added[0]) / 60000)));
    announce(question.kind === "coding"
      ? `The interviewer asked a follow-up question on your solution${where}. You have ${minutes} to reply.`
      : added.length === 1
        ? `The interviewer asked a follow-up question${where}. You have ${minutes} to reply.`
        : `The interviewer asked ${added.length} follow-up questions${where}. You have ${minutes} to reply to each.`);
    // Focus moves to it only right after the candidate pressed Submit here, and never
    // away from a field they are typing in.
    if (focusAfterSubmit === question.position) {
      focusAfterSubmit = null;
      const heading = $(`follow-up-${added[0].id}-title`);
      if (heading && question.position === current && !typingElsewhere()) heading.focus();
    }
    renderList();
  }

  function typingElsewhere() {
    const active = document.activeElement;
    return Boolean(active && active !== document.body && (active.isContentEditable || /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)));
  }

  // Reads the session again for what the server decided meanwhile (follow-ups asked).
  async function reread() {
    const result = await api("GET", `/api/sessions/${sessionId}/`);
    if (!result.ok || closed || result.data.status !== "in_progress") return false;
    for (const fresh of result.data.questions) applyQuestion(fresh);
    renderList();
    return true;
  }

  // While follow-ups are being written (or accepted code's is on its way), the session is
  // read every 2 s, then less and less often; after a while the page says to reload.
  const awaitingCoding = {}; // position -> reads left
  const WATCH_TRIES = 40;
  let watchTimer = null;
  let watchTries = 0;
  let watchGaveUp = false;

  function watching() {
    return !closed && (session.questions.some((q) => q.follow_ups_status === "preparing") || Object.keys(awaitingCoding).length > 0);
  }

  function watch(restart) {
    if (restart && !watchTimer) { watchTries = 0; watchGaveUp = false; }
    if (watchTimer || !watching()) return;
    if (watchTries >= WATCH_TRIES) {
      watchGaveUp = true;
      const shown = questionAt(current);
      if (shown && $("follow-ups")) fillFollowUps($("follow-ups"), shown);
      return;
    }
    const delay = watchTries < 15 ? 2000 : Math.min(15000, 2000 * 2 ** Math.min(3, watchTries - 14));
    watchTimer = setTimeout(async () => {
      watchTimer = null;
      watchTries += 1;
      await reread();
      for (const position of Object.keys(awaitingCoding)) {
        const question = questionAt(position);
        awaitingCoding[position] -= 1;
        if ((question.follow_ups || []).length || awaitingCoding[position] <= 0) delete awaitingCoding[position];
      }
      watch();
    }, delay);
  }

  function awaitCodingFollowUp(question, reads) {
    if (!session.follow_ups || (question.follow_ups || []).length) return;
    awaitingCoding[question.position] = reads;
    watch(true);
  }

  // A practice submission's verdict is in: accepted code gets its follow-up, which the
  // grading worker asks right after storing the verdict, so it may take a moment.
  async function afterVerdict(question, submission) {
    if (!session.follow_ups || (question.follow_ups || []).length) return;
    await reread();
    const verdict = (submission.result && submission.result.verdict) || submission.verdict;
    if (verdict === "accepted") awaitCodingFollowUp(question, 5);
  }

  // A section's time is over: its answers are saved (within the server's grace) and no
  // longer change; a written answer is then submitted by the server, which may ask
  // its follow-ups.
  const sectionsEnded = new Set();
  async function sectionEnd(question) {
    question.sectionEnded = true;
    if (!sectionsEnded.has(question.section)) {
      sectionsEnded.add(question.section);
      banner(`Time is up for the section “${question.section}”: its answers are saved and can no longer change. The other questions stay open.`, "warning");
    }
    await save(question.position);
    if (question.position === current && !closed) renderAnswerArea(question);
    renderList();
    if (session.follow_ups && question.kind === "free_text" && !submitted(question)) {
      setTimeout(() => reread(), GRACE_MS + 1500);
    }
  }

  // -- finishing ------------------------------------------------------------------

  $("finish").addEventListener("click", async () => {
    const missing = session.questions.filter((q) => !isAnswered(q)).map((q) => q.position);
    const warning = !missing.length ? ""
      : missing.length === 1 ? ` Question ${missing[0]} has no answer yet.`
      : ` Questions ${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]} have no answer yet.`;
    const unreplied = Object.values(followUps).filter((f) => !f.ended && !f.text.trim()).length;
    const replies = !unreplied ? ""
      : unreplied === 1 ? " A follow-up question has no reply yet." : ` ${unreplied} follow-up questions have no reply yet.`;
    if (!window.confirm(`Finish the interview now? You cannot change your answers afterwards.${warning}${replies}`)) return;
    await saveAll();
    if (hasUnsaved()) {
      banner("Some answers are not saved yet; finishing anyway would lose them. Check your connection and try again.", "error");
      return;
    }
    await flushEvents();
    const result = await api("POST", `/api/sessions/${sessionId}/finish/`);
    if (result.ok || result.status === 409) {
      recording = false; // leaving for the results is not leaving the interview
      window.location.href = root.dataset.resultsUrl;
    } else banner(errorMessage(result, "Could not finish; please try again."), "error");
  });

  // -- start ----------------------------------------------------------------------

  async function load() {
    const sent = Date.now();
    const result = await api("GET", `/api/sessions/${sessionId}/`);
    if (!result.ok) {
      setStatus(errorMessage(result, "Could not load the interview."), "error");
      return;
    }
    session = result.data;
    KINDS = session.labels.kinds;
    VERDICTS = session.labels.verdicts;
    clockOffset = Date.parse(session.server_time) - (sent + Date.now()) / 2;
    if (session.status !== "in_progress") {
      window.location.href = root.dataset.resultsUrl;
      return;
    }
    for (const q of session.questions) {
      answers[q.position] = { payload: q.answer.payload || {}, revision: q.answer.revision, confirmed: q.answer.revision, saving: false, timer: null, failures: 0 };
      // A reload resumes follow-ups as they are, announcing none of them again.
      for (const f of q.follow_ups || []) known.add(f.id);
      mergeFollowUps(q);
      q.sectionEnded = sectionOver(q);
    }
    setUpSplitter();
    // A reload resumes at the question last shown.
    const last = store.get("current");
    const resume = session.questions.some((q) => q.position === last) ? last : session.questions[0].position;
    show(resume);
    // A reload or a return through the link ends an absence the last page began.
    if (document.visibilityState === "visible") record("focus_back");
    refreshStatus();
    tick();
    setInterval(tick, 250);
    watch(true);
  }

  load();
})();
