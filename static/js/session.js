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
    const pending = Object.values(answers).filter((a) => a.revision > a.confirmed);
    const failing = pending.some((a) => a.failures > 0);
    if (failing) setStatus("Not saved yet — retrying…", "error");
    else if (pending.length) setStatus("Saving…", "saving");
    else setStatus(`All answers saved ${new Date().toLocaleTimeString()}`, "saved");
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
      closed = true;
      banner(result.data.error.message, "warning");
      setTimeout(() => (window.location.href = root.dataset.resultsUrl), 4000);
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

  async function saveAll() {
    await Promise.all(Object.keys(answers).map((position) => save(Number(position))));
  }

  // The page is being hidden or closed: what is not confirmed yet goes now, in requests
  // that outlive the page (keepalive can carry the CSRF header; sendBeacon cannot). A
  // save the server already has is ignored by its revision, so sending twice is safe.
  function saveBeforeLeaving() {
    if (closed || !session) return;
    for (const [position, answer] of Object.entries(answers)) {
      if (answer.revision <= answer.confirmed) continue;
      clearTimeout(answer.timer);
      try {
        fetch(`/api/sessions/${sessionId}/answers/${position}/`, {
          method: "PUT", credentials: "same-origin", keepalive: true,
          headers: { "X-CSRFToken": csrf, "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ payload: answer.payload, revision: answer.revision }),
        }).catch(() => {});
      } catch (error) { /* a body over keepalive's 64 KiB: the regular save retries if the page lives */ }
      // If the page stays (a hidden tab comes back), the regular save confirms it.
      answer.timer = setTimeout(() => save(Number(position)), 1000);
    }
  }

  // Every few seconds, whatever is not confirmed yet is sent again.
  setInterval(() => { if (!closed) saveAll(); }, 5000);
  window.addEventListener("pagehide", saveBeforeLeaving);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveBeforeLeaving(); });
  window.addEventListener("beforeunload", (event) => {
    if (Object.values(answers).some((a) => a.revision > a.confirmed)) {
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
        const stateText = { unsaved: "saving", answered: "answered", empty: "not answered" }[state];
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
    $("examples").replaceChildren();
    const sideBySide = question.kind === "coding" || question.kind === "free_text";
    $("split").classList.toggle("side-by-side", sideBySide);
    $("split").classList.toggle("coding", question.kind === "coding");
    $("splitter").hidden = !sideBySide;
    const area = $("answer-area");
    area.replaceChildren();
    delete editors.code;
    delete editors.text;
    ({ coding: renderCoding, multiple_choice: renderChoice, numeric: renderNumeric, free_text: renderText })[question.kind](area, question);
    renderList();
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
      input.disabled = closed;
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
    input.disabled = closed;
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
    const holder = el("div", { class: "editor markdown-editor", id: "text-editor" });
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
      el("div", { class: "toolbar" }, [el("span", { class: "answer-label", id: "text-label", text: "Your answer" }), toggle, words]),
      el("p", { class: "hint", id: "text-hint", text: `Markdown is fine: # headings, - lists, **bold**. At most ${max} words.` }),
      holder, preview,
    );
    const start = answers[question.position].payload.text || "";
    showCount(start);
    editors.text = window.MockloopEditor.create(holder, {
      doc: start, language: "markdown", readOnly: closed, label: `Your answer to ${question.title} (Markdown, at most ${max} words)`,
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
    custom.disabled = closed;
    custom.addEventListener("input", () => store.set(`custom:${position}`, custom.value));
    const run = el("button", { type: "button", id: "run", text: "Run", title: `Run the example tests (${runKeys})`, "aria-keyshortcuts": "Control+Enter Meta+Enter" });
    const submit = el("button", { type: "button", id: "submit", class: "secondary", text: "Submit" });
    const runState = el("span", { class: "run-state", id: "run-state" });
    run.disabled = submit.disabled = closed || running !== null;
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
      ]),
    );
    editors.code = window.MockloopEditor.create(holder, {
      doc: answers[position].payload.source || content.starter,
      language: "python", readOnly: closed, label: `Code editor for ${question.title} (Python)`,
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
    for (const id of ["run", "submit"]) if ($(id)) $(id).disabled = closed;
  }

  async function runCode(context, action) {
    if (running || closed) return;
    const { question, custom, output } = context;
    const source = editors.code.getValue();
    const customText = custom.value;
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
        if (!document.body.contains(output)) return; // the candidate moved on to another question
        if (!polled.ok) { await new Promise((r) => setTimeout(r, 1000)); continue; }
        submission = polled.data;
      }
      if (document.body.contains(output)) renderResult(output, submission, action);
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
    const run = $("run");
    if (!run) return;
    event.preventDefault();
    if (!run.disabled) run.click();
  });

  // -- finishing ------------------------------------------------------------------

  $("finish").addEventListener("click", async () => {
    const missing = session.questions.filter((q) => !isAnswered(q)).map((q) => q.position);
    const warning = !missing.length ? ""
      : missing.length === 1 ? ` Question ${missing[0]} has no answer yet.`
      : ` Questions ${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]} have no answer yet.`;
    if (!window.confirm(`Finish the interview now? You cannot change your answers afterwards.${warning}`)) return;
    await saveAll();
    if (Object.values(answers).some((a) => a.revision > a.confirmed)) {
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
  }

  load();
})();
