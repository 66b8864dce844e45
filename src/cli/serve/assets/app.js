// waku serve: the workbench page. Plain JavaScript, served by the binary; every request goes to
// this server's own /api (the Content-Security-Policy allows nothing else).
'use strict';

const $ = (sel) => document.querySelector(sel);
const state = { scenario: null, run: null, review: null, whatif: null, stages: [], timer: null, seq: 0 };

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

// Money arrives as whole yen in strings. 億円 with two decimals, ▲ for a decrease.
function oku(yen) {
  if (yen === null || yen === undefined) return '—';
  const v = Number(yen) / 1e8;
  const s = Math.abs(v).toLocaleString('ja-JP', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return (v < 0 && s !== '0.00' ? '▲' : '') + s;
}
function sen(yen) {
  if (yen === null || yen === undefined) return '—';
  const v = Math.round(Number(yen) / 1000);
  return (v < 0 ? '▲' : '') + Math.abs(v).toLocaleString('ja-JP');
}
function pct(x) { return (Number(x) * 100).toFixed(2) + '%'; }
function num(text, neg) { return el('td', { class: 'num' + (neg ? ' neg' : ''), text }); }
function fill(table, rows) {
  const body = table.tBodies[0];
  body.replaceChildren(...rows);
}
function status(text) { $('#status').textContent = text; }
function showError(err) {
  const box = $('#error');
  const b = err.body || {};
  let text = b.error || String(err.message || err);
  if (b.file) text = `${b.file}:${b.line}:${b.column}: ${text}`;
  if (b.hint) text += `\nhint: ${b.hint}`;
  box.textContent = text;
  box.hidden = false;
}
function clearError() { $('#error').hidden = true; }

async function api(path, options) {
  const r = await fetch(path, Object.assign({ credentials: 'same-origin' }, options || {}));
  const type = r.headers.get('content-type') || '';
  const body = type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status, body });
  return { body, headers: r.headers };
}
const q = (params) => new URLSearchParams(params).toString();
function withSets(params, sets) {
  const u = new URLSearchParams(params);
  for (const s of sets) u.append('set', s);
  return u.toString();
}

// ---- scenarios and the summary ----

async function loadScenarios() {
  const { body } = await api('/api/scenarios');
  const sel = $('#scenario');
  sel.replaceChildren(...body.scenarios.map(s => el('option', { value: s.name, text: `${s.name}${s.title ? '（' + s.title + '）' : ''}` })));
  const wanted = decodeURIComponent((location.hash.match(/s=([^&]+)/) || [])[1] || '');
  const names = body.scenarios.map(s => s.name);
  sel.value = names.includes(wanted) ? wanted : (names.find(n => n.endsWith('kitakyushu-r8.toml')) || names[0] || '');
}

async function loadScenario() {
  const name = $('#scenario').value;
  if (!name) return;
  state.scenario = name;
  state.review = null;
  clearError();
  status(`${name} を計算中…`);
  try {
    const { body } = await api('/api/run?' + q({ scenario: name }));
    state.run = body;
    renderSummary(body);
    fillBureaus(body);
    renderPrograms();
    updateDownloads();
    status(`${name}: ${body.city || ''} ${body.scenario || ''}`);
    api('/api/review?' + q({ scenario: name })).then(r => { state.review = r.body; }).catch(() => {});
    scheduleWhatIf(true);
  } catch (e) { showError(e); status(''); }
}

