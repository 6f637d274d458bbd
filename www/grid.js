// The KPI grid: one row per KPI, worst health first, with the target and the
// direction editable in place. Edits go to the engine through the callbacks;
// the engine answers with the edited KPI alone, and only its row is built
// again (`renderRow`, swapped in by main.js) — the other rows stay as they are.

import { h } from './dom.js';
import { sparkline } from './charts.js';
import {
  DIRECTION,
  DIRECTION_SOURCE,
  VERDICT,
  changeTone,
  forecastWords,
  formatChange,
  formatPeriod,
  formatTarget,
  formatValue,
  health,
  targetSource,
  targetToText,
} from './format.js';

/** A status badge: icon, word and colour together. */
export function statusBadge(kpi) {
  const state = health(kpi);
  return h(
    'span',
    { class: ['status', `health-${kpi.health ?? 'unknown'}`], title: state.help },
    h('span', { class: 'status-icon', 'aria-hidden': 'true' }, state.icon),
    h('span', { class: 'status-word' }, state.word),
  );
}

/** Positions in `kpis`, worst health first; the engine's order within one health state. */
function byHealthIndex(kpis) {
  return kpis
    .map((kpi, index) => ({ rank: health(kpi).rank, index }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map(({ index }) => index);
}

/** KPIs worst first; the engine's order within one health state. */
export function byHealth(kpis) {
  return byHealthIndex(kpis).map((index) => kpis[index]);
}

function focusKey(kpi, field) {
  return `${kpi.name}\u0000${field}`;
}

function latestCell(kpi) {
  const periods = Array.isArray(kpi.periods) ? kpi.periods : [];
  const values = Array.isArray(kpi.values) ? kpi.values : [];
  let last = values.length - 1;
  while (last >= 0 && values[last] === null) last -= 1;
  return h(
    'td',
    { class: 'num', 'data-label': 'Latest' },
    h('span', { class: 'latest' }, formatValue(kpi.latest, kpi.unit)),
    last >= 0 && periods[last] !== undefined ? h('span', { class: 'sub' }, formatPeriod(periods[last])) : null,
  );
}

function changeCell(kpi) {
  const tone = changeTone(kpi.change, kpi.direction);
  const arrow = kpi.change > 0 ? '▲' : kpi.change < 0 ? '▼' : '';
  return h(
    'td',
    { class: ['num', 'change', tone > 0 ? 'good' : tone < 0 ? 'bad' : 'neutral'], 'data-label': 'Change' },
    arrow ? h('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow, ' ') : null,
    formatChange(kpi.change, kpi.change_pct, kpi.unit),
    tone !== 0 ? h('span', { class: 'visually-hidden' }, tone > 0 ? ' (better)' : ' (worse)') : null,
  );
}

function trendCell(kpi) {
  const verdict = kpi.trend?.verdict;
  const known = VERDICT[verdict];
  const p = kpi.trend?.mann_kendall?.p_value;
  return h(
    'td',
    {
      class: ['trend', `verdict-${verdict ?? 'none'}`],
      'data-label': 'Trend',
      title: Number.isFinite(p) ? `Mann–Kendall p = ${p.toPrecision(2)}` : null,
    },
    known ? h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, known.icon, ' ') : null,
    known ? known.word : '—',
  );
}

function forecastCell(kpi, frequency, horizon) {
  const words = forecastWords(kpi, frequency, horizon);
  const warning = kpi.target && kpi.forecast?.crossing_period && (kpi.forecast.kind ? kpi.forecast.kind === 'breach' : !kpi.breach?.latest_breached);
  return h(
    'td',
    { class: ['forecast', warning ? 'forecast-warning' : null], 'data-label': 'Forecast', title: words.sentence },
    words.short,
    words.ahead ? h('span', { class: 'sub' }, words.ahead) : null,
  );
}

function targetCell(kpi, callbacks) {
  const current = targetToText(kpi.target);
  const errorId = `target-error-${callbacks.rowId}`;
  const error = h('span', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
  const input = h('input', {
    type: 'text',
    class: 'target-input',
    value: current,
    placeholder: 'Set a target',
    'aria-label': `Target for ${kpi.name}`,
    'aria-describedby': errorId,
    title: `${kpi.target?.source ? `Target ${targetSource(kpi.target.source)}. ` : ''}Type a target such as "<= 7.5", ">= 70", "95-105" or "between 95 and 105" and press Enter; leave it empty to clear it.`,
    autocomplete: 'off',
    spellcheck: 'false',
    dataset: { focusKey: focusKey(kpi, 'target') },
  });
  let committed = current;
  const commit = async () => {
    const text = input.value.trim();
    if (text === committed) return;
    committed = text;
    delete input.dataset.edited;
    input.setAttribute('aria-busy', 'true');
    try {
      await callbacks.onSetTarget(kpi.name, text);
    } catch (failure) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = failure.message;
      error.hidden = false;
      committed = null; // let the same text be tried again
    } finally {
      input.removeAttribute('aria-busy');
    }
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      commit();
    } else if (event.key === 'Escape') {
      input.value = targetToText(kpi.target);
      delete input.dataset.edited;
      input.removeAttribute('aria-invalid');
      error.hidden = true;
    }
  });
  input.addEventListener('change', commit);
  input.addEventListener('input', () => {
    // Typed since the last commit: a row rebuilt meanwhile (another edit of
    // this KPI coming back) carries the text over instead of dropping it.
    input.dataset.edited = 'true';
    if (input.getAttribute('aria-invalid')) {
      input.removeAttribute('aria-invalid');
      error.hidden = true;
    }
  });

  // Where the target came from is in the title and the detail view; the grid
  // only points out the ones the person set.
  const note = kpi.target
    ? kpi.target.source === 'user'
      ? h('span', { class: 'sub' }, targetSource(kpi.target.source))
      : null
    : kpi.suggested_target
      ? h(
          'button',
          {
            type: 'button',
            class: 'link-button',
            title: kpi.suggested_target.source ? `Suggested from ${kpi.suggested_target.source}` : 'Suggested from the history',
            onclick: () => {
              input.value = targetToText(kpi.suggested_target);
              commit();
            },
            dataset: { focusKey: focusKey(kpi, 'suggestion') },
          },
          `Use ${formatTarget(kpi.suggested_target, kpi.unit)}`,
        )
      : null;
  return h('td', { class: 'target', 'data-label': 'Target' }, input, note, error);
}

