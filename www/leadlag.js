// The lead/lag view: the significant relationships the engine found, each
// said in a sentence first (its numbers behind "Show the statistics"), and a
// matrix of them (rows lead, columns follow; sign and colour for the
// direction, depth for |r|), with the correlation-is-not-causation note once.
//
// The report holds only the significant pairs, and only the part of the
// matrix in view is drawn: a 500-KPI sheet with hundreds of relationships
// opens as fast as the sample (the cells are placed as the matrix scrolls).

import { h, pendingNote } from './dom.js';
import { formatQ, periodCount } from './format.js';

const DEFAULT_DISCLAIMER =
  'Correlation is not causation: a KPI that tends to move first is a candidate to test, not a proven driver.';

/** Relationships listed at first; the rest come on request. */
const LIST_FIRST = 30;
const LIST_MORE = 100;
/** Cells drawn beyond the edges of the view, so a scroll does not show blanks. */
const OVERSCAN = 2;

const TINY_UNITS = { daily: 'd', weekly: 'wk', monthly: 'mo', quarterly: 'q', half_yearly: 'h', yearly: 'yr' };

/** "2 mo": the lag inside a matrix cell. */
function tinyLag(lag, frequency) {
  return Number.isInteger(lag) ? `${lag} ${TINY_UNITS[frequency] ?? 'per.'}` : '';
}

function signed(r) {
  return `${r < 0 ? '−' : '+'}${Math.abs(r).toFixed(2)}`;
}

/** The names that take part in at least one significant relationship, in the report's KPI order. */
function participants(report, significant) {
  const involved = new Set(significant.flatMap((pair) => [pair.leader, pair.follower]));
  const ordered = (report.kpis ?? []).map((kpi) => kpi.name).filter((name) => involved.has(name));
  const seen = new Set(ordered);
  for (const name of involved) if (!seen.has(name)) ordered.push(name);
  return ordered;
}