function renderSummary(r) {
  $('#summary-title').textContent = r.city ? `${r.city} ${r.scenario} FY${r.fiscal_year}` : '';
  const envelopes = r.envelopes || [];
  const total = envelopes.reduce((s, e) => s + Number(e.amount), 0);
  const rows = [
    ['一般財源 general revenue', r.general_revenue],
    ['基金取崩し fund drawdown', r.fund_drawdown],
    ['配分可能な一般財源 available', r.available],
    ['枠の合計 total envelopes', envelopes.length ? String(total) : null],
    ['市長調整枠 reserve', r.reserve, r.reserve_share !== undefined ? pct(r.reserve_share) : ''],
    ['次世代投資枠 next generation', r.next_generation, r.next_generation_target ? '目標 ' + oku(r.next_generation_target) : ''],
    ['投資的経費 investment', r.investment, r.investment_cap ? '上限 ' + oku(r.investment_cap) : ''],
    ['市債発行 bond issuance', r.bond_issuance, r.bond_issuance_cap ? '上限 ' + oku(r.bond_issuance_cap) : ''],
    ['市債残高 bond balance', r.bond_balance_end],
    ['基金残高 fund balance', r.fund_balance_end],
  ].filter(x => x[1] !== undefined && x[1] !== null);
  fill($('#figures'), rows.map(([k, v, note]) => el('tr', {}, el('th', { text: k }), num(oku(v), Number(v) < 0), el('td', { class: 'muted', text: note || '' }))));
  const max = Math.max(1, ...envelopes.map(e => Number(e.amount)));
  fill($('#envelopes'), envelopes.map(e => {
    const bar = el('span', { class: 'bar' });
    bar.style.width = (100 * Number(e.amount) / max).toFixed(1) + '%';
    const change = Number(e.amount) - Number(e.base);
    return el('tr', {}, el('td', { text: e.name }), num(oku(e.base)), num(oku(e.floor)), num(oku(e.ceiling)),
      num(oku(e.requested)), num(oku(e.amount)), num(oku(change), change < 0), el('td', { class: 'barcell' }, bar));
  }));
  fill($('#limits'), (r.constraints || []).filter(c => c.name !== 'balance').map(c => el('tr', {},
    el('td', { text: c.label || c.name }), el('td', { text: c.sense || '' }), num(c.limit !== undefined ? oku(c.limit) : ''),
    num(c.value !== undefined ? oku(c.value) : ''), num(c.slack !== undefined ? oku(c.slack) : ''),
    el('td', { class: c.binding ? 'binding' : 'muted', text: c.binding ? '拘束 binding' : '余裕あり' }))));
  const years = (r.fiscal_health && r.fiscal_health.years) || [];
  const checks = years.length ? years[0].checks || [] : [];
  fill($('#indicators'), checks.map(c => el('tr', {}, el('td', { text: c.indicator }), num(c.value), num(c.threshold),
    el('td', { class: c.status === 'ok' ? 'ok' : 'ng', text: c.status === 'ok' ? '基準内 ok' : c.status }))));
}

function fillBureaus(r) {
  const opts = [el('option', { value: '', text: '—' })].concat((r.envelopes || []).map(e => el('option', { value: e.department, text: e.name })));
  $('#wi-dept').replaceChildren(...opts);
  const pg = [el('option', { value: '', text: 'すべて' })].concat((r.envelopes || []).map(e => el('option', { value: e.department, text: e.name })));
  $('#pg-bureau').replaceChildren(...pg);
}

// ---- what-if ----

function signed(v) { return (v > 0 ? '+' : '') + v + '%'; }
function whatIfSets() {
  const sets = [];
  const val = (id) => $(id).value.trim();
  const change = (id, key) => { const v = Number(val(id)); if (val(id) !== '' && v !== 0) sets.push(`${key}=${signed(v)}`); };
  change('#wi-revenue', 'revenue.general_revenue');
  if (val('#wi-reserve-min') !== '') sets.push(`policy.reserve_min_share=${Number(val('#wi-reserve-min')) / 100}`);
  if (val('#wi-reserve-max') !== '') sets.push(`policy.reserve_max_share=${Number(val('#wi-reserve-max')) / 100}`);
  change('#wi-investment-cap', 'policy.investment_cap');
  change('#wi-issuance-cap', 'bonds.issuance_cap');
  change('#wi-nextgen', 'policy.next_generation_target');
  const dept = $('#wi-dept').value;
  if (dept && val('#wi-dept-floor') !== '') sets.push(`departments.${dept}.floor=${val('#wi-dept-floor')}億円`);
  if (dept && val('#wi-dept-ceiling') !== '') sets.push(`departments.${dept}.ceiling=${val('#wi-dept-ceiling')}億円`);
  for (const line of $('#wi-extra').value.split('\n')) if (line.includes('=')) sets.push(line.trim());
  return sets;
}

