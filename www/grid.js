// The KPI grid: one row per KPI, worst health first, that a person can sort
// by any column, search, filter by status (the summary chips) and group by
// department, owner or entity, with the target and the direction editable
// in place. Edits go to the engine through the callbacks; the engine answers
// with the edited KPI alone, and only its row is built again — in place, so
// nothing moves under the cursor: when the edit changes the order, a
// "Re-sort" button offers the new one.
//
// Each row is built once per report and kept; sorting, filtering and
// grouping only move the kept rows (a 500-KPI sheet sorts without drawing
// 500 sparklines again).
//
// The table is a <table> for its markup and roles, but style.css lays each
// row out as a CSS grid on shared column widths, not as a table: a table
// sizes its columns from every cell, so one changed row made Chromium lay
// out and paint all 500 (~130 ms per edit); a grid row is laid out alone,
// and rows off screen are skipped (content-visibility).

import { h, replace } from './dom.js';
import { sparkline } from './charts.js';
import {
  DIRECTION,
  DIRECTION_SOURCE,
  HEALTH,
  changeTone,
  forecastWords,
  formatDelta,
  formatNumber,
  formatPeriod,
  formatTarget,
  formatValue,
  health,
  movement,
  targetSource,
  targetToText,
  trendWords,
  VERDICT,
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

/** KPIs worst first; the engine's order within one health state. */
export function byHealth(kpis) {
  return kpis
    .map((kpi, index) => ({ kpi, index }))
    .sort((a, b) => health(a.kpi).rank - health(b.kpi).rank || a.index - b.index)
    .map(({ kpi }) => kpi);
}

function focusKey(kpi, field) {
  return `${kpi.name}\u0000${field}`;
}

/** The latest value and its period (`kpi.latest_period` indexes the report's `periods`). */
function latestCell(kpi, periods) {
  const period = Number.isInteger(kpi.latest_period) ? periods?.[kpi.latest_period] : undefined;
  return h(
    'td',
    { role: 'cell', class: 'num latest-cell', 'data-label': 'Latest' },
    h('span', { class: 'latest', title: formatValue(kpi.latest, kpi.unit, { compact: false }) }, formatValue(kpi.latest, kpi.unit)),
    period !== undefined ? h('span', { class: 'sub' }, formatPeriod(period)) : null,
  );
}

/** "↗ +0.8 pp", then "+7.9% · worse": the arrow says which way the number moved, the word whether that is good. */
function changeCell(kpi) {
  const tone = changeTone(kpi.change, kpi.direction, kpi.direction_source);
  const { arrow } = movement(kpi.change);
  const known = kpi.change !== null && kpi.change !== undefined && Number.isFinite(kpi.change);
  const percent = Number.isFinite(kpi.change_pct) ? `${formatNumber(kpi.change_pct, { signed: true, digits: 1 })}%` : '';
  const word = tone > 0 ? 'better' : tone < 0 ? 'worse' : '';
  return h(
    'td',
    { role: 'cell', class: ['num', 'change', tone > 0 ? 'good' : tone < 0 ? 'bad' : 'neutral'], 'data-label': 'Change' },
    known ? h('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow, ' ') : null,
    known ? formatDelta(kpi.change, kpi.unit) : '—',
    percent || word
      ? h('span', { class: 'sub change-detail' }, percent, percent && word ? ' · ' : '', word ? h('span', { class: 'tone-word' }, word) : null)
      : null,
  );
}

function trendCell(kpi) {
  const words = trendWords(kpi);
  const verdict = kpi.trend?.verdict;
  return h(
    'td',
    { role: 'cell', class: ['trend', `verdict-${words.judged ? verdict ?? 'none' : 'unjudged'}`], 'data-label': 'Trend', title: kpi.words?.trend ?? null },
    VERDICT[verdict] ? h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, words.arrow, ' ') : null,
    VERDICT[verdict] ? words.word : '—',
  );
}

function forecastCell(kpi, frequency, horizon) {
  const words = forecastWords(kpi, frequency, horizon);
  const warning = kpi.target && kpi.forecast?.crossing_period && (kpi.forecast.kind ? kpi.forecast.kind === 'breach' : !kpi.breach?.latest_breached);
  return h(
    'td',
    { role: 'cell', class: ['forecast', warning ? 'forecast-warning' : null], 'data-label': 'Forecast', title: words.sentence },
    warning ? h('span', { class: 'forecast-icon', 'aria-hidden': 'true' }, '! ') : null,
    words.short,
    words.chance ? h('span', { class: 'sub' }, words.chance) : words.ahead ? h('span', { class: 'sub' }, words.ahead) : null,
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
  // only points out the ones the person set, and suggestions.
  const suggested = kpi.suggested_target;
  const note = kpi.target
    ? kpi.target.source === 'user'
      ? h('span', { class: 'sub' }, targetSource(kpi.target.source))
      : null
    : suggested
      ? h(
          'button',
          {
            type: 'button',
            class: 'link-button',
            title: suggested.basis ? `Suggested: ${suggested.basis}` : suggested.source ? `Suggested from ${suggested.source}` : 'Suggested from the history',
            onclick: () => {
              input.value = targetToText(suggested);
              commit();
            },
            dataset: { focusKey: focusKey(kpi, 'suggestion') },
          },
          `Use ${formatTarget(suggested, kpi.unit)}`,
        )
      : null;
  return h('td', { role: 'cell', class: 'target', 'data-label': 'Target' }, input, note, error);
}

function directionCell(kpi, callbacks) {
  const assumed = kpi.direction_source === 'default';
  const select = h(
    'select',
    {
      class: ['direction-select', assumed ? 'assumed' : null],
      'aria-label': `Direction for ${kpi.name}: which way is better`,
      value: assumed ? '' : kpi.direction,
      dataset: { focusKey: focusKey(kpi, 'direction') },
      onchange: (event) => {
        if (event.target.value) callbacks.onSetDirection(kpi.name, event.target.value);
      },
    },
    // On an assumed direction the question comes first: nothing in the file said which way is better.
    assumed ? h('option', { value: '', disabled: true }, 'Choose…') : null,
    Object.entries(DIRECTION).map(([value, label]) => h('option', { value, title: label }, value === 'higher_is_better' ? 'Higher' : 'Lower')),
  );
  const source = DIRECTION_SOURCE[kpi.direction_source];
  return h(
    'td',
    { role: 'cell', class: 'direction', 'data-label': 'Better if' },
    select,
    // Only directions the engine guessed, or the person chose, get a note.
    assumed
      ? h('span', { class: 'sub ask' }, `assumed ${kpi.direction === 'lower_is_better' ? 'lower' : 'higher'}`)
      : source && ['name', 'user', 'sign'].includes(kpi.direction_source)
        ? h('span', { class: 'sub' }, source)
        : null,
  );
}

function nameCell(kpi, callbacks) {
  const details = [kpi.entity && !String(kpi.name).includes(kpi.entity) ? kpi.entity : null, kpi.department, kpi.owner].filter(
    (part) => typeof part === 'string' && part.trim() !== '',
  );
  const isKr = typeof kpi.focus === 'string' && /^(kr|okr|key result)$/i.test(kpi.focus.trim());
  return h(
    'th',
    { scope: 'row', role: 'rowheader', class: 'kpi', 'data-label': 'KPI' },
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
    kpi.attention === 'watch' ? h('span', { class: 'tag tag-watch', title: kpi.attention_reason ?? 'Worth watching' }, 'watch') : null,
    details.length ? h('span', { class: 'sub' }, details.join(' · ')) : null,
  );
}

/** The grid's columns: [key, heading, sortable]. */
/** Rows built with the table, and per task after it (see KpiGrid.fill). */
const FIRST_ROWS = 40;
const ROWS_PER_TASK = 40;

const COLUMNS = [
  ['status', 'Status', true],
  ['kpi', 'KPI', true],
  ['latest', 'Latest', true],
  ['change', 'Change', true],
  ['history', 'History', false],
  ['trend', 'Trend', true],
  ['forecast', 'Forecast', true],
  ['target', 'Target', true],
  ['direction', 'Better if', true],
];

/**
 * The <tr> of one KPI (an entry of the lean report). `index` is the KPI's
 * position in `report.kpis` (kept on the row as `data-kpi-index`, so an
 * edit's patch finds it); `context` is {frequency, horizon, periods} of the
 * report. callbacks as for KpiGrid.
 */
export function renderRow(kpi, index, callbacks, { frequency, horizon, periods } = {}) {
  const rowCallbacks = { ...callbacks, rowId: index };
  const spoken = `History of ${kpi.name}: ${formatValue(kpi.first, kpi.unit)} to ${formatValue(kpi.latest, kpi.unit)}${kpi.target ? `, target ${formatTarget(kpi.target, kpi.unit)}` : ''}`;
  const row = h('tr', { role: 'row', class: `row-${kpi.health ?? 'unknown'}`, dataset: { kpi: kpi.name, kpiIndex: String(index) } });
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'row-toggle icon-button',
      'aria-expanded': 'false',
      'aria-label': `More about ${kpi.name}`,
      onclick: () => {
        const open = row.classList.toggle('open');
        toggle.setAttribute('aria-expanded', String(open));
      },
    },
    h('span', { 'aria-hidden': 'true' }, '▾'),
  );
  row.append(
    h('td', { role: 'cell', class: 'status-cell', 'data-label': 'Status' }, statusBadge(kpi), toggle),
    nameCell(kpi, rowCallbacks),
    latestCell(kpi, periods),
    changeCell(kpi),
    h('td', { role: 'cell', class: 'spark', 'data-label': 'History' }, sparkline(kpi, { label: spoken })),
    trendCell(kpi),
    forecastCell(kpi, frequency, horizon),
    targetCell(kpi, rowCallbacks),
    directionCell(kpi, rowCallbacks),
  );
  return row;
}