function statistics(pair, frequency) {
  const parts = [
    `lag ${Number.isInteger(pair.lag) ? periodCount(pair.lag, frequency) : '—'}`,
    `r = ${Number.isFinite(pair.r) ? signed(pair.r) : '—'}`,
    `q = ${formatQ(pair.q_value)}`,
    Number.isFinite(pair.p_value) ? `p = ${formatQ(pair.p_value)}` : null,
    Number.isFinite(pair.granger_p) ? `Granger p = ${formatQ(pair.granger_p)}` : null,
    pair.method ? `${pair.method === 'deseasonalised' ? 'deseasonalised' : 'prewhitened'} series` : null,
    pair.exploratory ? 'exploratory (short history)' : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The matrix, drawn only where it is seen. */
class Matrix {
  constructor(names, byPair, frequency, onSelect) {
    this.names = names;
    this.byPair = byPair; // "row\u0000column" → pair, by position
    this.frequency = frequency;
    this.onSelect = onSelect;
    this.selected = null;
    this.cells = new Map(); // drawn cells, by key
    this.rowLabels = new Map();
    this.columnLabels = new Map();
    this.frame = h('div', { class: 'matrix-frame', role: 'group', 'aria-label': 'Lead/lag matrix: rows lead, columns follow' });
    this.corner = h('div', { class: 'matrix-corner', 'aria-hidden': 'true' }, h('span', { class: 'corner-follow' }, 'follows →'), h('span', { class: 'corner-lead' }, 'leads ↓'));
    this.columnsInner = h('div', { class: 'matrix-inner' });
    this.rowsInner = h('div', { class: 'matrix-inner' });
    this.bodyInner = h('div', { class: 'matrix-inner' });
    this.columns = h('div', { class: 'matrix-columns', 'aria-hidden': 'true' }, this.columnsInner);
    this.rows = h('div', { class: 'matrix-rows', 'aria-hidden': 'true' }, this.rowsInner);
    this.body = h('div', { class: 'matrix-body', tabindex: '0', 'aria-label': 'Matrix cells; scroll to see more' }, this.bodyInner);
    this.frame.append(this.corner, this.columns, this.rows, this.body);
    this.scheduled = false;
    this.body.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.observer = new ResizeObserver(() => this.schedule());
    this.observer.observe(this.body);
  }

  /** The cell size in px, from the style sheet (phones use smaller cells). */
  cellSize() {
    const size = parseFloat(getComputedStyle(this.frame).getPropertyValue('--cell'));
    return Number.isFinite(size) && size > 0 ? size : 44;
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.frame.isConnected) this.draw();
      else this.observer.disconnect();
    });
  }

  draw() {
    const cell = this.cellSize();
    const count = this.names.length;
    const extent = `${count * cell}px`;
    this.bodyInner.style.width = extent;
    this.bodyInner.style.height = extent;
    this.columnsInner.style.width = extent;
    this.rowsInner.style.height = extent;
    const { scrollLeft, scrollTop, clientWidth, clientHeight } = this.body;
    this.columns.scrollLeft = scrollLeft;
    this.rows.scrollTop = scrollTop;
    if (clientWidth === 0 || clientHeight === 0) return; // not shown yet
    const firstRow = Math.max(0, Math.floor(scrollTop / cell) - OVERSCAN);
    const lastRow = Math.min(count - 1, Math.ceil((scrollTop + clientHeight) / cell) + OVERSCAN);
    const firstColumn = Math.max(0, Math.floor(scrollLeft / cell) - OVERSCAN);
    const lastColumn = Math.min(count - 1, Math.ceil((scrollLeft + clientWidth) / cell) + OVERSCAN);

    const keep = new Set();
    for (let row = firstRow; row <= lastRow; row += 1) {
      for (let column = firstColumn; column <= lastColumn; column += 1) {
        const key = `${row}\u0000${column}`;
        const pair = row === column ? null : this.byPair.get(key);
        if (row !== column && !pair) continue;
        keep.add(key);
        if (!this.cells.has(key)) this.cells.set(key, this.cell(row, column, pair, cell));
      }
    }
    for (const [key, element] of this.cells) {
      if (!keep.has(key)) {
        element.remove();
        this.cells.delete(key);
      }
    }
    this.labels(this.rowLabels, this.rowsInner, firstRow, lastRow, (index) => this.label('row', index, cell));
    this.labels(this.columnLabels, this.columnsInner, firstColumn, lastColumn, (index) => this.label('column', index, cell));
  }

  labels(drawn, parent, first, last, make) {
    for (const [index, element] of drawn) {
      if (index < first || index > last) {
        element.remove();
        drawn.delete(index);
      }
    }
    for (let index = first; index <= last; index += 1) {
      if (!drawn.has(index)) {
        const element = make(index);
        drawn.set(index, element);
        parent.append(element);
      }
    }
  }

  label(kind, index, cell) {
    const name = this.names[index];
    const element = h('div', { class: `matrix-label ${kind}-label`, title: name }, h('span', {}, name));
    element.style.transform = kind === 'row' ? `translateY(${index * cell}px)` : `translateX(${index * cell}px)`;
    return element;
  }

  cell(row, column, pair, size) {
    let element;
    if (!pair) {
      element = h('div', { class: 'matrix-cell self', 'aria-hidden': 'true' });
    } else {
      element = h(
        'button',
        {
          type: 'button',
          class: ['matrix-cell', 'cell', pair.r < 0 ? 'negative' : 'positive'],
          'aria-label': pair.explanation || `${pair.leader} leads ${pair.follower}`,
          title: pair.explanation || '',
          'aria-pressed': String(this.selected === pair),
          onclick: () => {
            this.selected = pair;
            for (const other of this.cells.values()) if (other.tagName === 'BUTTON') other.setAttribute('aria-pressed', String(other === element));
            this.onSelect(pair);
          },
        },
        h('span', { class: 'cell-r' }, signed(pair.r)),
        h('span', { class: 'cell-lag' }, tinyLag(pair.lag, this.frequency)),
      );
      // CSSOM, not a style attribute: allowed by the page's policy.
      element.style.setProperty('--strength', String(Math.min(1, Math.abs(pair.r))));
    }
    element.style.transform = `translate(${column * size}px, ${row * size}px)`;
    this.bodyInner.append(element);
    return element;
  }
}