function scheduleWhatIf(now) {
  clearTimeout(state.timer);
  state.timer = setTimeout(runWhatIf, now ? 0 : 200);
  updateDownloads();
}

async function runWhatIf() {
  if (!state.scenario) return;
  const sets = whatIfSets();
  const seq = ++state.seq;
  $('#wi-status').textContent = '再計算中…';
  try {
    const { body } = await api('/api/whatif?' + withSets({ scenario: state.scenario }, sets));
    if (seq !== state.seq) return;
    state.whatif = body;
    clearError();
    renderWhatIf(body);
  } catch (e) { if (seq === state.seq) { $('#wi-status').textContent = ''; showError(e); } }
}

function renderWhatIf(w) {
  const how = w.review_reused ? '審査結果を再利用し配分のみ再計算 (allocation re-solved, review reused)' : '審査から再計算 (reviewed again)';
  if (!w.feasible) {
    const r = w.reason || {};
    $('#wi-status').textContent = `制約を満たす配分がありません infeasible: ${r.message || ''} ${(r.notes || []).join(' ')}`;
    for (const t of ['#wi-figures', '#wi-envelopes', '#wi-diff']) fill($(t), []);
    $('#wi-reconcile').replaceChildren();
    return;
  }
  const d = w.diff;
  $('#wi-status').textContent = `${w.set.length ? w.set.join(', ') : '変更なし'} — ${w.elapsed_ms.toFixed(1)} ms, ${how}`;
  fill($('#wi-figures'), d.figures.map(f => el('tr', {}, el('th', { text: f.figure }), num(oku(f.base)), num(oku(f.variant)), num(oku(f.change), Number(f.change) < 0))));
  const envs = d.envelopes.slice().sort((a, b) => Math.abs(Number(b.change)) - Math.abs(Number(a.change)));
  fill($('#wi-envelopes'), envs.map(e => el('tr', {}, el('td', { text: e.name }), num(oku(e.base)), num(oku(e.variant)), num(oku(e.change), Number(e.change) < 0))));
  fill($('#wi-diff'), d.programs.slice(0, 40).map(p => el('tr', {}, el('td', { text: `${p.id} ${p.name}` }), el('td', { text: p.department }),
    num(sen(p.allocated_base)), num(sen(p.allocated_variant)), num(sen(p.allocated_change), Number(p.allocated_change) < 0),
    num(sen(p.general_revenue_change), Number(p.general_revenue_change) < 0))));
  $('#wi-reconcile').replaceChildren(...d.reconciliation.identities.map(i => el('li', { class: i.holds ? 'ok' : 'ng',
    text: `${i.holds ? '✓' : '✗'} ${i.what}: 移動の合計 ${oku(i.sum_of_moves)} = 合計の増減 ${oku(i.change_in_total)}` })));
}

async function saveWhatIf() {
  try {
    const { body } = await api('/api/overlay', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ scenario: state.scenario, name: $('#wi-save-name').value.trim(), set: whatIfSets() }) });
    $('#wi-saved').textContent = `保存しました: ${body.saved}（waku run で読めます）`;
    const current = $('#scenario').value;
    await loadScenarios();
    $('#scenario').value = current;
  } catch (e) { showError(e); }
}

// ---- program explorer ----