/** The row of the KPI at `index` of report.kpis inside `container`, or null. */
export function findRow(container, index) {
  return container.querySelector(`.kpi-grid tr[data-kpi-index="${Number(index)}"]`);
}

// ---- order, filters, groups ------------------------------------------------------

const missingLast = (value, descending) => (value === null || value === undefined || Number.isNaN(value) ? (descending ? -Infinity : Infinity) : value);

/** What a column sorts by, for one KPI: a number or a string. */
const SORT_KEYS = {
  status: (kpi) => health(kpi).rank,
  kpi: (kpi) => String(kpi.name ?? '').toLocaleLowerCase(),
  latest: (kpi) => kpi.latest,
  change: (kpi) => (Number.isFinite(kpi.change_pct) ? kpi.change_pct : kpi.change),
  trend: (kpi) => {
    const words = trendWords(kpi);
    return words.judged ? VERDICT[kpi.trend?.verdict]?.rank ?? 3 : 1.5;
  },
  forecast: (kpi) => {
    if (!kpi.target) return null;
    const ahead = kpi.forecast?.periods_ahead;
    const breach = kpi.forecast?.kind ? kpi.forecast.kind === 'breach' : !kpi.breach?.latest_breached;
    if (kpi.forecast?.crossing_period && breach) return Number.isInteger(ahead) ? ahead : 0;
    return 1e6 + (Number.isFinite(kpi.forecast?.breach_probability) ? 1 - kpi.forecast.breach_probability : 1);
  },
  target: (kpi) => (kpi.target ? 0 : kpi.suggested_target ? 1 : 2),
  direction: (kpi) => (kpi.direction_source === 'default' ? 0 : kpi.direction === 'lower_is_better' ? 1 : 2),
};

