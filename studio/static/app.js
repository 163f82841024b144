// sharecard studio: shows state.json, follows the "events" stream, sends
// the designer's edits to "edit". Plain JavaScript, no build step.
//
// Mock-ups contract. static/mockups.js may define
//
//   window.sharecardMockups = { render(container, data) { ... } }
//
// which the page calls after every refresh, with container the element
// <div id="mockups"> and data:
//
//   {
//     article: {headline, section, caption, byline, url, site},  // strings; site is the host, e.g. "presstv.ir"
//     images:  {<preset id>: <image URL>},                       // relative to the page; only presets rendered so far
//     presets: {<preset id>: {width, height, platform}}          // pixels; platform as in `sharecard presets`
//   }
//
// render must replace the container's content each time (it is called
// again with new URLs when an image changes) and must not throw when a
// preset it wants is missing.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  let state = null;
  let shownSample = null; // the sample whose text the fields show
  let shownCorpus = null; // the corpus headline the fields show ('' for the sample's own)
  let presetsKey = '';
  const cards = new Map(); // preset id -> {frame, img, svg, caption, warn}

  // ---- data ----------------------------------------------------------
  let fetching = false, again = false;
  async function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    try {
      const r = await fetch('state.json', {cache: 'no-store'});
      if (!r.ok) throw new Error('state.json: ' + r.status);
      show(await r.json());
    } catch (e) {
      $('status').textContent = 'Lost the studio server: ' + e.message;
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }

  function connect() {
    const es = new EventSource('events');
    es.onmessage = refresh;
    es.onerror = () => { $('status').textContent = 'Reconnecting to the studio server…'; };
  }

  // ---- showing the state ---------------------------------------------
  function show(s) {
    state = s;
    document.body.classList.toggle('broken', s.problems.length > 0);
    $('problems').hidden = s.problems.length === 0;
    const list = $('problem-list');
    list.replaceChildren(...s.problems.map((p) => {
      const li = document.createElement('li');
      li.textContent = p;
      return li;
    }));
    $('error').hidden = !s.error;
    $('error-text').textContent = s.error || '';

    fillSelect($('layout'), s.layouts, s.layout);
    fillSelect($('sample'), s.samples, s.sample);
    fillCorpus($('corpus'), s.headlines, s.corpus);

    $('article-file').textContent = s.article_file;
    // Another sample or corpus headline replaces the text even in the
    // field being edited.
    const newSample = s.sample !== shownSample || s.corpus !== shownCorpus;
    shownSample = s.sample;
    shownCorpus = s.corpus;
    for (const f of ['headline', 'section', 'caption']) $(f).lang = s.article.lang || '';
    for (const f of ['headline', 'section', 'caption']) {
      const el = $(f);
      if (newSample || (document.activeElement !== el && !pending)) el.value = s.article[f];
    }
    $('photo-box').hidden = !s.photo;
    // A new address per sample: the browser keeps the photo it showed.
    const src = 'photo?sample=' + encodeURIComponent(s.sample);
    if (s.photo && $('photo').getAttribute('src') !== src) $('photo').src = src;
    const dot = $('focus-dot');
    dot.hidden = !s.article.focus;
    if (s.article.focus) {
      dot.style.left = (s.article.focus.x * 100) + '%';
      dot.style.top = (s.article.focus.y * 100) + '%';
    }

    const key = s.presets.map((p) => p.id + ':' + p.width + 'x' + p.height).join(',');
    if (key !== presetsKey) build(s);
    presetsKey = key;
    for (const p of s.presets) update(p, s);

    const st = $('status');
    st.classList.toggle('busy', s.rendering);
    const n = s.presets.filter((p) => p.image).length;
    if (s.rendering) {
      st.textContent = 'Rendering… ' + n + ' of ' + s.presets.length + ' images shown';
    } else if (s.took_ms) {
      st.textContent = s.presets.length + ' images, ready ' + (s.took_ms / 1000).toFixed(1) + ' s after the change' +
        (s.first_ms && s.first_ms !== s.took_ms ? ' (standard sizes after ' + (s.first_ms / 1000).toFixed(1) + ' s)' : '');
    } else {
      st.textContent = s.presets.length + ' images';
    }
    mockups(s);
  }

  // fillSelect shows names in a menu, with current chosen unless the
  // designer is choosing.
  function fillSelect(sel, names, current) {
    if (sel.dataset.names !== names.join('\n')) {
      sel.dataset.names = names.join('\n');
      sel.replaceChildren(...names.map((n) => new Option(n, n)));
    }
    if (document.activeElement !== sel) sel.value = current;
  }

  // fillCorpus offers the corpus headlines, after the sample's own.
  function fillCorpus(sel, headlines, current) {
    const key = headlines.map((h) => h.id).join('\n');
    if (sel.dataset.names !== key) {
      sel.dataset.names = key;
      const own = new Option("The sample's own", '');
      sel.replaceChildren(own, ...headlines.map((h) => {
        const o = new Option(h.label, h.id);
        o.title = h.note;
        o.lang = h.lang;
        return o;
      }));
    }
    if (document.activeElement !== sel) sel.value = current;
  }

  // build lays out one card per preset, grouped by platform.
  function build(s) {
    const root = $('sizes');
    root.replaceChildren();
    cards.clear();
    const byId = new Map(s.presets.map((p) => [p.id, p]));
    for (const g of s.groups) {
      const sec = document.createElement('section');
      sec.className = 'group';
      const h = document.createElement('h2');
      h.textContent = g.platform;
      const row = document.createElement('div');
      row.className = 'cards';
      sec.append(h, row);
      for (const id of g.presets) {
        const p = byId.get(id);
        const fig = document.createElement('figure');
        fig.className = 'card';
        fig.dataset.preset = id;
        const frame = document.createElement('div');
        frame.className = 'frame pending';
        frame.dataset.w = p.width;
        frame.dataset.h = p.height;
        const a = document.createElement('a');
        a.target = '_blank';
        const img = document.createElement('img');
        img.alt = p.id + ' ' + p.width + '×' + p.height;
        img.decoding = 'async';
        img.addEventListener('load', () => frame.classList.remove('pending'));
        a.append(img);
        const svg = document.createElementNS(SVG, 'svg');
        svg.setAttribute('viewBox', '0 0 ' + p.width + ' ' + p.height);
        svg.setAttribute('preserveAspectRatio', 'none');
        frame.append(a, svg);
        const cap = document.createElement('figcaption');
        const b = document.createElement('b');
        b.textContent = p.id;
        cap.append(b, ' · ' + p.width + '×' + p.height + (p.placement ? ' · ' + p.placement : ''));
        cap.title = p.platform;
        const warn = document.createElement('ul');
        warn.className = 'warn';
        fig.append(frame, cap, warn);
        fig.addEventListener('mouseenter', () => showSourceCrop(id));
        fig.addEventListener('mouseleave', () => showSourceCrop(null));
        row.append(fig);
        cards.set(id, {frame, a, img, svg, cap, warn});
      }
      root.append(sec);
    }
    resize();
  }

  function update(p, s) {
    const c = cards.get(p.id);
    if (!c) return;
    if (p.image && c.img.getAttribute('src') !== p.image) {
      c.img.dataset.gen = s.gen;
      c.img.src = p.image;
      c.a.href = p.image;
    }
    c.frame.classList.toggle('pending', !p.image || (s.rendering && c.img.dataset.gen !== String(s.want)));
    c.warn.replaceChildren(...p.warnings.map((w) => {
      const li = document.createElement('li');
      li.textContent = w;
      return li;
    }));
    drawOverlay(c.svg, p);
  }

  function rect(cls, r) {
    const e = document.createElementNS(SVG, 'rect');
    e.setAttribute('class', cls);
    e.setAttribute('x', r[0]);
    e.setAttribute('y', r[1]);
    e.setAttribute('width', Math.max(r[2], 0));
    e.setAttribute('height', Math.max(r[3], 0));
    return e;
  }

  function drawOverlay(svg, p) {
    const ov = p.overlay;
    if (!ov) { svg.replaceChildren(); return; }
    const parts = [rect('ov-safe', ov.safe)];
    if (ov.crop) parts.push(rect('ov-crop', ov.crop));
    for (const b of ov.boxes) {
      const box = rect('ov-box', b.box);
      const t = document.createElementNS(SVG, 'title');
      t.textContent = b.kind;
      box.append(t);
      parts.push(box);
      if (b.text) parts.push(rect('ov-text', b.text));
    }
    svg.replaceChildren(...parts);
  }

  // Every card gets the same area, so a 9:16 story and a 32:10 banner are
  // both readable, each at its true aspect ratio.
  function resize() {
    const base = Number($('zoom').value);
    for (const c of cards.values()) {
      const ratio = c.frame.dataset.w / c.frame.dataset.h;
      c.frame.style.width = Math.round(base * Math.sqrt(ratio)) + 'px';
      c.frame.style.height = Math.round(base / Math.sqrt(ratio)) + 'px';
      c.frame.parentElement.style.width = c.frame.style.width;
    }
  }

  function showSourceCrop(id) {
    const box = $('source-crop');
    const p = id && state && state.presets.find((q) => q.id === id);
    if (!p || !p.source_crop) { box.classList.remove('on'); return; }
    const [x, y, w, h] = p.source_crop;
    Object.assign(box.style, {left: x * 100 + '%', top: y * 100 + '%', width: w * 100 + '%', height: h * 100 + '%'});
    box.classList.add('on');
  }

  function mockups(s) {
    const data = {
      article: {
        headline: s.article.headline, section: s.article.section, caption: s.article.caption,
        byline: s.article.byline, url: s.article.url, site: s.article.site,
      },
      images: {},
      presets: {},
    };
    for (const p of s.presets) {
      if (p.image) data.images[p.id] = p.image;
      data.presets[p.id] = {width: p.width, height: p.height, platform: p.platform};
    }
    try {
      if (window.sharecardMockups) window.sharecardMockups.render($('mockups'), data);
    } catch (e) {
      $('mockups').textContent = 'The mock-ups failed: ' + e.message;
    }
  }

  // ---- edits -----------------------------------------------------------
  let timer = null, pending = false;
  async function send(edit) {
    try {
      const r = await fetch('edit', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(edit)});
      if (!r.ok) $('status').textContent = 'Edit refused: ' + await r.text();
    } catch (e) {
      $('status').textContent = 'Lost the studio server: ' + e.message;
    }
  }
  function typed() {
    pending = true;
    clearTimeout(timer);
    timer = setTimeout(() => {
      pending = false;
      send({headline: $('headline').value, section: $('section').value, caption: $('caption').value});
    }, 300);
  }
  for (const f of ['headline', 'section', 'caption']) $(f).addEventListener('input', typed);
  $('layout').addEventListener('change', (e) => send({layout: e.target.value}));
  // Another sample drops the text being typed: the new article's own
  // text comes with the next state.
  $('sample').addEventListener('change', (e) => {
    clearTimeout(timer);
    pending = false;
    send({sample: e.target.value});
  });
  // A corpus headline replaces the sample's text, and its language.
  $('corpus').addEventListener('change', (e) => {
    clearTimeout(timer);
    pending = false;
    send({corpus: e.target.value});
  });
  $('photo').addEventListener('click', (e) => {
    const r = e.target.getBoundingClientRect();
    const x = (e.clientX - r.left) / r.width, y = (e.clientY - r.top) / r.height;
    send({focus: {x: Math.min(Math.max(x, 0), 1), y: Math.min(Math.max(y, 0), 1)}});
  });
  $('clear-focus').addEventListener('click', () => send({clear_focus: true}));

  // ---- view controls ---------------------------------------------------
  for (const k of ['safe', 'crop', 'text']) {
    const box = $('show-' + k);
    box.addEventListener('change', () => document.body.classList.toggle('show-' + k, box.checked));
  }
  $('zoom').addEventListener('input', resize);
  function tab(which) {
    $('tab-sizes').setAttribute('aria-selected', which === 'sizes');
    $('tab-mockups').setAttribute('aria-selected', which === 'mockups');
    $('sizes').hidden = which !== 'sizes';
    $('mockups-panel').hidden = which !== 'mockups';
  }
  $('tab-sizes').addEventListener('click', () => tab('sizes'));
  $('tab-mockups').addEventListener('click', () => tab('mockups'));

  connect();
  refresh();
})();