function directionCell(kpi, callbacks) {
  const select = h(
    'select',
    {
      class: 'direction-select',
      'aria-label': `Direction for ${kpi.name}: which way is better`,
      value: kpi.direction,
      dataset: { focusKey: focusKey(kpi, 'direction') },
      onchange: (event) => callbacks.onSetDirection(kpi.name, event.target.value),
    },
    Object.entries(DIRECTION).map(([value, label]) => h('option', { value, title: label }, value === 'higher_is_better' ? '↑ Higher' : '↓ Lower')),
  );
  const source = DIRECTION_SOURCE[kpi.direction_source];
  return h(
    'td',
    { class: 'direction', 'data-label': 'Better if' },
    select,
    // Only directions the engine guessed, or the person chose, get a note.
    source && ['name', 'default', 'user'].includes(kpi.direction_source) ? h('span', { class: 'sub' }, source) : null,
  );
}

function nameCell(kpi, callbacks) {
  const details = [kpi.department, kpi.owner].filter((part) => typeof part === 'string' && part.trim() !== '');
  const isKr = typeof kpi.focus === 'string' && /^(kr|okr|key result)$/i.test(kpi.focus.trim());
  return h(
    'th',
    { scope: 'row', class: 'kpi', 'data-label': 'KPI' },
    h(
      'button',
      {
        type: 'button',
        class: 'kpi-name',
        'aria-haspopup': 'dialog',
        title: `Open the details of ${kpi.name}`,
        dataset: { focusKey: focusKey(kpi, 'name') },
        onclick: () => callbacks.onOpenDetail(kpi.name),
      },
      kpi.name,
    ),
    isKr ? h('span', { class: 'tag', title: 'Marked as a current key result' }, 'KR') : null,
    details.length ? h('span', { class: 'sub' }, details.join(' · ')) : null,
  );
}

/** The grid's columns: [key, heading]. */
const COLUMNS = [
  ['status', 'Status'],
  ['kpi', 'KPI'],
  ['latest', 'Latest'],
  ['change', 'Change'],
  ['history', 'History'],
  ['trend', 'Trend'],
  ['forecast', 'Forecast'],
  ['target', 'Target'],
  ['direction', 'Better if'],
];

/**
 * The <tr> of one KPI. `index` is the KPI's position in `report.kpis` (kept
 * on the row as `data-kpi-index`, so an edit's patch finds it); `context` is
 * {frequency, horizon} of the report. callbacks as for renderGrid.
 */
export function renderRow(kpi, index, callbacks, { frequency, horizon } = {}) {
  const rowCallbacks = { ...callbacks, rowId: index };
  const spoken = `History of ${kpi.name}: ${formatValue(kpi.values?.find((value) => value !== null), kpi.unit)} to ${formatValue(kpi.latest, kpi.unit)}${kpi.target ? `, target ${formatTarget(kpi.target, kpi.unit)}` : ''}`;
  return h(
    'tr',
    { class: `row-${kpi.health ?? 'unknown'}`, dataset: { kpi: kpi.name, kpiIndex: String(index) } },
    h('td', { class: 'status-cell', 'data-label': 'Status' }, statusBadge(kpi)),
    nameCell(kpi, rowCallbacks),
    latestCell(kpi),
    changeCell(kpi),
    h('td', { class: 'spark', 'data-label': 'History' }, sparkline(kpi, { label: spoken })),
    trendCell(kpi),
    forecastCell(kpi, frequency, horizon),
    targetCell(kpi, rowCallbacks),
    directionCell(kpi, rowCallbacks),
  );
}

/** The row of the KPI at `index` of report.kpis inside `container` (the grid panel), or null. */
export function findRow(container, index) {
  return container.querySelector(`.kpi-grid > tbody > tr[data-kpi-index="${Number(index)}"]`);
}

/**
 * Builds the grid's <table> for `report`, worst health first. callbacks:
 * onOpenDetail(name), onSetTarget(name, text) → Promise (rejecting with the
 * engine's message), onSetDirection(name, direction).
 */
export function renderGrid(report, callbacks, { horizon } = {}) {
  const context = { frequency: report.source?.frequency, horizon };
  const kpis = Array.isArray(report.kpis) ? report.kpis : [];
  const head = h('thead', {}, h('tr', {}, COLUMNS.map(([key, title]) => h('th', { scope: 'col', class: `col-${key}` }, title))));
  const rows = byHealthIndex(kpis).map((index) => renderRow(kpis[index], index, callbacks, context));
  return h(
    'div',
    { class: 'grid-scroll' },
    h('table', { class: 'kpi-grid', 'aria-label': 'KPI health' }, head, h('tbody', {}, rows)),
  );
}

export { focusKey };
