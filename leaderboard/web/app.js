// The leaderboard page: reads GET /v1/board and renders the ranking (sortable), an entry's
// details with its fingerprints, and a plot of public accuracy per dataset. Everything a
// submitter wrote (team, model name, link) goes in through textContent, never as HTML.

const state = { board: null, sortKey: 'mean', sortDir: 'desc', selected: null };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const pct = (x) => (x === null || x === undefined ? '' : `${(100 * x).toFixed(1)}`);

function columns(board) {
  const cols = [
    { key: 'rank', label: '#', num: true, value: (e) => e.rank },
    { key: 'team', label: 'team', value: (e) => e.team },
    { key: 'model', label: 'model', value: (e) => e.model.name },
    { key: 'size', label: 'size', value: (e) => e.model.size ?? '' },
    { key: 'method', label: 'method', value: (e) => e.model.method ?? '' },
  ];
  for (const d of board.datasets) {
    cols.push({
      key: `pub:${d}`,
      label: `${d} public`,
      num: true,
      value: (e) => e.scores[d]?.scores.public?.accuracy ?? null,
      show: pct,
    });
    if (board.round.privateRevealed) {
      cols.push({
        key: `priv:${d}`,
        label: `${d} private`,
        num: true,
        value: (e) => e.scores[d]?.scores.private?.accuracy ?? null,
        show: pct,
      });
    }
    cols.push({
      key: `gain:${d}`,
      label: `${d} gain`,
      num: true,
      value: (e) => e.gain[d] ?? null,
      show: (x) => (x === null ? '' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%`),
      cls: (x) => (x === null ? '' : x >= 0 ? 'gain-pos' : 'gain-neg'),
    });
  }
  cols.push({
    key: 'mean',
    label: 'mean public',
    num: true,
    value: (e) => e.meanPublic,
    show: pct,
  });
  return cols;
}

function compare(a, b, dir) {
  // Missing values sort last whatever the direction.
  if (a === null || a === '') return b === null || b === '' ? 0 : 1;
  if (b === null || b === '') return -1;
  const r =
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return dir === 'asc' ? r : -r;
}

function render() {
  const board = state.board;
  const cols = columns(board);
  const head = document.getElementById('head');
  head.replaceChildren();
  for (const c of cols) {
    const th = el('th', { 'data-key': c.key, class: c.num ? 'num' : '', scope: 'col' }, c.label);
    if (c.key === state.sortKey)
      th.setAttribute('aria-sort', state.sortDir === 'asc' ? 'ascending' : 'descending');
    th.addEventListener('click', () => {
      if (state.sortKey === c.key) state.sortDir = state.sortDir === 'asc' ? 'desc' : 'asc';
      else {
        state.sortKey = c.key;
        state.sortDir = c.num && c.key !== 'rank' ? 'desc' : 'asc';
      }
      render();
    });
    head.append(th);
  }
  const sortCol = cols.find((c) => c.key === state.sortKey) ?? cols[cols.length - 1];
  const entries = [...board.entries].sort((a, b) =>
    compare(sortCol.value(a), sortCol.value(b), state.sortDir),
  );
  const rows = document.getElementById('rows');
  rows.replaceChildren();
  for (const e of entries) {
    const tr = el('tr', { 'data-entry': `${e.team}/${e.model.name}` });
    if (state.selected === e) tr.classList.add('selected');
    for (const c of cols) {
      const v = c.value(e);
      const td = el(
        'td',
        { class: [c.num ? 'num' : '', c.cls ? c.cls(v) : ''].join(' ').trim() },
        c.show ? c.show(v) : v,
      );
      tr.append(td);
    }
    tr.addEventListener('click', () => {
      state.selected = e;
      render();
      showDetails(e);
    });
    rows.append(tr);
  }
  document.getElementById('board').hidden = false;
  renderPlot(board);
}

function showDetails(e) {
  document.getElementById('details').hidden = false;
  document.getElementById('details-title').textContent = `${e.team} / ${e.model.name}`;
  const meta = document.getElementById('details-meta');
  meta.replaceChildren();
  for (const k of ['size', 'method', 'baseline', 'link']) {
    if (e.model[k] === undefined) continue;
    const value =
      k === 'link'
        ? el('a', { href: e.model[k], rel: 'nofollow noopener' }, e.model[k])
        : e.model[k];
    meta.append(el('dt', {}, k), el('dd', {}, value));
  }
  const rows = document.getElementById('details-rows');
  rows.replaceChildren();
  for (const [d, s] of Object.entries(e.scores)) {
    const score = (p) =>
      p ? `${pct(p.accuracy)} (${p.correct}/${p.total})` : 'hidden until the round ends';
    rows.append(
      el(
        'tr',
        {},
        el('td', {}, d),
        el('td', { class: 'mono' }, s.id),
        el('td', {}, s.runId ? `live run ${s.runId}` : s.source),
        el('td', { class: 'num' }, score(s.scores.public)),
        el('td', { class: s.scores.private ? 'num' : 'hidden-score' }, score(s.scores.private)),
        el('td', { class: 'mono', title: s.fingerprint.split }, s.fingerprint.split.slice(0, 12)),
        el(
          'td',
          { class: 'mono', title: s.fingerprint.judge },
          `${s.fingerprint.judgeId} ${s.fingerprint.judge.slice(0, 12)}`,
        ),
        el('td', { class: 'mono' }, s.fingerprint.extraction),
        el('td', {}, s.scoredAt ?? ''),
      ),
    );
  }
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Grouped horizontal bars: one group per entry, one bar per dataset (public accuracy). */
function renderPlot(board) {
  const plot = document.getElementById('plot');
  plot.replaceChildren();
  if (board.entries.length === 0) return;
  const colours = ['#0969da', '#bf8700', '#1a7f37', '#8250df', '#cf222e'];
  const barH = 12;
  const left = 220;
  const width = 520;
  const groupH = board.datasets.length * barH + 10;
  const height = board.entries.length * groupH + 40;
  const root = svg('svg', {
    width: left + width + 60,
    height,
    role: 'img',
    'aria-label': 'public accuracy per entry and dataset',
  });
  board.entries.forEach((e, i) => {
    const y0 = 10 + i * groupH;
    root.append(
      svg(
        'text',
        { x: 0, y: y0 + groupH / 2, 'dominant-baseline': 'middle' },
        `${e.team} / ${e.model.name}`.slice(0, 34),
      ),
    );
    board.datasets.forEach((d, j) => {
      const acc = e.scores[d]?.scores.public?.accuracy;
      if (acc === undefined) return;
      const y = y0 + j * barH;
      root.append(
        svg('rect', {
          x: left,
          y,
          width: Math.max(1, acc * width),
          height: barH - 2,
          fill: colours[j % colours.length],
          'data-dataset': d,
        }),
      );
      root.append(
        svg(
          'text',
          { x: left + acc * width + 4, y: y + barH / 2, 'dominant-baseline': 'middle' },
          pct(acc),
        ),
      );
    });
  });
  board.datasets.forEach((d, j) => {
    const x = left + j * 110;
    root.append(
      svg('rect', { x, y: height - 18, width: 10, height: 10, fill: colours[j % colours.length] }),
    );
    root.append(svg('text', { x: x + 14, y: height - 9 }, d));
  });
  plot.append(root);
  document.getElementById('plot-section').hidden = false;
}

async function load() {
  const status = document.getElementById('status');
  try {
    // ?round=N shows an earlier round (closed rounds show their private scores).
    const round = new URLSearchParams(location.search).get('round');
    const query = round && /^\d+$/.test(round) ? `?round=${round}` : '';
    const res = await fetch(`/v1/board${query}`, { headers: { accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${body.error?.code}: ${body.error?.message}`);
    body.entries.forEach((e, i) => {
      e.rank = i + 1;
    });
    state.board = body;
    const r = body.round;
    const line = document.getElementById('round');
    line.replaceChildren(
      `Round ${r.id}, opened ${r.openedAt}${r.closedAt ? `, closed ${r.closedAt}` : ' (open: private scores hidden)'}. Datasets: ${body.datasets.join(', ')}. Rounds: `,
    );
    for (const other of body.rounds) {
      const label = `${other.id}${other.closed ? ' (closed)' : ''}`;
      line.append(
        other.id === r.id
          ? el('strong', {}, label)
          : el('a', { href: `/?round=${other.id}` }, label),
        ' ',
      );
    }
    status.textContent =
      body.entries.length === 0 ? 'No scored submissions yet.' : `${body.entries.length} entries.`;
    render();
  } catch (err) {
    status.textContent = `Could not load the board: ${err.message}`;
  }
}

load();