/** Builds the view; `onOpen(name)` opens a KPI's detail. */
export function renderLeadLag(report, { onOpen }) {
  if (report.lead_lag_pending) {
    const kpis = report.kpis?.length ?? 0;
    return h(
      'div',
      { class: 'leadlag' },
      pendingNote(
        `Looking for KPIs that lead others: each of the ${kpis.toLocaleString('en-US')} KPIs against every other, lag by lag. The pairs appear here when the scan is done; the grid is ready now.`,
      ),
    );
  }
  const frequency = report.source?.frequency;
  // The report lists the significant pairs only; lead_lag_tested counts every
  // ordered pair tested (an older engine listed them all, hence the filter).
  const listed = Array.isArray(report.lead_lag) ? report.lead_lag : [];
  const words = Array.isArray(report.pair_words) && report.pair_words.length === listed.length ? report.pair_words : null;
  const significant = [];
  listed.forEach((pair, index) => {
    if (pair.significant !== false) significant.push({ pair, sentence: words?.[index] ?? pair.explanation ?? `${pair.leader} leads ${pair.follower}.` });
  });
  const tested = Number.isInteger(report.lead_lag_tested) ? report.lead_lag_tested : listed.length;
  const exploratory = significant.some(({ pair }) => pair.exploratory);
  const disclaimer = h('p', { class: 'disclaimer' }, h('span', { class: 'disclaimer-icon', 'aria-hidden': 'true' }, 'i'), report.disclaimer || DEFAULT_DISCLAIMER);
  const summary = h(
    'p',
    { class: 'muted' },
    `${tested.toLocaleString('en-US')} ordered ${tested === 1 ? 'pair' : 'pairs'} of KPIs tested; ${significant.length.toLocaleString('en-US')} ${significant.length === 1 ? 'relationship is' : 'relationships are'} significant (q ≤ 0.05 at a lag of at least one ${periodCount(1, frequency).replace(/^1 /, '')}).`,
    exploratory ? ' The history is short, so these findings are exploratory.' : '',
  );
  if (significant.length === 0) {
    return h(
      'div',
      { class: 'leadlag' },
      disclaimer,
      summary,
      h('p', { class: 'empty-state' }, 'No KPI reliably moves ahead of another in this file. Longer histories make weaker relationships visible.'),
    );
  }

  const names = participants(report, significant.map(({ pair }) => pair));
  const position = new Map(names.map((name, index) => [name, index]));
  const byPair = new Map();
  const sentenceOf = new Map();
  for (const { pair, sentence } of significant) {
    byPair.set(`${position.get(pair.leader)}\u0000${position.get(pair.follower)}`, pair);
    sentenceOf.set(pair, sentence);
  }
  const selection = h('div', { class: 'leadlag-selection', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Choose a coloured cell to read what it means.'));
  const select = (pair) => {
    selection.replaceChildren(
      h('p', { class: 'explanation' }, sentenceOf.get(pair) ?? pair.explanation ?? ''),
      h('p', { class: 'sub' }, statistics(pair, frequency)),
      h(
        'p',
        { class: 'selection-actions' },
        h('button', { type: 'button', class: 'secondary small', onclick: () => onOpen(pair.leader) }, `Open ${pair.leader}`),
        ' ',
        h('button', { type: 'button', class: 'secondary small', onclick: () => onOpen(pair.follower) }, `Open ${pair.follower}`),
      ),
    );
  };
  const matrix = new Matrix(names, byPair, frequency, select);

  const list = h('ol', { class: 'relationship-list' });
  let listedCount = 0;
  const more = h('button', { type: 'button', class: 'secondary small', hidden: true });
  const showMore = (count) => {
    const next = significant.slice(listedCount, listedCount + count);
    list.append(
      ...next.map(({ pair, sentence }) =>
        h(
          'li',
          {},
          h('p', { class: 'explanation' }, sentence),
          h('details', { class: 'pair-statistics' }, h('summary', {}, 'Show the statistics'), h('p', { class: 'sub' }, statistics(pair, frequency))),
        ),
      ),
    );
    listedCount += next.length;
    const left = significant.length - listedCount;
    more.hidden = left <= 0;
    more.textContent = left > 0 ? `Show ${Math.min(left, LIST_MORE)} more (${left.toLocaleString('en-US')} left)` : '';
  };
  more.addEventListener('click', () => showMore(LIST_MORE));
  showMore(LIST_FIRST);

  return h(
    'div',
    { class: 'leadlag' },
    disclaimer,
    summary,
    h(
      'div',
      { class: 'leadlag-layout' },
      h('section', { class: 'relationships' }, h('h3', {}, 'What moves first'), list, more),
      h(
        'figure',
        { class: 'matrix-figure' },
        matrix.frame,
        h(
          'figcaption',
          { class: 'matrix-legend' },
          h('span', { class: 'swatch positive', 'aria-hidden': 'true' }),
          ' + moves the same way  ',
          h('span', { class: 'swatch negative', 'aria-hidden': 'true' }),
          ' − moves the opposite way · deeper colour = stronger (|r|) · the row KPI moves first by the lag shown',
          names.length > 12 ? ` · ${names.length} KPIs: scroll the matrix to see them all` : '',
        ),
        selection,
      ),
    ),
  );
}
