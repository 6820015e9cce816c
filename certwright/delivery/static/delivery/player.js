/* Certwright exam player: one question per screen, every answer saved as chosen.
 *
 * No build step, no framework. The server is the authority on everything that
 * matters: it sends the time left (the client only counts it down and asks again
 * every few seconds), it stores each answer with the client's sequence number and
 * applies only a higher one, and it decides whether a submission was in time.
 *
 * Saves go through a queue kept in localStorage ("certwright.attempt.<id>"): an
 * answer is queued first, then sent; it leaves the queue only when the server has
 * acknowledged it (which it does after the commit). A reload, a crash or a dropped
 * network therefore loses nothing: the queue is replayed, with back-off, when the
 * page loads again, when the browser says it is online, and on a timer. One save
 * waiting goes alone (answers/); more than one (after a reconnect, say) go in one
 * request (answers/batch/), stored in one transaction and acknowledged one by
 * one, so a room of candidates reconnecting at once sends a request each, not one
 * per answer.
 *
 * An exam asks for its state every 2 seconds, so a proctor's pause reaches the
 * screen within about that (the state endpoint reads the session and one attempt
 * row); an untimed practice test every 15. The question on screen is remembered in
 * localStorage and on the server (a new browser reopens there).
 *
 * Practice: the candidate picks an option and presses "Check answer"; that first
 * checked answer is saved and counts, the options lock and the feedback shows. The
 * server enforces it too (a later change of a practice answer is not applied).
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("player-data").textContent);
  var root = document.getElementById("player");
  var T = data.text;
  var attempt = data.attempt;
  var items = data.items;
  var urls = data.urls;
  var csrf = root.getAttribute("data-csrf");
  var KEY = "certwright.attempt." + attempt.id;
  var LETTERS = "ABCD";
  var POLL_MS = 15000;
  // An exam's poll: a pause must reach the screen within 3 seconds.
  var EXAM_POLL_MS = 2000;
  var MAX_BACKOFF_MS = 30000;

  var byId = {};
  items.forEach(function (item, index) { byId[item.id] = index; });

  // --- storage ------------------------------------------------------------------
  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }
  var stored = load();
  // Answers as the candidate sees them: the server's, then any newer local ones.
  var answers = {};
  Object.keys(data.answers).forEach(function (id) { answers[id] = data.answers[id]; });
  var queue = (stored.queue || []).filter(function (q) { return q.item in byId; });
  queue.forEach(function (q) {
    var known = answers[q.item];
    if (!known || known.seq < q.seq) {
      answers[q.item] = { choice: q.choice, flagged: q.flagged, seq: q.seq };
    }
  });
  var seq = Math.max(stored.seq || 0, data.max_seq || 0);
  // This browser's record of the question on screen, else the server's (a new
  // browser, or one the proctor moved the exam to).
  var position = Math.max(Math.min(
    typeof stored.pos === "number" && stored.pos > 0 ? stored.pos : (data.position || 0),
    items.length - 1), 0);
  // Practice: the option picked but not yet checked, and each answer's feedback.
  var picked = {};
  var feedbackOf = {};

  function persist() {
    // Another tab of the same attempt may have written meanwhile: keep the highest
    // sequence number and, per item, the newest queued save of either tab.
    var other = load();
    seq = Math.max(seq, other.seq || 0);
    var merged = {};
    (other.queue || []).concat(queue).forEach(function (q) {
      if (!merged[q.item] || merged[q.item].seq < q.seq) merged[q.item] = q;
    });
    var mine = {};
    queue.forEach(function (q) { mine[q.item] = q.seq; });
    // Entries the other tab has had acknowledged are gone from its queue; keep ours.
    var out = Object.keys(merged).map(function (k) { return merged[k]; });
    out = out.filter(function (q) { return !(q.item in acked) || acked[q.item] < q.seq; });
    try {
      localStorage.setItem(KEY, JSON.stringify({ seq: seq, queue: out, pos: position }));
    } catch (e) { /* storage full or denied: the in-memory queue still works */ }
  }
  var acked = {};

  function nextSeq() {
    var other = load();
    seq = Math.max(seq, other.seq || 0) + 1;
    return seq;
  }

  // --- status line --------------------------------------------------------------
  var statusEl = document.getElementById("save-status");
  var signedOut = false;
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, k) { return String(values[k]); });
  }
  function showStatus(kind) {
    var n = queue.length;
    var text;
    if (signedOut) text = T.signed_out;
    else if (kind === "offline") text = fmt(T.offline, { n: n });
    else if (kind === "retrying") text = fmt(T.retrying, { n: n });
    else if (kind === "paused") text = T.paused;
    else text = n ? T.saving : T.saved;
    if (statusEl.textContent !== text) statusEl.textContent = text;
    statusEl.setAttribute("data-state", signedOut ? "signed_out" : (kind || (n ? "saving" : "saved")));
  }

  // --- sending ------------------------------------------------------------------
  var sending = false;
  var backoff = 0;
  var retryTimer = null;

  // Signing in again (in another tab) changes the CSRF token: read the current one
  // from the cookie for every request, the page's copy only if there is none.
  function csrfToken() {
    var name = data.csrf_cookie + "=";
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name) === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length)) : csrf;
  }

  function post(url, body, pass) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken() };
    if (pass) headers["X-Save-Pass"] = pass;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(body || {}),
    });
  }

  // The server's pass for this session's saves, renewed by every state poll: a
  // save that carries it is answered without the session's full check, which the
  // poll has just made (delivery/save_pass.py). Without one, a save still works.
  var savePass = data.save_pass || "";

  function scheduleRetry(kind) {
    showStatus(kind);
    backoff = Math.min(backoff ? backoff * 2 : 1000, MAX_BACKOFF_MS);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, backoff + Math.random() * 250);
  }

  function dropQueued(entry) {
    queue = queue.filter(function (q) { return !(q.item === entry.item && q.seq <= entry.seq); });
    acked[entry.item] = Math.max(acked[entry.item] || 0, entry.seq);
    persist();
  }

  function wire(entry) {
    return { item: entry.item, choice: entry.choice, flagged: entry.flagged, seq: entry.seq };
  }

  // A refusal the server will repeat however often it is sent (the request is
  // wrong, not the network or the exam's state): 4xx but 401, 403 and 409.
  function refusedForGood(status) {
    return status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 409;
  }

  // The server acknowledged this save (after the commit): drop it from the queue
  // and show what the server holds. Returns true when the server holds another
  // save of the item than this one (the caller then asks for its max_seq).
  function acknowledged(entry, body) {
    dropQueued(entry);
    var other = false;
    // Not applied: the server holds another save of this item (a newer one, or
    // another device's with the same number). Show what is stored, and number
    // the next saves above everything the server holds.
    if (body.applied === false || body.seq > entry.seq) {
      var pending = queue.some(function (q) { return q.item === entry.item; });
      if (!pending) {
        answers[entry.item] = { choice: body.choice, flagged: body.flagged, seq: body.seq };
        if (current() === entry.item && visible === "item") renderItem(false);
      }
      seq = Math.max(seq, body.seq);
      persist();
      other = body.applied === false;
    }
    if (body.feedback) {
      feedbackOf[entry.item] = body.feedback;
      if (current() === entry.item && visible === "item") showFeedback(body.feedback);
    }
    return other;
  }

  // After a batch the server refused whole as a bad request (a player bug, not
  // the network), the queue goes one save at a time until it is empty, so the
  // one bad save is found and dropped and the rest still saved.
  var oneAtATime = false;

  function flush() {
    if (sending || signedOut) return Promise.resolve();
    if (!queue.length) { oneAtATime = false; showStatus(); return Promise.resolve(); }
    if (attempt.status === "paused") { showStatus("paused"); return Promise.resolve(); }
    sending = true;
    // More than one save waiting (after a reconnect, a retry, a pause): the whole
    // queue goes in one request, one transaction on the server, acknowledged per
    // save. One save waiting (the usual case): the single save.
    var batch = queue.length > 1 && !oneAtATime;
    var entries = batch ? queue.slice(0, data.batch_max || 250) : [queue[0]];
    var request;
    if (batch) {
      request = post(urls.save_many, { answers: entries.map(wire), feedback: attempt.practice });
    } else {
      var body1 = wire(entries[0]);
      body1.feedback = attempt.practice;
      request = post(urls.save, body1, savePass);
    }
    showStatus();
    return request.then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        sending = false;
        if (response.ok && body.ok) {
          backoff = 0;
          var acks = batch ? (body.acks || []) : [body];
          var sync = false;
          var held = false;
          entries.forEach(function (entry, i) {
            var ack = acks[i] || {};
            if (ack.ok) {
              if (acknowledged(entry, ack)) sync = true;
            } else if (refusedForGood(ack.status)) {
              // This save alone was refused for good: say so, drop it, keep on.
              statusEl.textContent = fmt(T.refused, { message: ack.message || ack.status });
              dropQueued(entry);
            } else {
              held = true; // kept in the queue, sent again with the back-off
            }
          });
          if (sync) syncSeq();
          if (held) { scheduleRetry("retrying"); return; }
          return flush();
        }
        var code = body.error;
        if (response.status === 401 || code === "signed_out") { signOut(); return; }
        // Not this workstation (the proctor moved the exam): the page says why.
        if (code === "device" || code === "launch") { window.location.reload(); return; }
        if (code === "paused") {
          // Stop taking answers at once; the poll brings the frozen time left.
          applyState({ ok: true, status: "paused", remaining: remaining() === null ? attempt.remaining : remaining(), version: attempt.version });
          poll();
          return;
        }
        if (code === "finished" || code === "deadline") { poll(); return; }
        if (refusedForGood(response.status)) {
          if (batch) { oneAtATime = true; return flush(); }
          // The server will never take this one (a bug, not the network): say so,
          // drop it and carry on with the rest.
          statusEl.textContent = fmt(T.refused, { message: body.message || response.status });
          dropQueued(entries[0]);
          return flush();
        }
        scheduleRetry("retrying");
      });
    }).catch(function () {
      sending = false;
      scheduleRetry("offline");
    });
  }

  function record(itemId, choice, flagged) {
    var entry = { item: itemId, choice: choice, flagged: flagged, seq: nextSeq() };
    answers[itemId] = { choice: choice, flagged: flagged, seq: entry.seq };
    queue = queue.filter(function (q) { return q.item !== itemId; });
    queue.push(entry);
    persist();
    showStatus();
    clearTimeout(retryTimer);
    backoff = 0;
    flush();
  }

  window.addEventListener("online", function () { backoff = 0; flush(); poll(); });
  window.addEventListener("offline", function () { showStatus("offline"); });
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY) return;
    var other = load();
    seq = Math.max(seq, other.seq || 0);
  });

  // --- clock --------------------------------------------------------------------
  var clockEl = document.getElementById("clock");
  var deadlineAt = null; // performance.now() value at which the time is up
  var pausedPoll = null;
  var ending = false;

  function setRemaining(seconds) {
    deadlineAt = performance.now() + seconds * 1000;
    tick();
  }
  function remaining() {
    if (deadlineAt === null) return null;
    return Math.max(0, Math.ceil((deadlineAt - performance.now()) / 1000));
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    if (!clockEl || !attempt.timed) return;
    var left = attempt.status === "paused" ? attempt.remaining : remaining();
    if (left === null) left = attempt.remaining;
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    clockEl.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    clockEl.classList.toggle("low", left <= 300);
    if (attempt.status === "in_progress" && left === 0) timeUp();
  }
  setInterval(tick, 1000);

  function applyState(state) {
    if (!state || !state.ok) return;
    if (typeof state.save_pass === "string") savePass = state.save_pass;
    var was = attempt.status;
    attempt.status = state.status;
    attempt.remaining = state.remaining;
    attempt.version = state.version;
    if (state.result_url) { finish(state.result_url); return; }
    if (state.status === "in_progress") setRemaining(state.remaining);
    clearTimeout(pausedPoll);
    if (state.status === "paused") {
      if (visible !== "paused") show("paused");
      showStatus("paused");
      // Watch closely for the proctor's resume: the clock restarts on the server.
      pausedPoll = setTimeout(poll, 3000);
    }
    else if (was === "paused" && state.status === "in_progress") { show("item"); flush(); }
    tick();
  }

  var polling = false;
  function poll() {
    // One poll at a time: a slow answer is not piled on by the next tick.
    if (polling) return Promise.resolve();
    polling = true;
    return fetch(urls.state, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401) { signOut(); return null; }
        return r.json();
      })
      .then(function (state) { polling = false; applyState(state); })
      .catch(function () { polling = false; showStatus(queue.length ? "offline" : undefined); });
  }
  setInterval(function () { if (!ending && !signedOut) poll(); }, attempt.timed ? EXAM_POLL_MS : POLL_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    if (signedOut) recheck(); else poll();
  });
  window.addEventListener("focus", function () { if (signedOut) recheck(); });

  function syncSeq() {
    // The server's highest sequence number for the attempt: continue above it.
    return fetch(urls.state + "?answers=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && state.ok && typeof state.max_seq === "number" && state.max_seq > seq) {
          seq = state.max_seq;
          persist();
        }
      })
      .catch(function () { /* the next refusal asks again */ });
  }

  // --- signed out ---------------------------------------------------------------
  // The queue is kept; the candidate signs in again in another tab (the link), and
  // the player checks the session every few seconds (and when the tab comes back):
  // once the server answers again, it sends the queue with the new CSRF token.
  var signinLink = document.getElementById("signin-link");
  var recheckTimer = null;
  var RECHECK_MS = 3000;

  function signOut() {
    signedOut = true;
    showStatus();
    if (signinLink) signinLink.hidden = false;
    clearTimeout(recheckTimer);
    recheckTimer = setTimeout(recheck, RECHECK_MS);
  }

  function recheck() {
    clearTimeout(recheckTimer);
    if (!signedOut) return Promise.resolve();
    return fetch(urls.state, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { recheckTimer = setTimeout(recheck, RECHECK_MS); return; }
        return r.json().then(function (state) {
          signedOut = false;
          if (signinLink) signinLink.hidden = true;
          backoff = 0;
          showStatus();
          applyState(state);
          flush();
        });
      })
      .catch(function () { recheckTimer = setTimeout(recheck, RECHECK_MS); });
  }

  // --- ending -------------------------------------------------------------------
  function finish(url) {
    ending = true;
    try { localStorage.removeItem(KEY); } catch (e) { /* ignore */ }
    window.location.assign(url);
  }

  function drain(ms) {
    // Send what is queued, for at most ms milliseconds.
    var until = Date.now() + ms;
    function step() {
      if (!queue.length || Date.now() > until || signedOut) return Promise.resolve();
      return flush().then(function () {
        if (!queue.length) return;
        return new Promise(function (ok) { setTimeout(ok, 300); }).then(step);
      });
    }
    return step();
  }

  function submit() {
    ending = true;
    show("ending");
    return drain(8000).then(function () {
      return post(urls.submit).then(function (r) { return r.json(); });
    }).then(function (state) {
      if (state && state.ok && state.result_url) finish(state.result_url);
      else if (state && (state.error === "device" || state.error === "launch")) window.location.reload();
      else if (state && state.error === "paused") { ending = false; applyState({ ok: true, status: "paused", remaining: attempt.remaining, version: attempt.version }); }
      else { ending = false; poll(); show("review"); }
    }).catch(function () {
      // Offline: keep trying; the server closes the attempt at the deadline anyway.
      document.getElementById("ending-text").textContent = T.time_up_offline;
      setTimeout(submit, 5000);
    });
  }

  function timeUp() {
    // The server decides: send what is queued, ask for the time left, and submit
    // only if the server agrees the time is up (it then records the time-out).
    if (ending) return;
    ending = true;
    document.getElementById("ending-heading").textContent = T.time_up;
    show("ending");
    drain(4000).then(function () {
      return fetch(urls.state, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    }).then(function (state) {
      if (state && state.ok && !state.result_url && state.remaining > 0) {
        ending = false;
        applyState(state);
        if (state.status === "in_progress") show("item");
        return;
      }
      submit();
    }).catch(function () {
      document.getElementById("ending-text").textContent = T.time_up_offline;
      setTimeout(function () { ending = false; timeUp(); }, 5000);
    });
  }

  // --- screens ------------------------------------------------------------------
  var screens = {
    tutorial: document.getElementById("tutorial"),
    item: document.getElementById("item-screen"),
    review: document.getElementById("review-screen"),
    paused: document.getElementById("paused-screen"),
    ending: document.getElementById("ending-screen"),
  };
  var visible = null;
  function show(name) {
    Object.keys(screens).forEach(function (k) { screens[k].hidden = k !== name; });
    visible = name;
    if (name === "item") renderItem(true);
    if (name === "review") renderReview();
    var heading = screens[name].querySelector("h1");
    if (heading) heading.focus();
  }

  function current() { return items[position].id; }

  // Tell the server which question is on screen (after the candidate settles on
  // one), so another browser reopens the exam there. Best effort: a lost one only
  // means reopening on an earlier question.
  var sentPosition = data.position || 0;
  var positionTimer = null;
  function sendPosition() {
    clearTimeout(positionTimer);
    positionTimer = setTimeout(function () {
      if (position === sentPosition || attempt.status !== "in_progress" || signedOut) return;
      var at = position;
      post(urls.position, { position: at })
        .then(function (r) { if (r.ok) sentPosition = at; })
        .catch(function () { /* offline: the next move sends it */ });
    }, 400);
  }

  function renderItem(focus) {
    var item = items[position];
    var saved = answers[item.id] || { choice: null, flagged: false };
    document.getElementById("item-heading").textContent = fmt(T.question, { n: item.n, total: items.length });
    var stem = document.getElementById("stem");
    stem.textContent = "";
    item.stem.split(/\n{2,}/).forEach(function (para) {
      var p = document.createElement("p");
      p.textContent = para;
      stem.appendChild(p);
    });
    if (item.image) {
      var img = document.createElement("img");
      img.src = item.image;
      img.alt = fmt(T.figure, { n: item.n });
      stem.appendChild(img);
    }
    // Practice: the first checked answer counts, so an answered question is locked.
    var locked = attempt.practice && saved.choice !== null && saved.choice !== undefined;
    var box = document.getElementById("options");
    box.textContent = "";
    item.options.forEach(function (text, i) {
      var id = "choice-" + item.id + "-" + i;
      var row = document.createElement("div");
      row.className = "option";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "choice";
      input.id = id;
      input.value = String(i);
      input.checked = locked ? saved.choice === i : (attempt.practice ? picked[item.id] === i : saved.choice === i);
      input.disabled = locked;
      input.addEventListener("change", function () {
        if (attempt.practice) {
          // Nothing is saved until "Check answer": arrows may move freely.
          picked[item.id] = i;
          document.getElementById("check-button").disabled = false;
          return;
        }
        var flag = document.getElementById("flag").checked;
        hideFeedback();
        record(item.id, i, flag);
      });
      var label = document.createElement("label");
      label.htmlFor = id;
      var letter = document.createElement("span");
      letter.className = "letter";
      letter.textContent = LETTERS[i];
      letter.setAttribute("aria-hidden", "true");
      var words = document.createElement("span");
      words.textContent = text;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = LETTERS[i] + ": ";
      label.appendChild(letter);
      label.appendChild(hidden);
      label.appendChild(words);
      row.appendChild(input);
      row.appendChild(label);
      box.appendChild(row);
    });
    document.getElementById("flag").checked = !!saved.flagged;
    document.getElementById("prev-button").disabled = position === 0;
    document.getElementById("next-button").disabled = position === items.length - 1;
    if (attempt.practice) {
      var check = document.getElementById("check-button");
      check.hidden = locked;
      check.disabled = picked[item.id] === undefined;
      document.getElementById("clear-button").hidden = locked;
      document.getElementById("item-lock").hidden = !locked;
    }
    if (focus) hideFeedback();
    if (locked && feedbackOf[item.id]) showFeedback(feedbackOf[item.id]);
    persist();
    sendPosition();
  }

  function hideFeedback() {
    var el = document.getElementById("feedback");
    el.hidden = true;
    el.textContent = "";
  }
  function showFeedback(feedback) {
    var el = document.getElementById("feedback");
    el.textContent = "";
    var verdict = document.createElement("p");
    verdict.className = feedback.correct ? "right" : "wrong";
    verdict.textContent = feedback.correct ? T.right : fmt(T.incorrect, { key: LETTERS[feedback.key] });
    el.appendChild(verdict);
    if (feedback.rationale) {
      var why = document.createElement("p");
      why.textContent = feedback.rationale;
      el.appendChild(why);
    }
    el.hidden = false;
  }

  function jumpButton(item) {
    var li = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    var saved = answers[item.id] || {};
    var parts = [];
    parts.push(saved.choice === null || saved.choice === undefined ? T.unanswered : T.answered);
    if (saved.flagged) parts.push(T.flagged);
    button.textContent = fmt(T.go_to, { n: item.n });
    var note = document.createElement("span");
    note.className = "visually-hidden";
    note.textContent = ", " + parts.join(", ");
    button.appendChild(note);
    if (saved.flagged) button.classList.add("flagged");
    if (saved.choice !== null && saved.choice !== undefined) button.classList.add("answered");
    button.addEventListener("click", function () { position = byId[item.id]; show("item"); });
    li.appendChild(button);
    return li;
  }

  function renderReview() {
    var unanswered = items.filter(function (it) {
      var a = answers[it.id]; return !a || a.choice === null || a.choice === undefined;
    });
    var flagged = items.filter(function (it) { return answers[it.id] && answers[it.id].flagged; });
    document.getElementById("review-summary").textContent = fmt(T.summary, {
      answered: items.length - unanswered.length, total: items.length, flagged: flagged.length,
    });
    [["unanswered-list", unanswered], ["flagged-list", flagged], ["all-list", items]].forEach(function (pair) {
      var list = document.getElementById(pair[0]);
      list.textContent = "";
      if (!pair[1].length) {
        var li = document.createElement("li");
        li.textContent = T.none;
        list.appendChild(li);
      }
      pair[1].forEach(function (it) { list.appendChild(jumpButton(it)); });
    });
  }

  // --- controls -----------------------------------------------------------------
  document.getElementById("start-button").addEventListener("click", function () {
    var button = this;
    button.disabled = true;
    post(urls.start).then(function (r) { return r.json(); }).then(function (state) {
      button.disabled = false;
      // An exam's questions are sent only once its clock runs: load them now.
      if (state.ok && !items.length) { window.location.reload(); return; }
      if (state.ok) { applyState(state); if (state.status !== "paused") show("item"); }
      else if (state.error === "device" || state.error === "launch" || state.error === "finished") window.location.reload();
    }).catch(function () { button.disabled = false; showStatus("offline"); });
  });
  document.getElementById("prev-button").addEventListener("click", function () {
    if (position > 0) { position -= 1; show("item"); }
  });
  document.getElementById("next-button").addEventListener("click", function () {
    if (position < items.length - 1) { position += 1; show("item"); }
  });
  document.getElementById("review-button").addEventListener("click", function () { show("review"); });
  document.getElementById("back-button").addEventListener("click", function () { show("item"); });
  document.getElementById("flag").addEventListener("change", function () {
    var saved = answers[current()] || { choice: null };
    record(current(), saved.choice === undefined ? null : saved.choice, this.checked);
  });
  var checkButton = document.getElementById("check-button");
  if (checkButton) checkButton.addEventListener("click", function () {
    var id = current();
    if (picked[id] === undefined) return;
    var saved = answers[id] || { flagged: false };
    record(id, picked[id], !!saved.flagged);
    delete picked[id];
    renderItem(false);
    // The options are locked now: move on from here, the feedback is announced.
    document.getElementById(position < items.length - 1 ? "next-button" : "review-button").focus();
  });
  document.getElementById("clear-button").addEventListener("click", function () {
    if (attempt.practice) { delete picked[current()]; renderItem(false); return; }
    var saved = answers[current()] || { flagged: false };
    record(current(), null, !!saved.flagged);
    hideFeedback();
    renderItem(false);
  });

  var dialog = document.getElementById("confirm-dialog");
  document.getElementById("submit-button").addEventListener("click", function () {
    var unanswered = items.filter(function (it) {
      var a = answers[it.id]; return !a || a.choice === null || a.choice === undefined;
    }).length;
    var flagged = items.filter(function (it) { return answers[it.id] && answers[it.id].flagged; }).length;
    document.getElementById("confirm-text").textContent = fmt(T.confirm, { unanswered: unanswered, flagged: flagged });
    dialog.showModal();
    document.getElementById("confirm-cancel").focus();
  });
  document.getElementById("confirm-cancel").addEventListener("click", function () { dialog.close(); });
  document.getElementById("confirm-submit").addEventListener("click", function () {
    dialog.close();
    submit();
  });

  // --- start --------------------------------------------------------------------
  persist();
  // A practice test starts in progress: its tutorial shows until the first answer.
  if (attempt.status === "authorised" || (attempt.practice && !Object.keys(answers).length)) {
    show("tutorial");
  } else if (attempt.status === "paused") {
    show("paused");
    showStatus("paused");
  } else {
    if (attempt.timed) setRemaining(attempt.remaining);
    show("item");
  }
  tick();
  flush();
})();
