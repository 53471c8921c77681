// The search page: filters window.HUBFORK_INDEX (index.js, see hubfork/site/index.py) as the
// user types, ranks like `hubfork search` (by the table of hubfork/registry/ranking.py, written into
// the index as data.r and read here as hubfork/registry/search.py reads it), shows each model's versions
// (of one kind) as one result, and draws one page of results. With no query it ranks too, so the page
// opens on the most prominent models.
(function () {
  "use strict";
  var PAGE = 50;
  var data = window.HUBFORK_INDEX;
  var form = document.getElementById("search");
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var count = document.getElementById("count");
  var pager = document.getElementById("pager");
  if (!data || !form) { return; }
  var RANKING = data.r;
  var SPLIT = new RegExp(RANKING.split);
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-facet]"));
  // Each field's column in an entry's array, and each facet's values (the index names both).
  var col = data.c;
  var labels = data.values;
  var page = 0;

  function impliedName(handle, version) {
    var parts = handle.split("/");
    if (version >= 0 && parts.length > 2) { return parts.slice(1, -1).join("/"); }
    return parts.length > 1 ? parts.slice(1).join("/") : handle;
  }

  // Entries as objects, with the lower-cased texts a query is matched against.
  var entries = data.e.map(function (r, i) {
    var handle = r[col.handle], version = r[col.version], desc = r[col.description];
    var name = r[col.name] === 0 ? impliedName(handle, version) : (r[col.name] || handle);
    var facets = {};
    data.f.forEach(function (key) {
      var v = r[col[key]];
      facets[key] = Array.isArray(v) ? v : (v < 0 ? [] : [v]);
    });
    function named(key) { return facets[key].map(function (v) { return labels[key][v]; }); }
    var tags = named("task").concat(named("arch"), named("language"), named("kind")).join(" ").toLowerCase();
    var lname = name.toLowerCase();
    var model = handle.replace(/^(.+)\/(\d+)$/, "$1").toLowerCase();
    return {
      i: i, handle: handle, version: version, kind: r[col.kind], desc: desc, deleted: r[col.deleted] === 1,
      source: data.s[r[col.source]],
      model: model,
      // What the rows of one result share (hubfork/registry/search.py's group_key): the model and the kind.
      group: (version >= 0 ? model : handle.toLowerCase()) + "\n" + r[col.kind],
      // The entry's standing, computed by the index (the ranking's signals, hubfork/registry/ranking.py).
      official: r[col.official], collections: r[col.collections], links: r[col.links],
      page: "e/" + (r[col.page] === 0 ? handle.split("/").join("~") : r[col.page]) + ".html",
      lname: lname, lhandle: handle.toLowerCase(), tags: tags, ldesc: desc.toLowerCase(),
      facets: facets
    };
  });

  // The texts, tests and sort keys the ranking table names (their meanings: hubfork/registry/ranking.py).
  function texts(e) {
    return e.texts || (e.texts = { name: e.lname, handle: e.lhandle, model: e.model, tags: e.tags, description: e.ldesc });
  }
  function words(e, name) {
    e.textWords = e.textWords || {};
    return e.textWords[name] || (e.textWords[name] = texts(e)[name].split(SPLIT));
  }
  var TESTS = {
    equals: function (t, e, name) { return t === texts(e)[name]; },
    word: function (t, e, name) { return words(e, name).indexOf(t) >= 0; },
    contains: function (t, e, name) { return texts(e)[name].indexOf(t) >= 0; }
  };
  var KIND_RANK = labels.kind.map(function (kind) {
    var at = RANKING.kinds.indexOf(kind);
    return at < 0 ? RANKING.kinds.length : at;
  });
  var SORT_KEYS = {
    score: function (m) { return m.score; },
    official: function (m) { return m.e.official; },
    collections: function (m) { return m.e.collections; },
    links: function (m) { return m.e.links; },
    model: function (m) { return m.e.model; },
    version: function (m) { return Math.max(m.e.version, 0); },
    kind: function (m) { return KIND_RANK[m.e.kind]; },
    handle: function (m) { return m.e.handle; }
  };

  // Each word scores the points of the first row it passes; a word passing none drops the entry (-1).
  function score(e, terms) {
    var total = 0;
    for (var j = 0; j < terms.length; j++) {
      var points = -1;
      for (var i = 0; i < RANKING.match.length && points < 0; i++) {
        var row = RANKING.match[i];
        for (var n = 0; n < row[1].length; n++) {
          if (TESTS[row[0]](terms[j], e, row[1][n])) { points = row[2]; break; }
        }
      }
      if (points < 0) { return -1; }
      total += points;
    }
    return total;
  }

  function chosen() {
    var out = {};
    selects.forEach(function (s) { if (s.value !== "") { out[s.dataset.facet] = Number(s.value); } });
    return out;
  }

  function passes(e, want, skip) {
    for (var key in want) {
      if (key !== skip && e.facets[key].indexOf(want[key]) < 0) { return false; }
    }
    return true;
  }

  // By the table's keys in turn (1 ascending, -1 descending); full ties keep the index's order.
  function compare(a, b) {
    for (var i = 0; i < RANKING.order.length; i++) {
      var key = SORT_KEYS[RANKING.order[i][0]];
      var x = key(a), y = key(b);
      if (x !== y) { return (x < y ? -1 : 1) * RANKING.order[i][1]; }
    }
    return 0;
  }

  function run() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var want = chosen();
    var matched = [];
    entries.forEach(function (e) {
      var s = terms.length ? score(e, terms) : 0;
      if (s >= 0) { matched.push({ e: e, score: s }); }
    });
    var rows = matched.filter(function (m) { return passes(m.e, want, null); });
    rows.sort(compare);
    var results = grouped(rows);
    updateFacets(matched, want);
    draw(results);
    save(want);
  }

  // Rows best first, one result per group at its best row's place, shown as its newest version (ties:
  // the first row of that version) and carrying the group's versions, newest first.
  function grouped(rows) {
    var groups = {}, out = [];
    rows.forEach(function (m) {
      var g = groups[m.e.group];
      if (!g) { g = groups[m.e.group] = { e: m.e, score: m.score, versions: [] }; out.push(g); }
      g.versions.push(m.e);
    });
    out.forEach(function (g) {
      g.versions.sort(function (a, b) { return Math.max(b.version, 0) - Math.max(a.version, 0); });
      g.e = g.versions[0];
    });
    return out;
  }

  // "v4 · 3 older", "v2", or "" for an entry without a version (hubfork/registry/search.py's versions_hint).
  function versionsHint(versions) {
    var newest = versions[0].version;
    if (newest < 0) { return ""; }
    return "v" + newest + (versions.length > 1 ? " \u00b7 " + (versions.length - 1) + " older" : "");
  }

  // Each facet's options count the results (models) the query and the *other* facets leave.
  function updateFacets(matched, want) {
    selects.forEach(function (select) {
      var key = select.dataset.facet;
      var counts = {}, seen = {};
      matched.forEach(function (m) {
        if (!passes(m.e, want, key)) { return; }
        m.e.facets[key].forEach(function (v) {
          var id = v + "\n" + m.e.group;
          if (!seen[id]) { seen[id] = true; counts[v] = (counts[v] || 0) + 1; }
        });
      });
      var keep = select.value;
      var options = ['<option value="">any</option>'];
      labels[key].forEach(function (label, v) {
        if (counts[v] || String(v) === keep) {
          options.push('<option value="' + v + '">' + escapeHtml(label) + " (" + (counts[v] || 0) + ")</option>");
        }
      });
      select.innerHTML = options.join("");
      select.value = keep;
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function draw(results) {
    var pages = Math.max(1, Math.ceil(results.length / PAGE));
    if (page >= pages) { page = pages - 1; }
    var shown = results.slice(page * PAGE, page * PAGE + PAGE);
    var fragment = document.createDocumentFragment();
    shown.forEach(function (m) {
      var e = m.e;
      var li = document.createElement("li");
      li.className = e.deleted ? "result deleted" : "result";
      var a = document.createElement("a");
      a.href = e.page;
      a.className = "handle";
      a.textContent = e.handle;
      li.appendChild(a);
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = labels.kind[e.kind];
      li.appendChild(document.createTextNode(" "));
      li.appendChild(kind);
      var hint = versionsHint(m.versions);
      if (hint) {
        var versions = document.createElement("span");
        versions.className = "versions";
        versions.textContent = hint;
        li.appendChild(document.createTextNode(" "));
        li.appendChild(versions);
      }
      // Where the model can be fetched, in the word hubfork search's Source column shows.
      var badge = document.createElement("span");
      badge.className = "badge source-" + e.source.replace(/[^a-z]/g, "");
      badge.textContent = e.source;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(badge);
      if (e.desc) {
        var p = document.createElement("p");
        p.textContent = e.desc;
        li.appendChild(p);
      }
      fragment.appendChild(li);
    });
    list.textContent = "";
    list.appendChild(fragment);
    list.start = page * PAGE + 1;
    var from = results.length ? page * PAGE + 1 : 0;
    // A result stands for its model's versions, so results and entries are counted apart.
    count.textContent = results.length.toLocaleString("en") + (results.length === 1 ? " result" : " results") +
      " among " + data.n.toLocaleString("en") + " entries" +
      (results.length > PAGE ? " (showing " + from + "\u2013" + (page * PAGE + shown.length) + ")" : "");
    drawPager(pages);
  }

  function drawPager(pages) {
    pager.textContent = "";
    if (pages <= 1) { return; }
    [["Previous", page - 1, page === 0], ["Next", page + 1, page >= pages - 1]].forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b[0];
      button.disabled = b[2];
      button.addEventListener("click", function () { page = b[1]; run(); list.querySelector("a").focus(); });
      pager.appendChild(button);
    });
    var where = document.createElement("span");
    where.textContent = "Page " + (page + 1) + " of " + pages;
    pager.insertBefore(where, pager.lastChild);
  }

  // The query and facets live in the address's fragment, so a result's Back returns to them.
  function save(want) {
    var parts = [];
    if (input.value) { parts.push("q=" + encodeURIComponent(input.value)); }
    for (var key in want) { parts.push(key + "=" + encodeURIComponent(labels[key][want[key]])); }
    if (page) { parts.push("page=" + (page + 1)); }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash) { history.replaceState(null, "", hash || location.pathname + location.search); }
  }

  function restore() {
    var found = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) { found[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1)); }
    });
    input.value = found.q || "";
    updateFacets([], {});
    selects.forEach(function (select) {
      var key = select.dataset.facet;
      var v = key in found ? labels[key].indexOf(found[key]) : -1;
      if (v >= 0) {
        select.innerHTML = '<option value="">any</option><option value="' + v + '"></option>';
        select.value = String(v);
      }
    });
    page = found.page ? Math.max(0, parseInt(found.page, 10) - 1 || 0) : 0;
  }

  function results() { return Array.prototype.slice.call(list.querySelectorAll("a.handle")); }

  input.addEventListener("input", function () { page = 0; run(); });
  selects.forEach(function (s) { s.addEventListener("change", function () { page = 0; run(); }); });
  form.addEventListener("submit", function (event) { event.preventDefault(); var first = results()[0]; if (first) { first.focus(); } });
  form.addEventListener("reset", function () { setTimeout(function () { page = 0; run(); input.focus(); }, 0); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { var first = results()[0]; if (first) { event.preventDefault(); first.focus(); } }
    else if (event.key === "Escape") { input.value = ""; page = 0; run(); }
  });
  list.addEventListener("keydown", function (event) {
    var links = results();
    var at = links.indexOf(document.activeElement);
    if (at < 0) { return; }
    if (event.key === "ArrowDown" && at + 1 < links.length) { event.preventDefault(); links[at + 1].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : input).focus(); }
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(document.activeElement.tagName);
    if (event.key === "/" && !typing) { event.preventDefault(); input.focus(); input.select(); }
  });
  window.addEventListener("hashchange", function () { restore(); run(); });

  restore();
  run();
  document.documentElement.dataset.ready = "true";
}());