/** The KPI fields a grid can be grouped by, with their headings. */
export const GROUPS = {
  department: 'Department',
  owner: 'Owner',
  entity: 'Entity',
};

/** Status filter: the health keys shown (empty: all). */
export class KpiGrid {
  /**
   * callbacks: onOpenDetail(name), onSetTarget(name, text) → Promise
   * (rejecting with the engine's message), onSetDirection(name, direction),
   * onViewChange() after the shown rows change (for counts and chips).
   */
  constructor(callbacks) {
    this.callbacks = callbacks;
    this.report = null;
    this.rows = [];
    this.sort = { key: 'status', descending: false };
    this.search = '';
    this.statuses = new Set();
    this.group = '';
    this.shown = []; // indices in the order shown
    this.stale = false;
    this.fillTimer = null;
    this.pending = [];
    this.root = h('div', { class: 'grid-view' });
    this.body = h('div', { class: 'grid-scroll' });
    this.count = h('span', { class: 'grid-count', 'aria-live': 'polite' });
    this.resortButton = h(
      'button',
      { type: 'button', class: 'secondary small resort', id: 'grid-resort', hidden: true, onclick: () => this.arrange() },
      h('span', { 'aria-hidden': 'true' }, '⇅ '),
      'Re-sort',
    );
    this.empty = h('p', { class: 'empty-state', hidden: true }, 'No KPI matches the search and the status chosen.');
  }

