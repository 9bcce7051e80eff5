// The page at /__mock/ui: the link graph around a ticket (GET /__mock/graph), the request
// journal (GET /__mock/requests, polled), the active fault rules (GET /__mock/faults, polled
// with it) and the state controls (reset, export, upload).
//
// Plain JavaScript with no library and no build step: the mock ships it compiled in, and the
// page must work with no network. The layout is a radial tree computed here: the ticket in
// the middle, each further ring one link further away, every ticket inside the angular
// sector of the ticket it was reached from. Unlike a force simulation it is instant, the same
// on every load (tests and screenshots can rely on it) and gives each ticket its own angle,
// so labels do not pile up even with hundreds of links.
"use strict";

(function () {
  const TOKEN_KEY = "zammad-links-mock.admin-token";
  const POLL_MS = 2000;
  const JOURNAL_ROWS = 200;
  // Up to this many tickets each is drawn as a card with its number and title; above it, as
  // a dot with one radial label, which is what keeps 200 neighbours readable.
  const CARD_LIMIT = 12;
  const CARD_W = 180, CARD_H = 44;
  const DOT_R = 5;
  const LABEL_CHARS = 28;
  // Pixels along a ring that each ticket gets, and the room between rings for labels.
  const DOT_SPACING = 15, DOT_RING_GAP = 240, CARD_RING_GAP = 230;
  // Edge labels are drawn only while they cannot crowd the picture.
  const EDGE_LABEL_LIMIT = 24;
  const MANY_LINKS = 150;

  const $ = (id) => document.getElementById(id);
  const svg = $("graph");
  // The SVG namespace taken from the page's own <svg>, so no URL appears in this file.
  const SVG_NS = svg.namespaceURI;

  let current = { ticket: null, depth: 2 };
  let lastGraph = null;
  let view = null; // {x, y, w, h}: the SVG viewBox
  let journal = [];
  let journalLoaded = false;
  let journalNewest = null; // the newest entry seen, as JSON, to tell what a poll added
  let pollTimer = null;
  let locked = false; // the admin API refused us: no data until a token is given

  // ---- talking to the mock ------------------------------------------------------------

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  // fetch() on the mock's own origin with the admin token, if any. A 401 locks the page.
  async function admin(path, options = {}) {
    const headers = new Headers(options.headers || {});
    const t = token();
    if (t) headers.set("Authorization", "Bearer " + t);
    const response = await fetch(path, { ...options, headers, cache: "no-store" });
    if (response.status === 401) {
      lock(t ? "The admin token was refused; enter the right one." : null);
      throw new Refused();
    }
    return response;
  }

  class Refused extends Error {}

  // The mock's {"error": …} text of a failed answer, or its status line.
  async function errorText(response) {
    try {
      const body = await response.json();
      if (body && typeof body.error === "string") return body.error;
    } catch (_) { /* not JSON */ }
    return response.status + " " + response.statusText;
  }

  function say(text, kind) {
    const status = $("status");
    status.textContent = text || "";
    status.dataset.status = kind || "";
  }

  function lock(message) {
    locked = true;
    sessionStorage.removeItem(TOKEN_KEY);
    $("token-form").hidden = false;
    clearGraph();
    journal = [];
    renderJournal();
    $("faults-list").replaceChildren();
    $("faults-count").textContent = "";
    say(message || "Enter the admin token to see the mock's data.", "error");
    $("token-input").focus();
  }

  function unlock() {
    locked = false;
    $("token-form").hidden = true;
  }

  // ---- the graph ----------------------------------------------------------------------

  async function loadGraph() {
    if (locked || current.ticket === null) return;
    const { ticket, depth } = current;
    // A search may give a number; ids are tried first, numbers when no id matches.
    const tries = /^\d+$/.test(ticket) ? ["ticket", "number"] : ["number"];
    let response;
    for (const key of tries) {
      const query = new URLSearchParams({ [key]: ticket, depth: String(depth) });
      response = await admin("/__mock/graph?" + query);
      if (response.status !== 404) break;
    }
    if (!response.ok) {
      clearGraph();
      const unknown = response.status === 404 && tries.length === 2;
      say(unknown ? `No ticket has the id or number ${ticket}.` : await errorText(response), "error");
      return;
    }
    unlock();
    lastGraph = await response.json();
    if (current.ticket !== String(lastGraph.center)) {
      // Found by number: the address and the search box name the ticket by its id from now on.
      current.ticket = String(lastGraph.center);
      $("search-input").value = current.ticket;
      const query = new URLSearchParams(location.search);
      query.set("ticket", current.ticket);
      query.delete("number");
      history.replaceState(null, "", "?" + query);
    }
    drawGraph(lastGraph, true);
    if ($("status").dataset.status === "error") say("");
  }

  function clearGraph() {
    lastGraph = null;
    while (svg.firstChild) svg.firstChild.remove();
    svg.removeAttribute("data-center-ticket");
    $("graph-caption").textContent = "";
  }

  function el(name, attributes, parent) {
    const node = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  function cut(text, chars) {
    return text.length > chars ? text.slice(0, chars - 1) + "…" : text;
  }

  function ticketLabel(t) {
    return t.number !== null ? t.number : "#" + t.id;
  }

  function ticketTitle(t) {
    if (!t.exists) return "(no ticket record)";
    const title = t.title !== null ? t.title : "";
    return t.merged ? "[merged] " + title : title;
  }

  // Radial tree: angles from the breadth-first tree, radii from how crowded each ring is.
  function layout(graph, cards) {
    const byId = new Map(graph.tickets.map((t) => [t.id, t]));
    const children = new Map(graph.tickets.map((t) => [t.id, []]));
    const parent = new Map();
    for (const link of graph.links) {
      for (const [from, to] of [[link.source, link.target], [link.target, link.source]]) {
        const a = byId.get(from), b = byId.get(to);
        if (a && b && b.distance === a.distance + 1 && !parent.has(to)) {
          parent.set(to, from);
          children.get(from).push(to);
        }
      }
    }
    // Leaves under each ticket give its share of the circle.
    const leaves = new Map();
    const countLeaves = (id) => {
      const kids = children.get(id);
      const n = kids.length ? kids.reduce((sum, k) => sum + countLeaves(k), 0) : 1;
      leaves.set(id, n);
      return n;
    };
    countLeaves(graph.center);
    const angle = new Map();
    const place = (id, from, to) => {
      angle.set(id, (from + to) / 2);
      let at = from;
      for (const kid of children.get(id)) {
        const share = ((to - from) * leaves.get(kid)) / leaves.get(id);
        place(kid, at, at + share);
        at += share;
      }
    };
    // Start at the bottom, so that two neighbours sit left and right of the wide centre card.
    place(graph.center, Math.PI / 2, (5 * Math.PI) / 2);
    // Each ring's radius: far enough out that neighbours on it are `spacing` apart, clear of
    // the centre card (ring 1) or of the labels of the ring inside (rings 2 and up).
    const spacing = cards ? CARD_W + 30 : DOT_SPACING;
    const gap = cards ? CARD_RING_GAP : DOT_RING_GAP;
    const rings = [];
    for (const t of graph.tickets) (rings[t.distance] = rings[t.distance] || []).push(angle.get(t.id));
    const radius = [0];
    for (let d = 1; d < rings.length; d++) {
      const angles = (rings[d] || []).slice().sort((a, b) => a - b);
      let smallest = 2 * Math.PI;
      for (let i = 0; i < angles.length; i++) {
        const next = i + 1 < angles.length ? angles[i + 1] : angles[0] + 2 * Math.PI;
        if (angles.length > 1) smallest = Math.min(smallest, next - angles[i]);
      }
      const crowded = angles.length > 1 ? spacing / Math.max(smallest, 1e-3) : 0;
      const clear = d === 1 ? (cards ? CARD_RING_GAP : CARD_W / 2 + 70) : radius[d - 1] + gap;
      radius[d] = Math.max(clear, crowded);
    }
    const position = new Map();
    for (const t of graph.tickets) {
      const a = angle.get(t.id), r = radius[t.distance];
      position.set(t.id, { x: r * Math.cos(a), y: r * Math.sin(a), angle: a });
    }
    return position;
  }

  // Where the segment from `a` towards `b` leaves the shape drawn at `a`.
  function clip(a, b, boxed) {
    const dx = b.x - a.x, dy = b.y - a.y;
    const length = Math.hypot(dx, dy) || 1;
    if (boxed) {
      const sx = Math.abs(dx) / (CARD_W / 2 + 4), sy = Math.abs(dy) / (CARD_H / 2 + 4);
      const t = 1 / Math.max(sx, sy, 1e-6);
      return { x: a.x + dx * t, y: a.y + dy * t };
    }
    const r = DOT_R + 3;
    return { x: a.x + (dx / length) * r, y: a.y + (dy / length) * r };
  }

  // parent (S→X) means S is X's parent and child (S→X) that X is S's parent: the arrow
  // always runs parent → child. Other types keep the stored direction.
  function edgeStyle(type) {
    if (type === "normal") return { kind: "normal", reverse: false, arrow: false };
    if (type === "parent") return { kind: "parent", reverse: false, arrow: true };
    if (type === "child") return { kind: "parent", reverse: true, arrow: true };
    return { kind: "other", reverse: false, arrow: true };
  }

  function drawGraph(graph, fit) {
    while (svg.firstChild) svg.firstChild.remove();
    const cards = graph.tickets.length <= CARD_LIMIT;
    const position = layout(graph, cards);
    const byId = new Map(graph.tickets.map((t) => [t.id, t]));
    svg.dataset.centerTicket = String(graph.center);
    svg.classList.toggle("cards", cards);
    // Hundreds of links between neighbours would bury the labels: they fade to a haze, and
    // the centre's own links stay clear.
    svg.classList.toggle("many", graph.links.length > MANY_LINKS);

    const defs = el("defs", {}, svg);
    for (const kind of ["parent", "other"]) {
      const marker = el("marker", {
        id: "arrow-" + kind, viewBox: "0 0 10 10", refX: "9", refY: "5",
        markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse",
      }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow " + kind }, marker);
    }

    const edges = el("g", { class: "edges" }, svg);
    const labels = el("g", { class: "edge-labels" }, svg);
    const pairCount = new Map();
    for (const link of graph.links) {
      const style = edgeStyle(link.type);
      const [from, to] = style.reverse ? [link.target, link.source] : [link.source, link.target];
      const a = position.get(from), b = position.get(to);
      if (!a || !b) continue;
      // Several links between one pair (both directions, several types) bend apart.
      const pair = Math.min(from, to) + ":" + Math.max(from, to);
      const nth = pairCount.get(pair) || 0;
      pairCount.set(pair, nth + 1);
      const touchesCenter = from === graph.center || to === graph.center;
      const group = el("g", {
        class: "edge " + style.kind + (touchesCenter ? " near" : ""),
        "data-link-id": String(link.id),
        "data-link-type": link.type === null ? "" : link.type,
        "data-source": String(link.source),
        "data-target": String(link.target),
      }, edges);
      const tip = el("title", {}, group);
      tip.textContent = "link " + link.id + ": " + (link.type === null ? "(unknown type)" : link.type) +
        ", source " + ticketLabel(byId.get(link.source)) + " → target " + ticketLabel(byId.get(link.target));
      let d, mid;
      if (from === to) {
        // A self link: a small loop above the ticket.
        const r = cards ? CARD_H / 2 : DOT_R;
        d = `M${a.x - 6},${a.y - r} C${a.x - 30},${a.y - r - 40} ${a.x + 30},${a.y - r - 40} ${a.x + 6},${a.y - r}`;
        mid = { x: a.x, y: a.y - r - 30 };
      } else {
        const mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
        const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
        // Links between tickets on one ring bow towards the middle; repeats bow further.
        const sameRing = byId.get(from).distance === byId.get(to).distance && from !== graph.center;
        const bend = (sameRing ? 0.35 * len : 0) + nth * 18 * (nth % 2 ? 1 : -1);
        const sign = (a.x * dy - a.y * dx) > 0 ? -1 : 1;
        const cx = mx + (-dy / len) * bend * sign, cy = my + (dx / len) * bend * sign;
        const s = clip(a, { x: cx, y: cy }, cards || from === graph.center);
        const e = clip(b, { x: cx, y: cy }, cards || to === graph.center);
        d = `M${s.x},${s.y} Q${cx},${cy} ${e.x},${e.y}`;
        mid = { x: (s.x + 2 * cx + e.x) / 4, y: (s.y + 2 * cy + e.y) / 4 };
      }
      el("path", {
        d, class: "line",
        "marker-end": style.arrow ? `url(#arrow-${style.kind})` : "",
      }, group);
      const unknown = style.kind === "other";
      if (unknown || graph.links.length <= EDGE_LABEL_LIMIT) {
        const text = el("text", { x: mid.x, y: mid.y, class: "edge-label " + style.kind }, labels);
        text.textContent = link.type === null ? "(unknown type)" : link.type;
      }
    }

    const nodes = el("g", { class: "nodes" }, svg);
    // The centre last, so that it is drawn on top.
    const order = graph.tickets.slice(1).concat(graph.tickets.slice(0, 1));
    for (const t of order) {
      const p = position.get(t.id);
      const isCenter = t.id === graph.center;
      const classes = ["node"];
      if (isCenter) classes.push("center");
      if (t.cut_off) classes.push("cut-off");
      if (!t.exists) classes.push("missing");
      if (t.merged) classes.push("merged");
      const group = el("g", {
        class: classes.join(" "),
        transform: `translate(${p.x},${p.y})`,
        "data-ticket-id": String(t.id),
        "data-distance": String(t.distance),
        "data-cut-off": String(t.cut_off),
        tabindex: "0",
        role: "button",
      }, nodes);
      const tip = el("title", {}, group);
      tip.textContent = ticketLabel(t) + " " + ticketTitle(t) + " (ticket id " + t.id + ")" +
        (t.cut_off ? " — has more links past this depth" : "") +
        (t.merged ? " — merged (its parent link names the ticket it went into)" : "") +
        (t.other_links ? ` — ${t.other_links} link(s) to other objects` : "");
      if (cards || isCenter) {
        el("rect", { x: -CARD_W / 2, y: -CARD_H / 2, width: CARD_W, height: CARD_H, rx: 6, class: "shape" }, group);
        const number = el("text", { x: 0, y: -4, class: "number" }, group);
        number.textContent = ticketLabel(t);
        const title = el("text", { x: 0, y: 13, class: "title" }, group);
        title.textContent = cut(ticketTitle(t), 28);
      } else {
        el("circle", { r: DOT_R, class: "shape" }, group);
        // Labels point away from the middle; on the left they are turned round to stay upright.
        let degrees = (p.angle * 180) / Math.PI;
        const left = Math.cos(p.angle) < 0;
        if (left) degrees += 180;
        const label = el("text", {
          x: left ? -(DOT_R + 4) : DOT_R + 4, y: 0,
          transform: `rotate(${degrees})`,
          "text-anchor": left ? "end" : "start",
          class: "label",
        }, group);
        const number = el("tspan", { class: "number" }, label);
        number.textContent = ticketLabel(t);
        const title = el("tspan", { class: "title", dx: "5" }, label);
        title.textContent = cut(ticketTitle(t), LABEL_CHARS);
      }
      group.addEventListener("click", () => open(String(t.id)));
      // Pointing at a ticket lights its own links, which a crowded picture otherwise hides.
      group.addEventListener("pointerenter", () => light(t.id, true));
      group.addEventListener("pointerleave", () => light(t.id, false));
      group.addEventListener("keydown", (event) => {
        if (event.key === "Enter") open(String(t.id));
      });
    }

    const center = byId.get(graph.center);
    $("graph-caption").textContent = `${ticketLabel(center)}: ${graph.tickets.length} ticket(s), ` +
      `${graph.links.length} link(s) to depth ${graph.depth}` +
      (graph.truncated ? " — stopped at the ticket limit, not everything is shown" : "");
    if (fit || !view) fitView();
    else applyView();
  }

  function light(id, on) {
    svg.classList.toggle("lighting", on);
    for (const edge of svg.querySelectorAll(`[data-source="${id}"], [data-target="${id}"]`)) {
      edge.classList.toggle("lit", on);
    }
  }

  // ---- zoom and pan -------------------------------------------------------------------

  // Centres the graph. On load it is never shrunk below 85 %, where an 11 px label is still
  // legible (a crowded graph is panned and zoomed from there); the Fit button shows it all.
  function fitView(whole) {
    const box = svg.getBBox();
    const pad = 30;
    const width = svg.clientWidth || 800, height = svg.clientHeight || 600;
    const fits = Math.min(width / (box.width + 2 * pad), height / (box.height + 2 * pad));
    const scale = Math.min(1.5, whole === true ? fits : Math.max(0.85, fits));
    const w = width / scale, h = height / scale;
    view = { x: box.x + box.width / 2 - w / 2, y: box.y + box.height / 2 - h / 2, w, h };
    applyView();
  }

  function applyView() {
    svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  }

  function zoom(factor, cx, cy) {
    if (!view) return;
    const x = cx === undefined ? view.x + view.w / 2 : cx;
    const y = cy === undefined ? view.y + view.h / 2 : cy;
    view = { x: x - (x - view.x) * factor, y: y - (y - view.y) * factor, w: view.w * factor, h: view.h * factor };
    applyView();
  }

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const rect = svg.getBoundingClientRect();
    const x = view.x + ((event.clientX - rect.left) / rect.width) * view.w;
    const y = view.y + ((event.clientY - rect.top) / rect.height) * view.h;
    zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, x, y);
  }, { passive: false });

  let drag = null;
  svg.addEventListener("pointerdown", (event) => {
    if (event.target.closest(".node") || !view) return;
    drag = { x: event.clientX, y: event.clientY, view: { ...view } };
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const rect = svg.getBoundingClientRect();
    view = {
      ...drag.view,
      x: drag.view.x - ((event.clientX - drag.x) / rect.width) * drag.view.w,
      y: drag.view.y - ((event.clientY - drag.y) / rect.height) * drag.view.h,
    };
    applyView();
  });
  svg.addEventListener("pointerup", () => { drag = null; });

  $("zoom-in").addEventListener("click", () => zoom(1 / 1.25));
  $("zoom-out").addEventListener("click", () => zoom(1.25));
  $("zoom-fit").addEventListener("click", () => fitView(true));

  // ---- the journal --------------------------------------------------------------------

  async function loadJournal() {
    if (locked) return;
    const response = await admin("/__mock/requests");
    if (!response.ok) {
      say("journal: " + (await errorText(response)), "error");
      return;
    }
    unlock();
    const entries = await response.json();
    // A write answered 2xx since the last poll changes the graph: draw it again. New entries
    // are those after the newest one seen (the count alone stalls once the journal is full).
    let fresh = [];
    if (journalLoaded) {
      let i = entries.length - 1;
      while (i >= 0 && JSON.stringify(entries[i]) !== journalNewest) i--;
      fresh = entries.slice(i + 1);
    }
    const wrote = fresh.some((e) => e.method !== "GET" && e.status < 300);
    journalLoaded = true;
    journalNewest = entries.length ? JSON.stringify(entries[entries.length - 1]) : null;
    journal = entries;
    renderJournal();
    if (wrote && lastGraph) loadGraph().catch(report);
  }

  // ---- the fault rules ------------------------------------------------------------------

  // GET /__mock/faults: the run-wide latency and the rules in the order they are tried, each
  // with how often it fired. Read by the page itself, with the journal's poll.
  async function loadFaults() {
    if (locked) return;
    const response = await admin("/__mock/faults");
    if (!response.ok) return;
    renderFaults(await response.json());
  }

  function ms(value) {
    return Array.isArray(value) ? `${value[0]}–${value[1]} ms` : `${value} ms`;
  }

  // One line per rule: what it does, what it matches, how often.
  function describeRule(rule) {
    const what = [rule.kind];
    if (rule.kind === "latency") what.push("+" + ms(rule.ms));
    if (rule.kind === "respond") what.push(String(rule.status));
    if (rule.kind === "hold") what.push(`${ms(rule.ms)}, then ${rule.then}`);
    if (rule.kind === "too_many_requests" && rule.retry_after !== null) what.push(`Retry-After ${rule.retry_after}`);
    const on = [];
    if (rule.method) on.push(rule.method);
    if (rule.route) on.push(rule.route);
    if (rule.path) on.push(rule.path);
    if (rule.caller !== undefined) on.push("caller " + rule.caller);
    const often = [];
    if (rule.fraction !== undefined) often.push(`${Math.round(rule.fraction * 100)}% (seed ${rule.seed})`);
    often.push(rule.times !== undefined ? `fired ${rule.fired} of ${rule.times}` : `fired ${rule.fired}×`);
    return `#${rule.id} ${what.join(" ")} · ${on.length ? on.join(" ") : "every call"} · ${often.join(", ")}`;
  }

  function renderFaults(listing) {
    const items = [];
    if (listing.latency !== null) {
      const li = document.createElement("li");
      li.dataset.faultLatency = "";
      li.textContent = `every call +${ms(listing.latency)} (--latency)`;
      items.push(li);
    }
    for (const rule of listing.faults) {
      const li = document.createElement("li");
      li.dataset.faultRule = String(rule.id);
      li.dataset.kind = rule.kind;
      if (rule.spent) li.className = "spent";
      li.textContent = describeRule(rule);
      items.push(li);
    }
    if (!items.length) {
      const li = document.createElement("li");
      li.className = "none";
      li.textContent = "none: every call is answered as Zammad would";
      items.push(li);
    }
    $("faults-list").replaceChildren(...items);
    const active = listing.faults.filter((r) => !r.spent).length;
    $("faults-count").textContent = listing.faults.length ? `(${active} active)` : "";
  }

  function statusMatches(status, filter) {
    filter = filter.trim().toLowerCase();
    if (!filter) return true;
    const text = String(status);
    // "4xx", "4", "40", "201": a prefix with x as any digit.
    const pattern = filter.replace(/x/g, "");
    return text.startsWith(pattern);
  }

  function renderJournal() {
    const rows = $("journal-rows");
    const pathFilter = $("filter-path").value.trim();
    const statusFilter = $("filter-status").value;
    const shown = [];
    // The mock keeps the journal oldest first; the page shows the newest on top.
    for (let i = journal.length - 1; i >= 0 && shown.length < JOURNAL_ROWS; i--) {
      const e = journal[i];
      if (pathFilter && !e.path.includes(pathFilter)) continue;
      if (!statusMatches(e.status, statusFilter)) continue;
      shown.push(e);
    }
    const fragment = document.createDocumentFragment();
    for (const e of shown) {
      const tr = document.createElement("tr");
      tr.dataset.journalEntry = "";
      tr.dataset.method = e.method;
      tr.dataset.path = e.path;
      tr.dataset.status = String(e.status);
      tr.className = "s" + String(e.status)[0];
      if (e.fault) {
        tr.dataset.faultRule = String(e.fault.rule);
        tr.dataset.faultKind = e.fault.kind;
      }
      const time = e.time.replace(/^.*T/, "").replace(/Z$/, "");
      const path = e.path + (e.query ? "?" + e.query : "");
      for (const [text, cls] of [[time, "time"], [e.method, "method"], [path, "path"], [String(e.status), "status"], [e.user === null ? "–" : String(e.user), "user"]]) {
        const td = document.createElement("td");
        td.className = cls;
        td.textContent = text;
        if (cls === "path") td.title = e.body === null ? path : path + "\n" + JSON.stringify(e.body);
        if (cls === "status" && e.fault) {
          // Answered (or delayed) by a fault rule, not by Zammad's rules: say which.
          const mark = document.createElement("span");
          mark.className = "fault-mark";
          mark.textContent = "rule " + e.fault.rule;
          mark.title = `fault rule ${e.fault.rule} (${e.fault.kind})` + (e.status === 444 ? ": closed without an answer" : "");
          td.appendChild(mark);
        }
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    rows.replaceChildren(fragment);
    $("journal-count").textContent = journal.length ? `(${shown.length} of ${journal.length})` : "";
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(async () => {
      if (!document.hidden) {
        await loadJournal().catch(report);
        await loadFaults().catch(report);
      }
      schedulePoll();
    }, POLL_MS);
  }

  $("filter-path").addEventListener("input", renderJournal);
  $("filter-status").addEventListener("input", renderJournal);

  // ---- controls -----------------------------------------------------------------------

  function report(error) {
    if (error instanceof Refused) return;
    say(String(error.message || error), "error");
  }

  $("reset").addEventListener("click", async () => {
    if (!confirm("Reset the mock to its start-up fixtures? Every change since is lost.")) return;
    try {
      const response = await admin("/__mock/reset", { method: "POST" });
      if (!response.ok) return say("reset failed: " + (await errorText(response)), "error");
      say("The state is back to the start-up fixtures.", "ok");
      await loadGraph();
      await loadFaults();
    } catch (error) { report(error); }
  });

  $("export").addEventListener("click", async () => {
    try {
      const response = await admin("/__mock/fixtures");
      if (!response.ok) return say("export failed: " + (await errorText(response)), "error");
      // Fetched with the token, then handed to the browser as a file from memory.
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = "zammad-links-mock-export.json";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      say("Export downloaded.", "ok");
    } catch (error) { report(error); }
  });

  $("upload").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("upload-file").files[0];
    if (!file) return say("Choose a fixture document first.", "error");
    const method = $("upload-mode").value;
    try {
      const response = await admin("/__mock/fixtures", {
        method,
        headers: { "Content-Type": "application/json" },
        body: await file.text(),
      });
      if (!response.ok) return say("upload refused: " + (await errorText(response)), "error");
      say(`${file.name} ${method === "PUT" ? "replaced the state" : "was merged into the state"}.`, "ok");
      await loadGraph();
    } catch (error) { report(error); }
  });

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("token-input").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token-input").value = "";
    unlock();
    say("");
    start();
  });

  // ---- navigation ---------------------------------------------------------------------

  function open(ticket, depth) {
    current.ticket = String(ticket);
    if (depth !== undefined) current.depth = depth;
    $("search-input").value = current.ticket;
    $("depth").value = String(current.depth);
    const query = new URLSearchParams({ ticket: current.ticket });
    if (current.depth !== 2) query.set("depth", String(current.depth));
    history.pushState(null, "", "?" + query);
    loadGraph().catch(report);
  }

  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("search-input").value.trim();
    if (value) open(value, Number($("depth").value));
  });
  $("depth").addEventListener("change", () => {
    if (current.ticket !== null) open(current.ticket, Number($("depth").value));
  });

  function readLocation() {
    const query = new URLSearchParams(location.search);
    const depth = Number(query.get("depth"));
    current.depth = Number.isInteger(depth) && depth >= 0 && depth <= 5 && query.has("depth") ? depth : 2;
    current.ticket = query.get("ticket") || query.get("number");
    $("depth").value = String(current.depth);
    $("search-input").value = current.ticket || "";
  }

  window.addEventListener("popstate", () => {
    readLocation();
    if (current.ticket !== null) loadGraph().catch(report);
  });

  async function start() {
    try {
      await loadJournal();
      await loadFaults();
      if (current.ticket !== null) await loadGraph();
      else if (!locked) say("Enter a ticket id or number to see its links.", "");
    } catch (error) {
      report(error);
    }
    schedulePoll();
  }

  readLocation();
  start();
})();
