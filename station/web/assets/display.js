// The hall display (docs/hall.md "The hall display"): before voting, the attendance against the
// quorum; while a round is open, ballots received against tokens issued and nothing else; after
// a round closes, its minutes until another round opens; a banner while the station cannot be
// reached, over the last state seen.
"use strict";

(() => {
  const { el } = Hall;
  let state = null;
  let linked = true;

  function openRounds(status) {
    const open = [];
    for (const contest of status.contests || []) {
      for (const round of contest.rounds || []) {
        if (round.state === "open") open.push({ contest, round });
      }
    }
    return open;
  }

  function attendance(lang) {
    const status = state.status || {};
    const people = state.people || {};
    if (people.register === true && people.attendance) {
      const a = people.attendance;
      const q = a.quorum || {};
      return el("div", { id: "attendance", class: "attendance", "data-present": a.present, "data-convened": a.convened },
        el("p", { id: "attendance-figures", class: "figure" }, `${a.present} / ${a.convened}`),
        el("p", {}, I18n.t(lang, "present_of_convened", { present: a.present, convened: a.convened })),
        el("dl", { id: "quorum", class: "quorum", "data-held": q.held ? "true" : "false" },
          el("dt", {}, I18n.t(lang, "quorum_base")), el("dd", {}, String(q.base)),
          el("dt", {}, I18n.t(lang, "quorum_required")), el("dd", {}, String(q.required))),
        el("p", { class: "quorum-verdict " + (q.held ? "held" : "not-held") },
          I18n.t(lang, q.held ? "quorum_held" : "quorum_not_held")));
    }
    const present = status.attendance ? status.attendance.present : null;
    const convened = Hall.session(state).convened;
    if (present === null || present === undefined) {
      return el("div", { id: "attendance", class: "attendance", "data-convened": convened },
        el("p", {}, I18n.t(lang, "attendance_not_recorded")));
    }
    return el("div", { id: "attendance", class: "attendance", "data-present": present, "data-convened": convened },
      el("p", { id: "attendance-figures", class: "figure" }, `${present} / ${convened}`),
      el("p", {}, I18n.t(lang, "present_of_convened", { present, convened })));
  }

  function before(lang) {
    const session = Hall.session(state);
    return el("section", { class: "before" },
      el("p", { id: "organisation", class: "organisation" }, session.organisation || ""),
      el("h1", { id: "session-title" }, session.title || ""),
      el("h2", {}, I18n.t(lang, "attendance")),
      attendance(lang));
  }

  // Never a partial count: the status has none while a round is open, and none is drawn.
  function open(lang, { contest, round }, first) {
    const issued = round.tokens_issued || 0;
    const received = round.ballots || 0;
    const bar = el("div", { class: "bar-fill" });
    bar.style.width = (issued > 0 ? Math.min(100, (100 * received) / issued) : 0) + "%";
    return el("section", { class: "open", "data-contest": contest.id, "data-round": round.round },
      el("p", { class: "kicker" }, I18n.t(lang, "voting_open")),
      el("h1", { class: "contest-title" }, contest.title || contest.id),
      el("p", { class: "round" }, I18n.t(lang, "round_n", { round: round.round })),
      el("p", { class: "figure-label" }, I18n.t(lang, "ballots_received")),
      el("p", { id: first ? "progress" : null, class: "progress figure", "data-ballots": received, "data-issued": issued },
        `${received} / ${issued}`),
      el("p", { class: "of-issued" }, I18n.t(lang, "of_tokens_issued", { issued })),
      el("div", {
        id: first ? "progress-bar" : null, class: "progress-bar", role: "progressbar",
        "aria-valuemin": 0, "aria-valuemax": issued, "aria-valuenow": received,
        "aria-label": I18n.t(lang, "ballots_received"),
      }, bar),
      el("p", { class: "note" }, I18n.t(lang, "no_partial_count")));
  }

  // Table and chart side by side, the outcome and the certification below them. Past 15
  // candidates the table's type starts smaller and past 24 the list takes two columns; fit()
  // then shrinks the type until the round fits the screen without scrolling.
  function closed(lang, entry) {
    const payload = Hall.payload(entry);
    const n = (payload.tally || []).length;
    const density = n > 24 ? "two-columns" : n > 15 ? "dense" : "roomy";
    return el("section", { class: "closed " + density, "data-contest": entry.contest, "data-round": entry.round },
      el("h1", { id: "results-title" }, I18n.t(lang, "results_of", { title: payload.title || Hall.contestTitle(state, entry.contest), round: entry.round })),
      el("div", { class: "results-grid" },
        el("div", { class: "results-table" }, Hall.minutesTable(payload, lang, n > 24 ? 2 : 1, { id: "minutes-table" })),
        el("div", { class: "results-chart" },
          Hall.chart(payload, lang, true),
          el("p", { class: "figures" },
            `${I18n.t(lang, "ballots_collected")}: ${payload.ballots_collected} · ${I18n.t(lang, "valid")}: ${payload.valid} · ${I18n.t(lang, "basis")}: ${payload.basis}`))),
      el("div", { class: "results-words" },
        Hall.outcome(payload, lang, true, 6),
        Hall.certification(state, entry.certification, lang, true)));
  }

  // The density classes size the table for a full screen; a banner, long names or a small
  // window can still leave too little room, and then the table's type shrinks until it fits.
  function fit() {
    const grid = document.querySelector(".closed .results-grid");
    if (!grid) return;
    const table = grid.querySelector(".results-table");
    table.style.fontSize = "";
    const base = parseFloat(getComputedStyle(table).fontSize);
    for (let scale = 0.95; grid.scrollHeight > grid.clientHeight + 1 && scale > 0.4; scale -= 0.05) {
      table.style.fontSize = base * scale + "px";
    }
  }

  function draw() {
    const lang = Hall.language(state);
    document.documentElement.lang = lang;
    document.title = I18n.t(lang, "display_title");
    const main = document.getElementById("phase");
    const banner = document.getElementById("banner");
    const unreachable = state && state.station && state.station.reachable === false;
    const problems = [];
    if (!linked) problems.push(el("p", {}, I18n.t(lang, "console_lost")));
    if (unreachable) {
      problems.push(el("p", {}, I18n.t(lang, "unreachable")));
      const error = state.station.error;
      if (error && error.code) {
        problems.push(el("p", { class: "detail" }, I18n.t(lang, "station_error", { code: error.code, message: error.message || "" })));
      }
    }
    banner.replaceChildren(...problems);
    banner.hidden = problems.length === 0;

    let shown = "connecting";
    let content = el("p", { class: "waiting" }, I18n.t(lang, "connecting"));
    if (state && state.status) {
      const rounds = openRounds(state.status);
      const latest = Hall.latestMinutes(state);
      if (rounds.length) {
        shown = "open";
        content = rounds.map((r, i) => open(lang, r, i === 0));
      } else if (latest) {
        shown = "closed";
        content = closed(lang, latest);
      } else {
        shown = "before";
        content = before(lang);
      }
    } else if (state) {
      content = el("p", { class: "waiting" }, I18n.t(lang, "no_state"));
    }
    main.dataset.phase = unreachable ? "unreachable" : shown;
    main.dataset.shown = shown;
    main.replaceChildren(...[content].flat());
    fit();
    document.getElementById("display-footer").replaceChildren(Hall.languageSwitch(lang, draw));
  }

  window.addEventListener("resize", fit);
  Hall.connect((s) => {
    state = s;
    draw();
  }, (up) => {
    linked = up;
    draw();
  });
  draw();
})();