  /** The toolbar and the table; `extra` are controls main.js adds (the horizon). */
  element(extra = []) {
    const searchInput = h('input', {
      type: 'search',
      id: 'grid-search',
      placeholder: 'Find a KPI',
      autocomplete: 'off',
      spellcheck: 'false',
      value: this.search,
      oninput: (event) => {
        this.search = event.target.value;
        this.arrange();
      },
    });
    const groups = Object.entries(GROUPS).filter(([key]) => (this.report?.kpis ?? []).some((kpi) => typeof kpi[key] === 'string' && kpi[key].trim() !== ''));
    if (this.group && !groups.some(([key]) => key === this.group)) this.group = '';
    const groupSelect = groups.length
      ? h(
          'label',
          { class: 'toolbar-field' },
          h('span', {}, 'Group by'),
          h(
            'select',
            {
              id: 'grid-group',
              value: this.group,
              onchange: (event) => {
                this.group = event.target.value;
                this.arrange();
              },
            },
            h('option', { value: '' }, 'Nothing'),
            groups.map(([key, label]) => h('option', { value: key }, label.toLowerCase())),
          ),
        )
      : null;
    replace(
      this.root,
      h(
        'div',
        { class: 'grid-toolbar' },
        h('label', { class: 'toolbar-field search-field' }, h('span', { class: 'visually-hidden' }, 'Search KPIs'), searchInput),
        groupSelect,
        extra,
        this.resortButton,
        this.count,
      ),
      this.body,
      this.empty,
    );
    return this.root;
  }

  /**
   * A new report: its rows are arranged, the first screens of them built at
   * once and the rest task by task (see arrange); returns the view (toolbar
   * and table).
   */
  show(report, context, extra = []) {
    this.report = report;
    this.context = context;
    const kpis = Array.isArray(report.kpis) ? report.kpis : [];
    this.rows = new Array(kpis.length);
    const root = this.element(extra);
    this.arrange();
    return root;
  }

  /** The row of the KPI at `index`, built when first asked for. */
  row(index) {
    const kpi = this.report?.kpis?.[index];
    if (!this.rows[index] && kpi) this.rows[index] = renderRow(kpi, index, this.callbacks, this.context);
    return this.rows[index];
  }

  /** Whether rows are still being added to the table (its aria-busy says so too). */
  get filling() {
    return this.fillTimer !== null;
  }

  /**
   * Appends `[tbody, index]` rows to the table a task at a time, so a sheet
   * of hundreds of KPIs never holds the main thread for long: each task
   * builds ROWS_PER_TASK rows and the frame after it lays out only those.
   */
  fill(queue, table) {
    clearTimeout(this.fillTimer);
    this.fillTimer = null;
    this.pending = queue;
    const step = () => {
      this.append(ROWS_PER_TASK);
      if (queue.length) this.fillTimer = setTimeout(step, 0);
      else {
        this.fillTimer = null;
        table.removeAttribute('aria-busy');
      }
    };
    if (queue.length) {
      table.setAttribute('aria-busy', 'true');
      this.fillTimer = setTimeout(step, 0);
    }
  }

