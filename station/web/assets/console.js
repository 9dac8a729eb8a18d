// The officials' console (docs/hall.md "The officials' console"; the steps of
// docs/operations.md): one section per step, each action shown in words with its command and
// arguments and confirmed in an in-page dialog before it is sent, the answer shown in #outcome.
// The forms are built once per language and session and then only prefilled (never over what an
// official typed), so that a change at the station does not wipe a form being filled in.
"use strict";

(() => {
  const { el } = Hall;
  const kKeyStore = "tallystation.console-key";
  let state = null;
  let linked = true;
  let lang = "en";
  let built = "";
  let drawnMinutes = "";

  // The console key travels in the URL's fragment (never sent to a server); it is kept for this
  // tab only and removed from the address bar so that it is not left in history or on screen.
  function readKey() {
    const m = /^#k=([0-9a-fA-F]+)$/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(kKeyStore, m[1]);
      history.replaceState(null, "", location.pathname + location.search);
    }
    return sessionStorage.getItem(kKeyStore);
  }
  const consoleKey = readKey();

  const t = (key, values) => I18n.t(lang, key, values);
  const status = () => (state && state.status) || {};
  const people = () => (state && state.people) || {};
  const contests = () => status().contests || [];
  const canCommand = () => !!(state && state.signer && state.signer.official);

  class InputError extends Error {}

  // ---- Form pieces ----

  function field(labelKey, control, wide) {
    return el("label", { class: "field" + (wide ? " wide" : "") }, t(labelKey), control);
  }
  const input = (name, attrs) => el("input", Object.assign({ name, type: "text", autocomplete: "off" }, attrs));
  const textarea = (name, attrs) => el("textarea", Object.assign({ name, rows: 3 }, attrs));
  function contestSelect() {
    return el("select", { name: "contest" },
      contests().map((c) => el("option", { value: c.id }, `${c.id}: ${c.title || ""}`)));
  }

  // A form for one action: data-command for a signed command, data-action for countersign and
  // export. `args(form)` reads the arguments (throwing InputError for what cannot be sent),
  // `say(args)` words what the action will do.
  function actionForm(kind, name, labelKey, fields, args, say, attrs) {
    const submit = el("button", { type: "submit", "data-submit": name }, t(labelKey));
    const form = el("form", Object.assign({ [kind]: name, novalidate: true }, attrs),
      el("fieldset", {}, el("div", { class: "fields" }, fields, submit)));
    form.addEventListener("input", (e) => {
      if (e.target.name) e.target.dataset.dirty = "1";
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      let values;
      try {
        values = args(form);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        const outcome = document.getElementById("outcome");
        outcome.dataset.command = name;
        outcome.dataset.error = "input";
        show("error", [el("p", {}, t("bad_input", { what: err.message }))]);
        return;
      }
      act(name, values, say(values), form);
    });
    return form;
  }

  // Sets a field from the state unless the official has typed into it.
  function prefill(form, name, value) {
    const control = form && form.elements[name];
    if (control && !control.dataset.dirty) control.value = value === undefined || value === null ? "" : String(value);
  }

  const text = (form, name) => form.elements[name].value.trim();
  const ids = (value) => value.split(/[\s,]+/).filter(Boolean);
  function integer(form, name, labelKey) {
    const v = text(form, name);
    if (!/^\d+$/.test(v)) throw new InputError(t("need_number", { field: t(labelKey) }));
    return Number(v);
  }
  // "a b c" lines into [first word, the rest].
  function pairs(value) {
    return value.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
      const m = /^(\S+)\s+(.+)$/.exec(line);
      if (!m) throw new InputError(t("need_line", { line }));
      return [m[1], m[2].trim()];
    });
  }

  // ---- Sending ----

  const dialog = () => document.getElementById("confirm");

  function confirmAction(name, args, sentence) {
    document.getElementById("confirm-title").textContent = t("confirm_title");
    document.getElementById("confirm-what").textContent = sentence;
    document.getElementById("confirm-command-label").textContent = t("command_name") + ":";
    document.getElementById("confirm-command").textContent = name;
    document.getElementById("confirm-args-label").textContent = t("arguments") + ":";
    document.getElementById("confirm-args").textContent = JSON.stringify(args, null, 2);
    const yes = document.getElementById("confirm-yes");
    const no = document.getElementById("confirm-no");
    yes.textContent = t("confirm_yes");
    no.textContent = t("confirm_no");
    return new Promise((resolve) => {
      const done = (answer) => {
        yes.onclick = no.onclick = dialog().oncancel = null;
        dialog().close();
        resolve(answer);
      };
      yes.onclick = () => done(true);
      no.onclick = () => done(false);
      dialog().oncancel = (e) => {
        e.preventDefault();
        done(false);
      };
      dialog().showModal();
      no.focus();
    });
  }

  async function post(path, body) {
    let answer;
    try {
      answer = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Console-Key": consoleKey || "" },
        body: JSON.stringify(body),
        cache: "no-store",
      });
    } catch (err) {
      return { status: 0, data: { error: "network", message: String(err.message || err) } };
    }
    let data;
    try {
      data = await answer.json();
    } catch (err) {
      data = { error: answer.ok ? "internal" : "bad_request", message: answer.statusText };
    }
    return { status: answer.status, data };
  }

  async function act(name, args, sentence, form) {
    if (!(await confirmAction(name, args, sentence))) return;
    const outcome = document.getElementById("outcome");
    outcome.dataset.command = name;
    delete outcome.dataset.error;
    show("", [el("p", {}, t("sending"))]);
    let answer;
    if (name === "countersign") answer = await post("/api/countersign", args);
    else if (name === "export") answer = await post("/api/export", {});
    else answer = await post("/api/command", { name, args });
    if (answer.status === 200 && answer.data && answer.data.ok === true) {
      show("ok", succeeded(name, args, answer.data));
      for (const control of form.elements) delete control.dataset.dirty;
      form.reset();
      prefillAll();
    } else {
      show("error", refused(answer));
    }
  }

  // #outcome: class ok or error; data-command names the action it answers, data-error the code
  // of a refusal.
  function show(kind, children) {
    const outcome = document.getElementById("outcome");
    outcome.className = kind;
    outcome.replaceChildren(...children);
    outcome.scrollIntoView({ block: "nearest" });
  }

  function succeeded(name, args, data) {
    if (name === "countersign") {
      const c = data.certification || {};
      return [
        el("p", {}, t("ok_countersign", args)),
        el("p", {}, t(c.certified ? "certified" : "not_certified", { signed: (c.signed_by || []).length, required: c.required })),
      ];
    }
    if (name === "export") {
      return [el("p", {}, t("bundle_written", data))];
    }
    const response = data.response || {};
    const result = response.result || {};
    const values = Object.assign({}, args, result);
    if (result.quorum) values.held = t(result.quorum.held ? "held" : "not_held");
    const out = [el("p", {}, `${t("ok_" + name, values)} (${t("log_entry", { index: response.log_index })})`)];
    if (name === "issue_tokens") {
      if (result.file) out.push(el("p", {}, t("tokens_file", { file: result.file })));
      if (result.slips) {
        // The slips hold the tokens: the console serves them only with its key, so the link
        // fetches them with it and hands the browser the PDF as a download.
        const link = el("a", { id: "slips-link", href: "#", "data-file": result.slips },
          t("slips_link") + ": " + result.slips);
        link.addEventListener("click", async (event) => {
          event.preventDefault();
          const answer = await fetch("/api/files/" + encodeURIComponent(result.slips), {
            headers: { "X-Console-Key": consoleKey || "" },
            cache: "no-store",
          });
          if (!answer.ok) {
            let data = {};
            try { data = await answer.json(); } catch (err) { data = { error: "internal" }; }
            show("error", refused({ status: answer.status, data }));
            return;
          }
          const url = URL.createObjectURL(await answer.blob());
          const save = el("a", { href: url, download: result.slips });
          document.body.appendChild(save);
          save.click();
          save.remove();
          setTimeout(() => URL.revokeObjectURL(url), 60000);
        });
        out.push(el("p", {}, link));
      }
    }
    return out;
  }

  function refused(answer) {
    const d = answer.data || {};
    const code = d.error || "internal";
    document.getElementById("outcome").dataset.error = code;
    const out = [el("p", {},
      el("strong", {}, t("refused") + " "), el("code", { class: "error-code" }, code), ": ",
      el("span", { class: "error-meaning" }, I18n.error(code, lang)),
      answer.status ? " (" + t("http_status", { status: answer.status }) + ")" : "")];
    // The station names the rule in `rule`; a message relayed without it ends "(rule <code>)".
    const relayed = /\(rule (\w+)\)$/.exec(d.message || "");
    const rule = d.rule || (relayed && relayed[1]);
    if (rule) {
      out.push(el("p", {}, t("rule") + ": ", el("code", { class: "error-rule" }, rule), ": ", I18n.rule(rule, lang)));
    }
    if (d.cause) out.push(el("p", {}, el("code", {}, d.cause)));
    if (d.message) out.push(el("p", { class: "error-message" }, d.message));
    return out;
  }

  // ---- The sections ----

  function section(id, titleKey, ...children) {
    return el("section", { id, class: "step", "aria-labelledby": id + "-title" },
      el("h2", { id: id + "-title" }, t(titleKey)), children);
  }

  function terminals() {
    const enrol = actionForm("data-command", "enrol_terminal", "enrol",
      [field("terminal", input("terminal", { list: "terminal-ids", required: true })),
        field("public_key", textarea("public_key", { placeholder: "-----BEGIN PUBLIC KEY-----" }), true)],
      (f) => {
        const args = { terminal: text(f, "terminal") };
        if (text(f, "public_key")) args.public_key = f.elements.public_key.value.trim() + "\n";
        return args;
      },
      (a) => t("do_enrol_terminal", a));
    const revoke = actionForm("data-command", "revoke_terminal", "revoke",
      [field("terminal", input("terminal", { list: "terminal-ids", required: true }))],
      (f) => ({ terminal: text(f, "terminal") }),
      (a) => t("do_revoke_terminal", a));
    return section("terminals", "sec_terminals",
      el("datalist", { id: "terminal-ids" }),
      el("div", { id: "terminals-table" }), enrol, revoke);
  }

  function roll() {
    if (people().register !== true) {
      const form = actionForm("data-command", "record_attendance", "record_attendance",
        [field("present_count", input("present", { type: "number", min: 0, inputmode: "numeric", required: true }))],
        (f) => ({ present: integer(f, "present", "present_count") }),
        (a) => t("do_record_attendance", a));
      return section("roll", "sec_roll", el("div", { id: "attendance-summary" }), form);
    }
    const fill = el("button", { type: "button", class: "secondary", "data-action": "fill-present" }, t("all_unrecorded"));
    const form = actionForm("data-command", "record_roll", "record_roll",
      [field("present_ids", textarea("present"), true),
        field("absences", textarea("absent"), true),
        el("p", { class: "note", id: "absence-categories" }),
        field("replacements", textarea("replacements"), true)],
      (f) => {
        const args = {};
        const present = ids(text(f, "present"));
        const absent = pairs(f.elements.absent.value).map(([person, category]) => ({ person, category }));
        const replacements = pairs(f.elements.replacements.value).map(([delegate, alternate]) => ({ delegate, alternate }));
        if (present.length) args.present = present;
        if (absent.length) args.absent = absent;
        if (replacements.length) args.replacements = replacements;
        return args;
      },
      (a) => t("do_record_roll", {
        present: (a.present || []).length, absent: (a.absent || []).length, replacements: (a.replacements || []).length,
      }));
    fill.addEventListener("click", () => {
      const unrecorded = (people().roll || []).filter((p) => p.presence === "unrecorded").map((p) => p.person);
      form.elements.present.value = unrecorded.join(", ");
      form.elements.present.dataset.dirty = "1";
    });
    form.querySelector(".fields").prepend(fill);
    return section("roll", "sec_roll", el("div", { id: "attendance-summary" }), el("div", { id: "roll-table", class: "scroll" }), form);
  }

  function exceptions() {
    if (people().register !== true) return null;
    const form = actionForm("data-command", "record_exception", "record_exception",
      [field("contest", contestSelect()),
        field("candidate", input("candidate", { required: true })),
        field("rule", input("rule", { required: true })),
        field("body", input("body", { required: true, size: 30 })),
        field("decision", input("decision", { required: true })),
        field("date", input("date", { type: "date", required: true }))],
      (f) => {
        const date = text(f, "date");
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new InputError(t("date") + ": YYYY-MM-DD");
        return {
          contest: text(f, "contest"), candidate: text(f, "candidate"), rule: text(f, "rule"),
          body: text(f, "body"), decision: text(f, "decision"), date,
        };
      },
      (a) => t("do_record_exception", a));
    const list = el("div", { id: "eligibility-table" });
    list.addEventListener("click", (e) => {
      const row = e.target.closest('[data-action="prefill-exception"]');
      if (!row) return;
      for (const name of ["contest", "candidate", "rule"]) {
        form.elements[name].value = row.dataset[name];
        form.elements[name].dataset.dirty = "1";
      }
      form.elements.body.focus();
    });
    return section("exceptions", "sec_exceptions", list, form);
  }

  function tokens() {
    const select = contestSelect();
    const form = actionForm("data-command", "issue_tokens", "issue_tokens",
      [field("contest", select),
        field("round", input("round", { type: "number", min: 1, inputmode: "numeric" })),
        field("count", input("count", { type: "number", min: 1, max: 10000, inputmode: "numeric" }))],
      (f) => ({ contest: text(f, "contest"), round: integer(f, "round", "round"), count: integer(f, "count", "count") }),
      (a) => t("do_issue_tokens", a));
    select.addEventListener("change", () => {
      delete form.elements.round.dataset.dirty;
      prefillAll();
    });
    return section("tokens", "sec_tokens", form);
  }

  function contestRounds(contest) {
    const hidden = () => el("input", { type: "hidden", name: "contest", value: contest.id });
    const open = actionForm("data-command", "open_round", "open_round",
      [hidden(),
        field("round", input("round", { type: "number", min: 1, inputmode: "numeric" })),
        field("candidates_field", input("candidates", { size: 40 }), true),
        field("seats", input("seats", { type: "number", min: 0, inputmode: "numeric" })),
        field("alternates", input("alternates", { type: "number", min: 0, inputmode: "numeric" })),
        field("new_nominations_field", textarea("new_nominations"), true),
        el("p", { class: "note prefilled", hidden: true }, t("prefilled"))],
      (f) => {
        const args = { contest: contest.id, round: integer(f, "round", "round") };
        const candidates = ids(text(f, "candidates"));
        if (candidates.length) args.candidates = candidates;
        if (text(f, "seats")) args.seats = integer(f, "seats", "seats");
        if (text(f, "alternates")) args.alternates = integer(f, "alternates", "alternates");
        const nominations = pairs(f.elements.new_nominations.value).map(([id, name]) => ({ id, name }));
        if (nominations.length) args.new_nominations = nominations;
        return args;
      },
      (a) => t("do_open_round", a), { "data-contest": contest.id });
    const close = actionForm("data-command", "close_round", "close_round",
      [hidden(), field("round", input("round", { type: "number", min: 1, inputmode: "numeric" }))],
      (f) => ({ contest: contest.id, round: integer(f, "round", "round") }),
      (a) => t("do_close_round", a), { "data-contest": contest.id });
    const conclude = actionForm("data-command", "conclude_contest", "conclude_contest",
      [hidden()],
      () => ({ contest: contest.id }),
      (a) => t("do_conclude_contest", a), { "data-contest": contest.id });
    return el("section", { class: "contest-rounds", "data-contest": contest.id },
      el("h3", {}, `${contest.id}: ${contest.title || ""}`),
      el("div", { class: "rounds-table" }), open, close, conclude);
  }

  function rounds() {
    return section("rounds", "sec_rounds", contests().map(contestRounds));
  }

  function countersign() {
    const form = actionForm("data-action", "countersign", "countersign",
      [field("contest", contestSelect()), field("round", input("round", { type: "number", min: 1, inputmode: "numeric" }))],
      (f) => ({ contest: text(f, "contest"), round: integer(f, "round", "round") }),
      (a) => t("do_countersign", a));
    return section("countersign", "sec_countersign", el("p", { class: "note" }, t("countersign_note")), form);
  }

  function exporting() {
    if (!state.export) return null;
    const form = actionForm("data-action", "export", "export", [], () => ({}), () => t("do_export"));
    return section("export", "sec_export", form);
  }

  function header() {
    const session = Hall.session(state);
    const signer = state.signer || {};
    return [
      el("div", {},
        el("h1", {}, t("console_title")),
        el("p", { class: "session" }, [session.title, session.organisation].filter(Boolean).join(" · "))),
      el("p", { id: "signer", "data-official": signer.official || "" },
        t("signer") + ": ", el("strong", {}, signer.official || "-"),
        signer.keyid ? el("span", { class: "note" }, " (" + signer.keyid.slice(0, 16) + "…)") : null),
      Hall.languageSwitch(lang, draw),
    ];
  }

  function navigation(sections) {
    return el("nav", { "aria-label": t("console_title") },
      el("ul", {}, sections.map((s) => el("li", {}, el("a", { href: "#" + s.id }, s.querySelector("h2").textContent)))));
  }

  // ---- Build once, update on every state ----

  function build() {
    const main = document.getElementById("console");
    const sections = [terminals(), roll(), exceptions(), tokens(), rounds(),
      section("results", "sec_results", el("div", { id: "results-list" })), countersign(), exporting()].filter(Boolean);
    const notes = [];
    if (!consoleKey) notes.push(el("p", { id: "no-key", class: "warning" }, t("no_key")));
    if (!canCommand()) notes.push(el("p", { id: "no-official", class: "warning" }, t("no_official")));
    main.replaceChildren(...notes, navigation(sections), ...sections);
    for (const form of main.querySelectorAll("form[data-command]")) {
      form.querySelector("fieldset").disabled = !canCommand();
    }
    drawnMinutes = "";
    main.removeAttribute("aria-busy");
    main.dataset.ready = "true";
  }

  function table(headers, rows, attrs) {
    return el("table", attrs || {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows));
  }

  function update() {
    const st = status();
    const ppl = people();

    document.getElementById("terminal-ids").replaceChildren(...(st.terminals || []).map((x) => el("option", { value: x.id })));
    document.getElementById("terminals-table").replaceChildren(table([t("terminal"), t("state")],
      (st.terminals || []).map((x) => el("tr", { "data-terminal": x.id, "data-state": x.state },
        el("td", {}, x.id), el("td", {}, I18n.state(x.state, lang))))));

    const summary = document.getElementById("attendance-summary");
    if (ppl.register === true && ppl.attendance) {
      const a = ppl.attendance;
      const q = a.quorum || {};
      summary.replaceChildren(el("p", { "data-present": a.present, "data-convened": a.convened, "data-quorum-held": q.held ? "true" : "false" },
        t("present_of_convened", a) + " · " + t("excluded") + ": " + a.excluded + " · " +
        t("quorum_base") + ": " + q.base + " · " + t("quorum_required") + ": " + q.required + " · " +
        t(q.held ? "quorum_held" : "quorum_not_held")));
      document.getElementById("roll-table").replaceChildren(table(
        [t("person"), t("name"), t("presence"), t("category"), t("alternate_col")],
        (ppl.roll || []).map((p) => el("tr", { "data-person": p.person, "data-presence": p.presence },
          el("td", {}, p.person), el("td", {}, p.name || ""), el("td", {}, I18n.state(p.presence, lang)),
          el("td", {}, p.category ? I18n.absence(p.category, lang) : ""), el("td", {}, p.alternate || "")))));
      document.getElementById("absence-categories").replaceChildren(t("categories") + ": " +
        I18n.absenceCategories(ppl.congress_kind).map((c) => `${c} (${I18n.absence(c, lang)})`).join(", "));
    } else if (summary) {
      const present = st.attendance ? st.attendance.present : null;
      const convened = Hall.session(state).convened;
      summary.replaceChildren(el("p", { "data-present": present === null ? "" : present, "data-convened": convened },
        present === null || present === undefined ? t("attendance_not_recorded") : t("present_of_convened", { present, convened })));
    }

    const eligibility = document.getElementById("eligibility-table");
    if (eligibility) {
      const over = [];
      for (const c of ppl.contests || []) {
        for (const e of c.eligibility || []) {
          if (!e.within_limit) over.push(el("tr", { "data-contest": c.contest, "data-candidate": e.candidate, "data-eligible": e.eligible ? "true" : "false" },
            el("td", {}, c.contest), el("td", {}, e.candidate + " " + (e.name || "")), el("td", {}, e.rule),
            el("td", {}, String(e.age)), el("td", {}, String(e.limit)), el("td", {}, t(e.eligible ? "yes" : "no")),
            el("td", {}, e.exception ? `${e.exception.body}, ${e.exception.decision}, ${e.exception.date}`
              : el("button", { type: "button", class: "secondary", "data-action": "prefill-exception", "data-contest": c.contest, "data-candidate": e.candidate, "data-rule": e.rule }, t("use_row")))));
        }
      }
      eligibility.replaceChildren(el("h3", {}, t("over_limit")), over.length
        ? table([t("contest"), t("candidate"), t("rule"), t("age"), t("limit"), t("eligible"), t("exception")], over)
        : el("p", { class: "note" }, t("none_over_limit")));
    }

    for (const block of document.querySelectorAll(".contest-rounds")) {
      const contest = contests().find((c) => c.id === block.dataset.contest) || {};
      const rows = (contest.rounds || []).map((r) => {
        const m = r.minutes || {};
        const entry = (state.minutes || []).find((x) => x.contest === contest.id && x.round === r.round);
        const c = (entry && entry.certification) || m.certification || {};
        return el("tr", { "data-round": r.round, "data-state": r.state },
          el("td", {}, String(r.round)), el("td", {}, I18n.state(r.state, lang)), el("td", {}, String(r.tokens_issued ?? "")),
          el("td", {}, String(r.ballots ?? "")), el("td", {}, String(r.seats ?? "")),
          el("td", {}, m.outcome ? I18n.state(m.outcome, lang) : ""),
          el("td", {}, m.outcome && c.required !== undefined
            ? t(c.certified ? "certified" : "not_certified", { signed: (c.signed_by || []).length, required: c.required }) : ""));
      });
      block.querySelector(".rounds-table").replaceChildren(
        el("p", { "data-contest-state": contest.state || "" }, t("state") + ": ", el("strong", {}, I18n.state(contest.state, lang)),
          " · " + t("elected") + ": " + ((contest.elected || []).join(", ") || t("nobody"))),
        rows.length ? table([t("round"), t("state"), t("tokens_issued"), t("ballots"), t("seats"), t("outcome"), t("certification")], rows)
          : el("p", { class: "note" }, t("no_rounds")));
    }

    drawResults();
    prefillAll();
  }

  function drawResults() {
    const key = lang + JSON.stringify(state.minutes || []) + JSON.stringify(Hall.session(state).committee || []);
    if (key === drawnMinutes) return;
    drawnMinutes = key;
    const list = state.minutes || [];
    document.getElementById("results-list").replaceChildren(...(list.length ? list.map((entry) => {
      const p = Hall.payload(entry);
      const pdf = `/api/minutes.pdf?contest=${encodeURIComponent(entry.contest)}&round=${encodeURIComponent(entry.round)}&lang=${lang}`;
      return el("section", { class: "minutes", "data-contest": entry.contest, "data-round": entry.round },
        el("h3", {}, t("results_of", { title: p.title || Hall.contestTitle(state, entry.contest), round: entry.round })),
        el("p", { class: "figures" }, [
          [t("basis"), p.basis], [t("threshold"), p.threshold], [t("ballots_issued"), p.ballots_issued],
          [t("ballots_collected"), p.ballots_collected], [t("valid"), p.valid], [t("invalid"), p.invalid],
        ].map(([k, v]) => `${k}: ${v}`).join(" · ")),
        el("div", { class: "minutes-layout" }, Hall.minutesTable(p, lang, 1), Hall.chart(p, lang, false)),
        Hall.outcome(p, lang, false),
        el("p", {}, t("elected_so_far") + ": " + ((p.elected_so_far || []).join(", ") || t("nobody"))),
        Hall.certification(state, entry.certification, lang, false),
        el("p", {}, el("a", { class: "minutes-pdf", href: pdf, target: "_blank", rel: "noopener" }, t("minutes_pdf"))));
    }) : [el("p", { class: "note" }, t("no_closed_rounds"))]));
  }

  // The next round a contest may open: the round its last minutes call for, else one past the
  // last round opened (a pending round has only tokens issued ahead).
  function nextRound(contest) {
    const opened = (contest.rounds || []).filter((r) => r.state !== "pending").map((r) => r.round);
    return opened.length ? Math.max(...opened) + 1 : 1;
  }
  const openRound = (contest) => (contest.rounds || []).find((r) => r.state === "open");
  function lastMinutes(contestId) {
    const own = (state.minutes || []).filter((m) => m.contest === contestId);
    return own.length ? own.reduce((a, b) => (b.round > a.round ? b : a)) : null;
  }

  function prefillAll() {
    if (!state) return;
    const main = document.getElementById("console");
    const tokensForm = main.querySelector('form[data-command="issue_tokens"]');
    if (tokensForm) {
      const contest = contests().find((c) => c.id === tokensForm.elements.contest.value);
      if (contest) {
        const open = openRound(contest);
        prefill(tokensForm, "round", open ? open.round : nextRound(contest));
      }
    }
    for (const contest of contests()) {
      const openForm = main.querySelector(`form[data-command="open_round"][data-contest="${CSS.escape(contest.id)}"]`);
      const closeForm = main.querySelector(`form[data-command="close_round"][data-contest="${CSS.escape(contest.id)}"]`);
      const last = lastMinutes(contest.id);
      const step = last ? Hall.payload(last).next_step : null;
      const further = step && (step.step === "runoff" || step.step === "further_round");
      prefill(openForm, "round", further ? step.round : nextRound(contest));
      prefill(openForm, "candidates", further ? (step.eligible || []).join(", ") : "");
      if (openForm) {
        openForm.querySelector(".prefilled").hidden = !further;
        // The places left are the defaults; shown, not filled in, so that an empty field sends
        // nothing and the station applies them (an alternates-only round fills them as seats).
        openForm.elements.seats.placeholder = further ? String(step.alternates_only ? step.alternates : step.seats) : "";
        openForm.elements.alternates.placeholder = further ? String(step.alternates_only ? 0 : step.alternates) : "";
      }
      const open = openRound(contest);
      prefill(closeForm, "round", open ? open.round : "");
    }
    const signForm = main.querySelector('form[data-action="countersign"]');
    const latest = Hall.latestMinutes(state);
    if (signForm && latest) {
      prefill(signForm, "contest", latest.contest);
      prefill(signForm, "round", latest.round);
    }
  }

  function draw() {
    lang = Hall.language(state);
    document.documentElement.lang = lang;
    document.title = t("console_title");
    const banner = document.getElementById("banner");
    const problems = [];
    if (!linked) problems.push(el("p", {}, t("console_lost")));
    const station = state && state.station;
    if (station && station.reachable === false) {
      problems.push(el("p", {}, t("unreachable")));
      if (station.error) problems.push(el("p", { class: "detail" }, t("station_error", { code: station.error.code, message: station.error.message || "" })));
    }
    banner.replaceChildren(...problems);
    banner.hidden = problems.length === 0;
    if (!state || !state.status) {
      document.getElementById("console").replaceChildren(el("p", {}, t(state ? "no_state" : "connecting")));
      built = "";
      return;
    }
    const signer = state.signer || {};
    const shape = JSON.stringify([lang, Hall.session(state).id, contests().map((c) => c.id), people().register === true,
      signer.official || null, !!state.export]);
    if (shape !== built) {
      document.getElementById("console-header").replaceChildren(...header());
      build();
      built = shape;
    }
    update();
  }

  Hall.connect((s) => {
    state = s;
    draw();
  }, (up) => {
    linked = up;
    draw();
  });
  draw();
})();