function renderPrograms() {
  const r = state.run;
  const programs = (r && r.programs) || [];
  const names = Object.fromEntries((r.envelopes || []).map(e => [e.department, e.name]));
  const text = $('#pg-filter').value.trim();
  const bureau = $('#pg-bureau').value;
  let list = programs.filter(p => (!bureau || p.department === bureau)
    && (!text || `${p.id} ${p.name} ${p.action || ''} ${names[p.department] || ''}`.includes(text)));
  const sort = $('#pg-sort').value;
  if (sort === 'allocated') list = list.slice().sort((a, b) => Number(b.allocated) - Number(a.allocated));
  if (sort === 'change') list = list.slice().sort((a, b) => (Number(a.allocated) - Number(a.prior_cost)) - (Number(b.allocated) - Number(b.prior_cost)));
  const shown = list.slice(0, 300);
  $('#pg-count').textContent = `${list.length} 件${list.length > shown.length ? `（上位 ${shown.length} 件を表示）` : ''}`;
  fill($('#pg-table'), shown.map(p => {
    const change = Number(p.allocated) - Number(p.prior_cost);
    const tr = el('tr', { class: 'clickable', 'data-id': p.id }, el('td', { text: p.id }), el('td', { text: p.name }),
      el('td', { text: names[p.department] || p.department }), el('td', { text: p.action || '' }),
      num(sen(p.requested)), num(sen(p.allocated)), num(sen(change), change < 0));
    tr.addEventListener('click', () => showProgram(p.id));
    return tr;
  }));
}

async function showProgram(id) {
  const r = state.run;
  const p = (r.programs || []).find(x => x.id === id);
  if (!p) return;
  for (const tr of $('#pg-table').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.id === id);
  const box = $('#pg-detail');
  const rev = state.review && (state.review.programs || []).find(x => x.id === id);
  const findings = rev ? el('table', { class: 'findings' }, el('thead', {}, el('tr', {}, el('th', { text: '視点' }), el('th', { text: '評点' }), el('th', { text: '方向性' }), el('th', { text: '所見' }))),
    el('tbody', {}, ...rev.findings.map(f => el('tr', {}, el('td', { text: f.viewpoint }), num(f.score), el('td', { text: f.action }), el('td', { text: f.reason })))))
    : el('p', { class: 'muted', text: '所見を読み込み中…' });
  const assessment = rev ? el('p', { text: `総合評価: ${rev.assessment.action}（優先度 ${rev.assessment.priority}、下限 ${sen(rev.assessment.min)} 千円、上限 ${sen(rev.assessment.max)} 千円）${rev.assessment.reason}` }) : '';
  const explain = el('pre', { id: 'pg-explain', text: '説明を読み込み中…' });
  box.replaceChildren(el('h3', { text: `${p.id} ${p.name}` }),
    el('p', { text: `配分 ${sen(p.allocated)} 千円（要求 ${sen(p.requested)} 千円、前年度 ${sen(p.prior_cost)} 千円、一般財源 ${sen(p.general_revenue)} 千円）` }),
    el('h3', { text: '6つの視点の所見 findings' }), findings, assessment, el('h3', { text: '説明 explain' }), explain,
    el('h3', { text: '段階ごとの推移 history across stages' }), el('div', { id: 'pg-history', class: 'muted', text: '—' }));
  try {
    const { body } = await api('/api/explain?' + q({ scenario: state.scenario, subject: id }));
    explain.textContent = body;
  } catch (e) { explain.textContent = (e.body && e.body.error) || String(e); }
  if (state.stages.length) history(id);
}

async function history(id) {
  const box = $('#pg-history');
  const rows = [];
  for (const s of state.stages) {
    try {
      const { body } = await api('/api/run?' + q({ scenario: s.name }));
      const p = (body.programs || []).find(x => x.id === id);
      if (p) rows.push(el('tr', {}, el('td', { text: s.stage || s.name }), num(sen(p.allocated))));
    } catch (e) { /* a stage that does not run shows nothing */ }
  }
  box.replaceChildren(rows.length ? el('table', {}, el('tbody', {}, ...rows)) : el('span', { text: 'この事業は段階のファイルにありません' }));
}

