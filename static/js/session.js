// The interview page. Everything goes through the session API; the server owns the
// clock and decides what is saved. A save is shown as saved only once the server
// confirmed it; a failed save is retried until it is.
(function () {
  "use strict";
  const root = document.getElementById("interview");
  if (!root) return;
  const sessionId = root.dataset.session;
  const mode = root.dataset.mode;
  const csrf = root.dataset.csrf;
  const $ = (id) => document.getElementById(id);

  let session = null;
  let clockOffset = 0; // server time minus browser time, in ms
  let current = null; // position shown
  let closed = false;
  const answers = {}; // position -> {payload, revision, confirmed, saving, timer, failures}
  const editors = {};

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
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value; // only ever server-sanitized HTML
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  // -- clock ----------------------------------------------------------------------

  function remainingMs() {
    return Date.parse(session.deadline) - (Date.now() + clockOffset);
  }

  function tick() {
    const left = Math.max(0, remainingMs());
    const minutes = Math.floor(left / 60000);
    const seconds = Math.floor((left % 60000) / 1000);
    $("countdown").textContent = `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
    $("countdown").classList.toggle("urgent", left < 60000);
    if (left <= 0 && !closed) timeUp();
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
      banner(`Not saved: ${result.data ? result.data.error.message : "the server refused the answer"}`, "error");
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

  // Every few seconds, whatever is not confirmed yet is sent again.
  setInterval(() => { if (!closed) saveAll(); }, 5000);
  window.addEventListener("beforeunload", (event) => {
    if (Object.values(answers).some((a) => a.revision > a.confirmed)) {
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

  // -- rendering ------------------------------------------------------------------

  function isAnswered(question) {
    const payload = answers[question.position].payload || {};
    if (question.kind === "coding") return payload.source && payload.source !== question.content.starter;
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
        return el("li", { class: `${q.position === current ? "current" : ""} ${state}` }, [
          el("button", { type: "button", "data-position": q.position, onclick: () => show(q.position) }, [
            el("span", { class: "q-title", text: `${q.position}. ${q.title}` }),
            el("span", { class: "q-kind", text: `${q.section} · ${q.kind.replace("_", " ")}${state === "answered" ? " · answered" : ""}` }),
          ]),
        ]);
      })
    );
  }

  function show(position) {
    current = position;
    record("question_shown"); // time per question, for the recruiter
    const question = session.questions.find((q) => q.position === position);
    $("question-title").textContent = question.title;
    $("question-meta").textContent = `${question.section} · ${question.kind.replace("_", " ")}`;
    $("prompt").innerHTML = question.prompt_html; // sanitized by the server
    const area = $("answer-area");
    area.replaceChildren();
    ({ coding: renderCoding, multiple_choice: renderChoice, numeric: renderNumeric, free_text: renderText })[question.kind](area, question);
    renderList();
  }

  function renderChoice(area, question) {
    const selected = new Set(answers[question.position].payload.selected || []);
    const type = question.content.multiple ? "checkbox" : "radio";
    const fieldset = el("fieldset", { class: "options" }, [el("legend", { text: question.content.multiple ? "Select all that apply" : "Select one" })]);
    for (const option of question.content.options) {
      const input = el("input", { type, name: `q${question.position}`, value: option.id });
      input.checked = selected.has(option.id);
      input.disabled = closed;
      input.addEventListener("change", () => {
        const chosen = [...fieldset.querySelectorAll("input:checked")].map((n) => n.value);
        changed(question.position, { selected: chosen });
      });
      fieldset.append(el("label", { class: "option" }, [input, el("span", { html: option.html })]));
    }
    area.append(fieldset);
  }

  function renderNumeric(area, question) {
    const value = answers[question.position].payload.value;
    const input = el("input", { type: "text", inputmode: "decimal", id: "numeric-answer", autocomplete: "off", "aria-label": "Your answer" });
    input.value = value === undefined || value === null ? "" : String(value);
    input.disabled = closed;
    const error = el("span", { class: "error" });
    input.addEventListener("input", () => {
      const text = input.value.trim();
      if (text !== "" && !Number.isFinite(Number(text))) {
        error.textContent = "Enter a number, like 0.75 or 1e-3.";
        return;
      }
      error.textContent = "";
      changed(question.position, { value: text === "" ? null : Number(text) });
    });
    area.append(el("label", { class: "numeric" }, [el("span", { text: "Your answer" }), input, el("span", { class: "muted", text: question.content.unit || "" }), error]));
  }

  function renderText(area, question) {
    const holder = el("div", { class: "editor markdown-editor", id: "text-editor" });
    const preview = el("div", { class: "prompt preview", hidden: "" });
    const words = el("span", { class: "muted" });
    const count = (text) => (text.trim() ? text.trim().split(/\s+/).length : 0);
    const toggle = el("button", {
      type: "button", class: "secondary", text: "Preview",
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
    area.append(el("div", { class: "toolbar" }, [toggle, words]), holder, preview);
    const start = answers[question.position].payload.text || "";
    words.textContent = `${count(start)} / ${question.content.max_words} words`;
    editors.text = window.MockloopEditor.create(holder, {
      doc: start, language: "markdown", readOnly: closed,
      onChange: (text) => {
        words.textContent = `${count(text)} / ${question.content.max_words} words`;
        changed(question.position, { text });
      },
    });
  }

  function renderCoding(area, question) {
    const holder = el("div", { class: "editor code-editor", id: "code-editor" });
    const output = el("div", { class: "run-output", id: "run-output", "aria-live": "polite" });
    const stdio = question.content.mode === "stdio";
    const custom = el("textarea", {
      id: "custom-input", rows: "2", spellcheck: "false",
      placeholder: stdio ? "Custom input: text for stdin (optional)" : `Custom input: a JSON list of arguments for ${question.content.entrypoint}, e.g. [[1, 2, 3], 4] (optional)`,
    });
    const run = el("button", { type: "button", id: "run", text: "Run", onclick: () => runCode(question, custom, output, "run") });
    const submit = el("button", { type: "button", id: "submit", class: "secondary", text: "Submit", onclick: () => runCode(question, custom, output, "submit") });
    const limits = el("span", {
      class: "muted",
      text: `${question.content.visible_tests.length} example tests, ${question.content.hidden_test_count} hidden · ${question.content.time_limit_seconds} s, ${question.content.memory_limit_mb} MB`,
    });
    area.append(holder, el("div", { class: "toolbar" }, [run, submit, limits]), custom, output);
    editors.code = window.MockloopEditor.create(holder, {
      doc: answers[question.position].payload.source || question.content.starter,
      language: "python", readOnly: closed,
      onChange: (source) => changed(question.position, { source }),
    });
  }

  async function runCode(question, custom, output, action) {
    const source = editors.code.getValue();
    let customInput;
    if (action === "run" && custom.value.trim()) {
      if (question.content.mode === "stdio") customInput = custom.value;
      else {
        try { customInput = JSON.parse(custom.value); } catch (error) {
          output.replaceChildren(el("p", { class: "error", text: "Custom input must be a JSON list of arguments, e.g. [[1, 2], 3]." }));
          return;
        }
      }
    }
    changed(question.position, { source });
    await save(question.position);
    output.replaceChildren(el("p", { class: "muted", text: action === "run" ? "Running the example tests…" : "Submitting…" }));
    // Submit stores the source as the answer, under the revision this page just saved it with.
    const body = action === "run" ? { source, custom_input: customInput } : { source, revision: answers[question.position].revision };
    const started = await api("POST", `/api/sessions/${sessionId}/answers/${question.position}/${action}/`, body);
    if (started.status === 204) {
      output.replaceChildren(el("p", { class: "saved", text: "Submitted. It will be graded when the interview ends." }));
      return;
    }
    if (!started.ok) {
      output.replaceChildren(el("p", { class: "error", text: started.data ? started.data.error.message : "Could not run the code." }));
      return;
    }
    let submission = started.data;
    while (submission.status === "queued" || submission.status === "running") {
      if (submission.status_message) output.replaceChildren(el("p", { class: "muted", text: submission.status_message }));
      const polled = await api("GET", `/api/submissions/${submission.id}/?wait=20`);
      if (!polled.ok) { await new Promise((r) => setTimeout(r, 1000)); continue; }
      submission = polled.data;
    }
    renderResult(output, submission, action);
  }

  function renderResult(output, submission, action) {
    const result = submission.result;
    if (!result) {
      output.replaceChildren(el("p", { class: "error", text: submission.status_message || "We could not run this code; please try again." }));
      return;
    }
    const head = el("p", {}, [
      el("strong", { class: `verdict ${result.verdict}`, text: result.verdict.replace(/_/g, " ") }),
      document.createTextNode(` — ${result.message}`),
      document.createTextNode(action === "submit" && submission.score !== null ? ` · score ${submission.score}` : ""),
    ]);
    const rows = result.tests.map((t) =>
      el("tr", { class: t.verdict }, [
        el("td", { text: t.name }),
        el("td", { class: `verdict ${t.verdict}`, text: t.verdict.replace(/_/g, " ") }),
        el("td", { text: t.cpu_seconds !== null && t.cpu_seconds !== undefined ? `${t.cpu_seconds.toFixed(3)} s` : "" }),
        el("td", {}, t.visible ? [
          t.message ? el("div", { text: t.message }) : "",
          t.expected !== null && t.expected !== undefined ? el("div", {}, [document.createTextNode("expected "), el("code", { text: t.expected })]) : "",
          t.actual !== null && t.actual !== undefined ? el("div", {}, [document.createTextNode("got "), el("code", { text: t.actual })]) : "",
          t.diff ? el("pre", { text: t.diff }) : "",
          t.stdout ? el("pre", { class: "stdout", text: t.stdout }) : "",
          t.stderr ? el("pre", { class: "stderr", text: t.stderr }) : "",
        ] : [el("span", { class: "muted", text: "hidden test" })]),
      ])
    );
    const table = el("table", { class: "tests" }, [
      el("thead", {}, [el("tr", {}, ["Test", "Verdict", "CPU", "Details"].map((h) => el("th", { text: h })))]),
      el("tbody", {}, rows),
    ]);
    const summary = result.hidden_summary && result.hidden_summary.total
      ? el("p", { class: "muted", text: `Hidden tests passed: ${result.hidden_summary.passed} of ${result.hidden_summary.total}` }) : "";
    output.replaceChildren(head, table, summary);
  }

  // -- finishing ------------------------------------------------------------------

  $("finish").addEventListener("click", async () => {
    const unanswered = session.questions.filter((q) => !isAnswered(q)).length;
    const warning = unanswered ? ` ${unanswered} question(s) have no answer yet.` : "";
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
    } else banner(result.data ? result.data.error.message : "Could not finish; please try again.", "error");
  });

  // -- start ----------------------------------------------------------------------

  async function load() {
    const sent = Date.now();
    const result = await api("GET", `/api/sessions/${sessionId}/`);
    if (!result.ok) {
      setStatus(result.data ? result.data.error.message : "Could not load the interview.", "error");
      return;
    }
    session = result.data;
    clockOffset = Date.parse(session.server_time) - (sent + Date.now()) / 2;
    if (session.status !== "in_progress") {
      window.location.href = root.dataset.resultsUrl;
      return;
    }
    for (const q of session.questions) {
      answers[q.position] = { payload: q.answer.payload || {}, revision: q.answer.revision, confirmed: q.answer.revision, saving: false, timer: null, failures: 0 };
    }
    show(session.questions[0].position);
    // A reload or a return through the link ends an absence the last page began.
    if (document.visibilityState === "visible") record("focus_back");
    refreshStatus();
    tick();
    setInterval(tick, 250);
  }

  load();
})();