  /** Appends up to `count` of the rows still to come. */
  append(count) {
    for (const [body, index] of this.pending.splice(0, count)) body.append(this.row(index));
  }

  /** Every row in the table now (before printing). */
  complete() {
    if (!this.filling) return;
    clearTimeout(this.fillTimer);
    this.fillTimer = null;
    this.append(this.pending.length);
    this.body.querySelector('.kpi-grid')?.removeAttribute('aria-busy');
  }

  /** One KPI changed: its row is rebuilt in place; the order is offered again, not applied. */
  patch(index, kpi, context) {
    this.context = context;
    const old = this.rows[index];
    const row = renderRow(kpi, index, this.callbacks, context);
    this.rows[index] = row;
    if (old?.isConnected) old.replaceWith(row);
    const wanted = this.order();
    this.stale = wanted.length !== this.shown.length || wanted.some((value, position) => value !== this.shown[position]);
    this.resortButton.hidden = !this.stale;
    this.reportCount();
    return { old, row };
  }

  setStatuses(statuses) {
    this.statuses = new Set(statuses);
    this.arrange();
  }

  toggleStatus(key) {
    if (this.statuses.has(key)) this.statuses.delete(key);
    else this.statuses.add(key);
    this.arrange();
  }

  setSort(key) {
    if (this.sort.key === key) this.sort = { key, descending: !this.sort.descending };
    else this.sort = { key, descending: false };
    this.arrange();
  }

  /** The indices to show, in order, from the current sort, search and filter. */
  order() {
    const kpis = this.report?.kpis ?? [];
    const needle = this.search.trim().toLocaleLowerCase();
    const keyOf = SORT_KEYS[this.sort.key] ?? SORT_KEYS.status;
    const descending = this.sort.descending;
    const matches = (kpi) =>
      (this.statuses.size === 0 || this.statuses.has(kpi.health)) &&
      (!needle || [kpi.name, kpi.entity, kpi.department, kpi.owner].some((text) => typeof text === 'string' && text.toLocaleLowerCase().includes(needle)));
    const entries = kpis.map((kpi, index) => ({ index, key: keyOf(kpi), rank: health(kpi).rank, kpi })).filter(({ kpi }) => matches(kpi));
    entries.sort((a, b) => {
      let difference = 0;
      if (typeof a.key === 'string' || typeof b.key === 'string') difference = String(a.key ?? '').localeCompare(String(b.key ?? ''));
      else difference = missingLast(a.key, descending) - missingLast(b.key, descending);
      if (descending) difference = -difference;
      return difference || a.rank - b.rank || a.index - b.index;
    });
    return entries.map(({ index }) => index);
  }