// ---- stages ----

async function loadStages() {
  const { body } = await api('/api/stages');
  state.stages = body.stages;
  fill($('#st-list'), body.stages.map(s => el('tr', {}, el('td', { text: s.name }), el('td', { text: s.stage }), el('td', { text: s.kind }))));
  const sel = $('#st-select');
  const before = sel.value;
  sel.replaceChildren(...body.stages.map(s => el('option', { value: s.name, text: `${s.stage}（${s.name}）` })));
  if (before && body.stages.some(s => s.name === before)) sel.value = before;
}

async function loadStage() {
  const name = $('#st-select').value;
  if (!name) return;
  $('#st-summary').textContent = '計算中…';
  try {
    const { body } = await api('/api/run?' + q({ scenario: name }));
    $('#dc-programs').replaceChildren(...(body.programs || []).map(p => el('option', { value: p.id, text: p.name })));
    $('#st-summary').textContent = `市長調整枠 ${oku(body.reserve)} 億円、事業 ${(body.programs || []).length} 件`;
    updateSatei();
  } catch (e) { $('#st-summary').textContent = ''; showError(e); }
}

function updateSatei() {
  const stage = $('#st-select').value;
  const program = $('#dc-program').value.trim();
  $('#dc-satei').href = stage && program ? '/api/explain?' + q({ scenario: stage, subject: program, format: 'html', download: '1' }) : '#';
}

async function decide() {
  const stage = $('#st-select').value;
  const s = state.stages.find(x => x.name === stage);
  if (!s) return;
  const body = { stage, program: $('#dc-program').value.trim(), disposition: $('#dc-disposition').value, reason: $('#dc-reason').value.trim() };
  if ($('#dc-amount').value.trim()) body.amount = $('#dc-amount').value.trim();
  $('#dc-result').textContent = '記録中…';
  try {
    const r = await api('/api/decide', { method: 'POST', headers: { 'Content-Type': 'application/json', 'If-Match': s.etag }, body: JSON.stringify(body) });
    s.etag = r.body.etag;
    $('#dc-result').textContent = r.body.summary;
    clearError();
    await loadStages();
    await loadStage();
  } catch (e) { $('#dc-result').textContent = ''; showError(e); }
}

// ---- downloads ----

function updateDownloads() {
  if (!state.scenario) return;
  const sets = whatIfSets();
  for (const [id, format] of [['#dl-html', 'html'], ['#dl-md', 'markdown'], ['#dl-xlsx', 'xlsx'], ['#dl-csv', 'csv'], ['#dl-json', 'json']]) {
    $(id).href = '/api/run?' + withSets({ scenario: state.scenario, format, download: '1' }, sets);
  }
}

// ---- wiring ----

document.addEventListener('DOMContentLoaded', async () => {
  $('#scenario').addEventListener('change', () => { location.hash = 's=' + encodeURIComponent($('#scenario').value); loadScenario(); });
  $('#wi-form').addEventListener('input', () => scheduleWhatIf(false));
  $('#wi-form').addEventListener('change', () => scheduleWhatIf(false));
  $('#wi-form').addEventListener('submit', (e) => e.preventDefault());
  $('#wi-save').addEventListener('click', saveWhatIf);
  for (const id of ['#pg-filter', '#pg-bureau', '#pg-sort']) $(id).addEventListener('input', renderPrograms);
  $('#st-select').addEventListener('change', loadStage);
  $('#dc-program').addEventListener('input', updateSatei);
  $('#dc-submit').addEventListener('click', decide);
  $('#dc-form').addEventListener('submit', (e) => e.preventDefault());
  try {
    await loadScenarios();
    await loadScenario();
    await loadStages();
    await loadStage();
    document.body.dataset.ready = '1';
  } catch (e) { showError(e); }
});
