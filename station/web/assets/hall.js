// Shared by the hall display and the officials' console: the connection to stationctl's state
// (docs/hall.md "The console's own interface"), the language, and the renderers of the minutes.
// Every string from the station (names come from the session file) reaches the page as a text
// node or an attribute value, never as markup: the pages build their DOM with Hall.el only.
"use strict";

const Hall = (() => {
  const kLangKey = "tallystation.lang";
  const kSvg = "http://www.w3.org/2000/svg";

  // el("td", {class: "votes"}, "12"): attributes by setAttribute, children as text nodes or nodes.
  function build(node, attrs, children) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const el = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
  const svg = (tag, attrs, ...children) => build(document.createElementNS(kSvg, tag), attrs, children);

  // The page's language: the switch's choice in this browser, else the state's (--lang or the
  // session's language).
  function language(state) {
    const chosen = localStorage.getItem(kLangKey);
    if (I18n.languages.includes(chosen)) return chosen;
    return state && I18n.languages.includes(state.language) ? state.language : "en";
  }

  // A <select id="lang-switch"> that keeps its choice in localStorage and calls onChange.
  function languageSwitch(lang, onChange) {
    const select = el("select", { id: "lang-switch", "aria-label": I18n.t(lang, "language") },
      el("option", { value: "vi", lang: "vi", selected: lang === "vi" }, "Tiếng Việt"),
      el("option", { value: "en", lang: "en", selected: lang === "en" }, "English"));
    select.addEventListener("change", () => {
      localStorage.setItem(kLangKey, select.value);
      onChange();
    });
    return el("label", { class: "lang" }, I18n.t(lang, "language") + " ", select);
  }

  // Follows /api/events; when the stream fails, polls /api/state every second and tries the
  // stream again every five polls. onState(state) is called for every state that differs from
  // the last one; onLink(true|false) each time stationctl itself starts or stops answering (it
  // starts out answering, so the first call is the first change).
  function connect(onState, onLink) {
    let lastText = null;
    let linked = true;
    const link = (up) => {
      if (up === linked) return;
      linked = up;
      onLink(up);
    };
    const deliver = (text) => {
      link(true);
      if (text === lastText) return;
      lastText = text;
      onState(JSON.parse(text));
    };
    const stream = () => {
      const events = new EventSource("/api/events");
      events.addEventListener("state", (e) => deliver(e.data));
      events.onerror = () => {
        events.close();
        poll(0);
      };
    };
    const poll = async (n) => {
      try {
        const answer = await fetch("/api/state", { cache: "no-store" });
        if (!answer.ok) throw new Error(String(answer.status));
        deliver(await answer.text());
      } catch (err) {
        link(false);
      }
      if (n % 5 === 4) stream();
      else setTimeout(() => poll(n + 1), 1000);
    };
    stream();
  }

  function session(state) {
    return (state && state.status && state.status.session) || {};
  }

  // The name a member of the counting committee has in the session ("m2" if not listed).
  function memberName(state, id) {
    const member = (session(state).committee || []).find((m) => m.id === id);
    return member && member.name ? member.name : id;
  }

  // Which places the round's candidates took: elected, elected alternate, tied, or none.
  function mark(payload, id) {
    if ((payload.elected || []).includes(id)) return "elected";
    if ((payload.elected_alternates || []).includes(id)) return "alternate";
    if ((payload.tied || []).includes(id)) return "tied";
    return "";
  }

  function nameOf(payload) {
    const names = new Map((payload.tally || []).map((e) => [e.candidate, e.name]));
    return (id) => (names.has(id) ? id + " " + names.get(id) : id);
  }

  // The minutes' tally as one or more tables (columns > 1 splits the rows for a long list), in a
  // container with `idOrClass`: rows tr[data-candidate], cells .votes, .percent and .mark.
  function minutesTable(payload, lang, columns, attrs) {
    const rows = (payload.tally || []).map((e, i) => {
      const m = mark(payload, e.candidate);
      const percent = (payload.percent_of_basis || {})[e.candidate];
      return el("tr", { "data-candidate": e.candidate, "data-mark": m || "none", class: m ? "mark-" + m : null },
        el("td", { class: "place" }, String(i + 1)),
        el("td", { class: "candidate" }, el("span", { class: "cid" }, e.candidate), " ", el("span", { class: "cname" }, e.name)),
        el("td", { class: "votes" }, String(e.votes)),
        el("td", { class: "percent" }, percent === undefined ? "-" : percent),
        el("td", { class: "mark" }, m ? I18n.t(lang, m === "alternate" ? "mark_alternate" : "mark_" + m) : ""));
    });
    const per = Math.ceil(rows.length / columns) || 1;
    const tables = [];
    for (let at = 0; at < rows.length || tables.length === 0; at += per) {
      tables.push(el("table", {},
        el("caption", { class: "visually-hidden" }, I18n.t(lang, "minutes")),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", class: "place" }, I18n.t(lang, "col_rank")),
          el("th", { scope: "col" }, I18n.t(lang, "col_candidate") + " · " + I18n.t(lang, "col_name")),
          el("th", { scope: "col", class: "votes" }, I18n.t(lang, "col_votes")),
          el("th", { scope: "col", class: "percent" }, I18n.t(lang, "col_percent")),
          el("th", { scope: "col" }, I18n.t(lang, "col_result")))),
        el("tbody", {}, rows.slice(at, at + per))));
    }
    return el("div", Object.assign({ class: "minutes-table" }, attrs), tables);
  }

  // A horizontal bar per candidate, scaled to the basis so that a bar's length is its
  // percentage of the basis, with the threshold as a labelled vertical line. Bars are labelled
  // with the candidate's id (the table beside it names them; each bar's title says the name too).
  // Elected and alternate bars differ by colour and by a mark after the count, tied ones by
  // colour and "=".
  function chart(payload, lang, ids) {
    const tally = payload.tally || [];
    const threshold = Number(payload.threshold) || 0;
    const scale = Math.max(Number(payload.basis) || 0, threshold, ...tally.map((e) => e.votes), 1);
    const rowH = 40, top = 44, labelW = 80, barW = 320, width = labelW + barW + 100;
    const height = top + rowH * tally.length + 6;
    const x = (v) => labelW + (barW * v) / scale;
    const title = I18n.t(lang, "chart_title");
    const bars = tally.map((e, i) => {
      const m = mark(payload, e.candidate);
      const y = top + i * rowH;
      const sign = m === "elected" ? " ✓" : m === "alternate" ? " (✓)" : m === "tied" ? " =" : "";
      return svg("g", { class: "bar" + (m ? " bar-" + m : ""), "data-candidate": e.candidate },
        svg("title", {}, `${e.candidate} ${e.name}: ${e.votes}`),
        svg("text", { x: labelW - 8, y: y + rowH * 0.7, "text-anchor": "end", class: "bar-label" }, e.candidate),
        svg("rect", { x: labelW, y: y + 4, width: Math.max(x(e.votes) - labelW, 0), height: rowH - 8 }),
        svg("text", { x: x(e.votes) + 6, y: y + rowH * 0.7, class: "bar-votes" }, String(e.votes) + sign));
    });
    const line = svg("line", {
      id: ids ? "threshold-line" : null, class: "threshold-line",
      x1: x(threshold), x2: x(threshold), y1: top - 6, y2: height, "data-threshold": threshold,
    });
    return svg("svg", {
      id: ids ? "chart" : null, class: "chart", role: "img", "aria-label": title,
      viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "xMinYMin meet",
    },
    svg("title", {}, title),
    bars,
    line,
    svg("text", { x: x(threshold), y: top - 12, "text-anchor": "middle", class: "threshold-label" },
      I18n.t(lang, "threshold_short", { threshold })));
  }

  // "Not yet certified: 1 of 2 required signatures", who signed (names from the session's
  // committee when the certification gives ids only) and who has not.
  function certification(state, cert, lang, ids) {
    cert = cert || {};
    const signed = (cert.signed_by || []).map((s) =>
      typeof s === "string" ? memberName(state, s) : s.name || memberName(state, s.id));
    const missing = (cert.missing || []).map((id) => memberName(state, typeof id === "string" ? id : id.id));
    const values = { signed: signed.length, required: cert.required === undefined ? "?" : cert.required };
    return el("div", {
      id: ids ? "certification" : null, class: "certification " + (cert.certified ? "certified" : "uncertified"),
      "data-certified": cert.certified ? "true" : "false", "data-signed": signed.length, "data-required": cert.required,
    },
    el("p", { class: "cert-summary" }, I18n.t(lang, cert.certified ? "certified" : "not_certified", values)),
    cert.station_signed === false ? el("p", { class: "cert-station" }, I18n.t(lang, "station_not_signed")) : null,
    signed.length ? el("p", { class: "cert-signed" }, I18n.t(lang, "signed_by") + ": " + signed.join(", ")) : null,
    missing.length ? el("p", { class: "cert-missing" }, I18n.t(lang, "not_signed_yet") + ": " + missing.join(", ")) : null);
  }

  // The outcome and the next step in words; maxEligible shortens the next step's list of who may
  // stand where a long list would not fit (the display); the console shows all of it.
  function outcome(payload, lang, ids, maxEligible) {
    const said = I18n.outcomeSentence(payload, lang) || String(payload.outcome);
    let step = payload;
    const eligible = (payload.next_step && payload.next_step.eligible) || [];
    if (maxEligible !== undefined && eligible.length > maxEligible) {
      step = Object.assign({}, payload, { next_step: Object.assign({}, payload.next_step, { eligible: [] }) });
    }
    return el("div", { class: "outcome", "data-outcome": payload.outcome, "data-step": payload.next_step && payload.next_step.step },
      el("p", { id: ids ? "outcome-sentence" : null, class: "outcome-sentence" }, said),
      el("p", { id: ids ? "next-step" : null, class: "next-step" },
        I18n.t(lang, "next_step") + ": " + I18n.nextStepSentence(step, lang, nameOf(payload))));
  }

  // Which closed round is the latest: the state lists minutes in session order, not in the order
  // the rounds closed, so the page remembers the order in which it first saw each one (kept per
  // session in localStorage, so that a reload keeps it). At its first sight of a session it
  // takes them in session order: the last contest's last closed round is then the latest.
  function latestMinutes(state) {
    const list = (state && state.minutes) || [];
    if (list.length === 0) return null;
    const key = "tallystation.seen." + (session(state).id || "");
    let seen = [];
    try {
      seen = JSON.parse(localStorage.getItem(key) || "[]");
    } catch (err) {
      seen = [];
    }
    const ids = list.map((m) => m.contest + "/" + m.round);
    const fresh = ids.filter((id) => !seen.includes(id));
    if (fresh.length) {
      seen = seen.concat(fresh);
      localStorage.setItem(key, JSON.stringify(seen));
    }
    const last = seen.filter((id) => ids.includes(id)).pop();
    return list[ids.indexOf(last)];
  }

  // The minutes' payload as an object: the state carries it decoded (docs/hall.md); a payload
  // still in its envelope's base64 is decoded here rather than shown as nothing.
  function payload(entry) {
    if (!entry || typeof entry.payload !== "string") return (entry && entry.payload) || {};
    const bytes = Uint8Array.from(atob(entry.payload), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  function contestTitle(state, contestId) {
    const contest = ((state.status && state.status.contests) || []).find((c) => c.id === contestId);
    return contest && contest.title ? contest.title : contestId;
  }

  return {
    el, svg, language, languageSwitch, connect, session, memberName,
    minutesTable, chart, certification, outcome, latestMinutes, payload, contestTitle,
  };
})();