  /** Puts the kept rows in the current order, in groups if asked. */
  arrange() {
    const kpis = this.report?.kpis ?? [];
    this.shown = this.order();
    this.stale = false;
    this.resortButton.hidden = true;
    const head = h(
      'thead',
      { role: 'rowgroup' },
      h(
        'tr',
        { role: 'row' },
        COLUMNS.map(([key, title, sortable]) => {
          const active = this.sort.key === key;
          return h(
            'th',
            { scope: 'col', role: 'columnheader', class: `col-${key}`, 'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : null },
            sortable
              ? h(
                  'button',
                  { type: 'button', class: 'sort', dataset: { sort: key }, onclick: () => this.setSort(key), title: `Sort by ${title.toLowerCase()}` },
                  title,
                  h('span', { class: 'sort-icon', 'aria-hidden': 'true' }, active ? (this.sort.descending ? ' ▼' : ' ▲') : ''),
                )
              : title,
          );
        }),
      ),
    );
    const bodies = [];
    const queue = []; // [tbody, KPI index] in the order shown
    if (this.group) {
      const label = GROUPS[this.group];
      const byGroup = new Map();
      for (const index of this.shown) {
        const value = kpis[index]?.[this.group];
        const name = typeof value === 'string' && value.trim() !== '' ? value.trim() : '';
        if (!byGroup.has(name)) byGroup.set(name, []);
        byGroup.get(name).push(index);
      }
      const names = [...byGroup.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
      for (const name of names) {
        const members = byGroup.get(name);
        const counts = Object.entries(HEALTH)
          .map(([key, meta]) => [meta, members.filter((index) => kpis[index].health === key).length])
          .filter(([, count]) => count > 0)
          .map(([meta, count]) => `${count} ${meta.word.toLowerCase()}`);
        bodies.push(
          h(
            'tbody',
            { role: 'rowgroup', class: 'group', dataset: { group: name } },
            h(
              'tr',
              { role: 'row', class: 'group-head' },
              h(
                'th',
                { scope: 'colgroup', role: 'columnheader', colspan: String(COLUMNS.length), 'aria-colspan': String(COLUMNS.length) },
                h('span', { class: 'group-name' }, name || `No ${label.toLowerCase()}`),
                h('span', { class: 'sub' }, ` ${members.length} ${members.length === 1 ? 'KPI' : 'KPIs'} · ${counts.join(', ')}`),
              ),
            ),
          ),
        );
        for (const index of members) queue.push([bodies.at(-1), index]);
      }
    } else {
      bodies.push(h('tbody', { role: 'rowgroup' }));
      for (const index of this.shown) queue.push([bodies[0], index]);
    }
    // The first screens of rows now, the rest in the tasks after.
    this.pending = queue;
    this.append(FIRST_ROWS);
    const table = h('table', { role: 'table', class: ['kpi-grid', this.group ? 'grouped' : null], 'aria-label': 'KPI health' }, head, bodies);
    replace(this.body, table);
    this.fill(queue, table);
    this.empty.hidden = this.shown.length > 0 || kpis.length === 0;
    this.reportCount();
    this.callbacks.onViewChange?.();
  }

  reportCount() {
    const total = this.report?.kpis?.length ?? 0;
    this.count.textContent = this.shown.length === total ? `${total} ${total === 1 ? 'KPI' : 'KPIs'}` : `Showing ${this.shown.length} of ${total}`;
  }
}

/** What to restore of the focused control `element` once its row is rebuilt (read before any DOM write). */
export function focusState(element) {
  const key = element.dataset?.focusKey ?? null;
  const typing = element instanceof HTMLInputElement && Boolean(element.dataset.edited);
  return {
    key,
    field: key?.slice(key.lastIndexOf('\u0000') + 1) ?? null,
    // Text typed into the target box since the edit was sent comes along.
    typed: typing ? { value: element.value, start: element.selectionStart, end: element.selectionEnd, direction: element.selectionDirection ?? 'none' } : null,
  };
}

/**
 * Puts focus on the same control in the rebuilt `row` (or the closest one
 * left: a "Use …" suggestion button goes once a target is set), without
 * scrolling. The caret is placed before focusing (on an unfocused input that
 * only records it).
 */
export function restoreFocus({ key, field, typed }, row) {
  const controls = [...row.querySelectorAll('[data-focus-key]')];
  const same = controls.find((element) => element.dataset.focusKey === key);
  const target =
    same ??
    (field === 'suggestion' ? controls.find((element) => element.classList.contains('target-input')) : null) ??
    controls.find((element) => element.classList.contains('kpi-name'));
  if (!target) return;
  if (target instanceof HTMLInputElement) {
    if (typed && same) {
      target.value = typed.value;
      target.dataset.edited = 'true';
      target.setSelectionRange(typed.start, typed.end, typed.direction);
    } else {
      target.setSelectionRange(target.value.length, target.value.length);
    }
  }
  target.focus({ preventScroll: true });
}

export { focusKey };
