// The lead/lag view: a matrix of the significant relationships the engine
// found (rows lead, columns follow; colour and sign for the direction, depth
// for |r|), their sentences, and the correlation-is-not-causation note, once.

import { h } from './dom.js';
import { formatQ, periodCount } from './format.js';

const DEFAULT_DISCLAIMER =
  'Correlation is not causation: a KPI that tends to move first is a candidate to test, not a proven driver.';

function shortLag(lag, frequency) {
  return Number.isInteger(lag) ? periodCount(lag, frequency) : '';
}

const TINY_UNITS = { daily: 'd', weekly: 'wk', monthly: 'mo', quarterly: 'q', yearly: 'yr' };

/** "2 mo": the lag inside a matrix cell. */
function tinyLag(lag, frequency) {
  return Number.isInteger(lag) ? `${lag} ${TINY_UNITS[frequency] ?? 'per.'}` : '';
}

/** The names that take part in at least one significant relationship, in the report's KPI order. */
function participants(report, significant) {
  const involved = new Set(significant.flatMap((pair) => [pair.leader, pair.follower]));
  const ordered = (report.kpis ?? []).map((kpi) => kpi.name).filter((name) => involved.has(name));
  for (const name of involved) if (!ordered.includes(name)) ordered.push(name);
  return ordered;
}

/** Builds the view; `onOpen(name)` opens a KPI's detail. */
export function renderLeadLag(report, { onOpen }) {
  const frequency = report.source?.frequency;
  // The report lists the significant pairs only; lead_lag_tested counts every
  // ordered pair tested (an older engine listed them all, hence the fallback).
  const listed = Array.isArray(report.lead_lag) ? report.lead_lag : [];
  const significant = listed.filter((pair) => pair.significant !== false);
  const tested = Number.isInteger(report.lead_lag_tested) ? report.lead_lag_tested : listed.length;
  const disclaimer = h('p', { class: 'disclaimer' }, h('span', { class: 'disclaimer-icon', 'aria-hidden': 'true' }, 'i'), report.disclaimer || DEFAULT_DISCLAIMER);
  const summary = h(
    'p',
    { class: 'muted' },
    `${tested.toLocaleString('en-US')} ordered ${tested === 1 ? 'pair' : 'pairs'} of KPIs tested; ${significant.length} ${significant.length === 1 ? 'relationship is' : 'relationships are'} significant (q ≤ 0.05 at a lag of at least one ${periodCount(1, frequency).replace(/^1 /, '')}).`,
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

  const names = participants(report, significant);
  const matrixCells = [];
  const byPair = new Map(significant.map((pair) => [`${pair.leader}\u0000${pair.follower}`, pair]));
  const selection = h('div', { class: 'leadlag-selection', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Choose a coloured cell to read what it means.'));

  const select = (pair, button) => {
    for (const other of matrixCells) other.setAttribute('aria-pressed', String(other === button));
    selection.replaceChildren(
      h('p', { class: 'explanation' }, pair.explanation || `${pair.leader} leads ${pair.follower}.`),
      h(
        'p',
        { class: 'selection-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => onOpen(pair.leader) }, `Open ${pair.leader}`),
        ' ',
        h('button', { type: 'button', class: 'secondary', onclick: () => onOpen(pair.follower) }, `Open ${pair.follower}`),
      ),
    );
  };

  const header = h(
    'tr',
    {},
    h('th', { scope: 'col', class: 'corner' }, h('span', { class: 'corner-follow' }, 'follows →'), h('span', { class: 'corner-lead' }, 'leads ↓')),
    names.map((name) => h('th', { scope: 'col', class: 'col-name' }, h('span', { title: name }, name))),
  );
  const rows = names.map((leader) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', class: 'row-name' }, leader),
      names.map((follower) => {
        if (leader === follower) return h('td', { class: 'self', 'aria-label': 'same KPI' }, '');
        const pair = byPair.get(`${leader}\u0000${follower}`);
        if (!pair) return h('td', { class: 'none' }, '');
        const sign = pair.r < 0 ? 'negative' : 'positive';
        const button = h(
          'button',
          {
            type: 'button',
            class: ['cell', sign],
            'aria-label': pair.explanation || `${leader} leads ${follower}`,
            title: pair.explanation || '',
            'aria-pressed': 'false',
            onclick: (event) => select(pair, event.currentTarget),
          },
          h('span', { class: 'cell-r' }, `${pair.r < 0 ? '−' : '+'}${Math.abs(pair.r).toFixed(2)}`),
          h('span', { class: 'cell-lag' }, tinyLag(pair.lag, frequency)),
        );
        // CSSOM, not a style attribute: allowed by the page's policy.
        button.style.setProperty('--strength', String(Math.min(1, Math.abs(pair.r))));
        matrixCells.push(button);
        return h('td', {}, button);
      }),
    ),
  );

  const list = h(
    'ol',
    { class: 'relationship-list' },
    significant.map((pair) =>
      h(
        'li',
        {},
        h('p', { class: 'explanation' }, pair.explanation || `${pair.leader} leads ${pair.follower}.`),
        h(
          'p',
          { class: 'sub' },
          `lag ${shortLag(pair.lag, frequency)} · q = ${formatQ(pair.q_value)}`,
          Number.isFinite(pair.granger_p) ? ` · Granger p = ${formatQ(pair.granger_p)}` : '',
        ),
      ),
    ),
  );

  return h(
    'div',
    { class: 'leadlag' },
    disclaimer,
    summary,
    h(
      'div',
      { class: 'leadlag-layout' },
      h(
        'figure',
        { class: 'matrix-figure' },
        h('div', { class: 'table-scroll' }, h('table', { class: 'matrix', 'aria-label': 'Lead/lag matrix: rows lead, columns follow' }, h('thead', {}, header), h('tbody', {}, rows))),
        h(
          'figcaption',
          { class: 'matrix-legend' },
          h('span', { class: 'swatch positive', 'aria-hidden': 'true' }),
          ' + moves the same way  ',
          h('span', { class: 'swatch negative', 'aria-hidden': 'true' }),
          ' − moves the opposite way · deeper colour = stronger (|r|) · the row KPI moves first by the lag shown',
        ),
        selection,
      ),
      h('section', { class: 'relationships' }, h('h3', {}, 'What moves first'), list),
    ),
  );
}
