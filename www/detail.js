// The detail view of one KPI, in a modal <dialog>: the facts the engine
// reported, the history chart, anomalies, its leading and lagging KPIs and its
// suggested key results. Escape closes it (the dialog's own behaviour).

import { h, replace } from './dom.js';
import { historyChart } from './charts.js';
import { statusBadge } from './grid.js';
import {
  DIRECTION,
  DIRECTION_SOURCE,
  VERDICT,
  forecastWords,
  formatDelta,
  formatChange,
  formatNumber,
  formatPeriod,
  formatQ,
  formatR,
  formatTarget,
  formatValue,
  periodCount,
  anomalyRule,
  targetSource,
} from './format.js';

let activeChart = null;
let opener = null;
let openerKey = null; // to find the opener again if the grid was re-rendered meanwhile

function fact(term, ...description) {
  return h('div', { class: 'fact' }, h('dt', {}, term), h('dd', {}, description));
}

function sub(text) {
  return text ? h('span', { class: 'sub' }, text) : null;
}

function explanationFor(report, leader, follower) {
  const pair = (report.lead_lag ?? []).find((entry) => entry.leader === leader && entry.follower === follower);
  return pair?.explanation ?? null;
}

function relationList(report, kpi, relations, role, onOpen) {
  const frequency = report.source?.frequency;
  if (!Array.isArray(relations) || relations.length === 0) {
    return h('p', { class: 'muted' }, role === 'leaders' ? 'No KPI significantly moves ahead of this one.' : 'This KPI does not significantly move ahead of any other.');
  }
  return h(
    'ul',
    { class: 'relations' },
    relations.map((relation) => {
      const explanation =
        role === 'leaders' ? explanationFor(report, relation.kpi, kpi.name) : explanationFor(report, kpi.name, relation.kpi);
      const lag = Number.isInteger(relation.lag) ? periodCount(relation.lag, frequency) : '';
      return h(
        'li',
        {},
        h(
          'button',
          { type: 'button', class: 'link-button relation-name', onclick: () => onOpen(relation.kpi) },
          relation.kpi,
        ),
        h(
          'span',
          { class: 'relation-stats' },
          ` ${role === 'leaders' ? 'leads' : 'follows'} by ${lag} · ${formatR(relation.r)} · q = ${formatQ(relation.q_value)}`,
        ),
        explanation ? h('p', { class: 'explanation' }, explanation) : null,
      );
    }),
  );
}

function numbersTable(kpi) {
  const periods = Array.isArray(kpi.periods) ? kpi.periods : [];
  const anomalies = new Map((kpi.anomalies ?? []).map((anomaly) => [String(anomaly.period), anomaly.rule]));
  const hasStatus = Array.isArray(kpi.status);
  return h(
    'details',
    { class: 'numbers' },
    h('summary', {}, 'Show the numbers'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'plain-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'Period'), h('th', { scope: 'col', class: 'num' }, 'Value'), hasStatus ? h('th', { scope: 'col' }, 'Target') : null, h('th', { scope: 'col' }, 'Note')),
        ),
        h(
          'tbody',
          {},
          periods.map((period, index) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, formatPeriod(period)),
              h('td', { class: 'num' }, formatValue(kpi.values?.[index], kpi.unit)),
              hasStatus ? h('td', {}, kpi.status[index] === 'breached' ? '✕ breached' : kpi.status[index] === 'met' ? '✓ met' : '—') : null,
              h('td', {}, anomalies.get(String(period)) ? `Anomaly: ${anomalyRule(anomalies.get(String(period)))}` : ''),
            ),
          ),
        ),
      ),
    ),
  );
}

function facts(report, kpi, horizon) {
  const frequency = report.source?.frequency;
  const unit = kpi.unit;
  const trend = kpi.trend ?? {};
  const verdict = VERDICT[trend.verdict];
  const perPeriod = periodCount(1, frequency).replace(/^1 /, '');
  const breach = kpi.breach ?? {};
  const forecast = kpi.forecast ?? {};
  const range =
    forecast.earliest_period || forecast.latest_period
      ? `Interval: ${forecast.earliest_period ? formatPeriod(forecast.earliest_period) : 'now'} to ${forecast.latest_period ? formatPeriod(forecast.latest_period) : 'beyond the horizon'}`
      : null;
  return h(
    'dl',
    { class: 'facts' },
    fact('Latest', h('strong', {}, formatValue(kpi.latest, unit)), sub(kpi.previous !== undefined && kpi.previous !== null ? `previous ${formatValue(kpi.previous, unit)}` : null)),
    fact('Change', formatChange(kpi.change, kpi.change_pct, unit), sub(kpi.yoy_change !== undefined && kpi.yoy_change !== null ? `year over year ${formatChange(kpi.yoy_change, kpi.yoy_change_pct, unit)}` : null)),
    fact('Target', kpi.target ? formatTarget(kpi.target, unit) : 'None', sub(kpi.target?.source ? targetSource(kpi.target.source) : kpi.suggested_target ? `suggested ${formatTarget(kpi.suggested_target, unit)}` : null)),
    fact('Direction', DIRECTION[kpi.direction] ?? '—', sub(DIRECTION_SOURCE[kpi.direction_source] ?? null)),
    fact(
      'Trend',
      verdict ? `${verdict.icon} ${verdict.word}` : '—',
      sub(
        [
          Number.isFinite(trend.ols_slope) ? `${formatDelta(trend.ols_slope, unit)} per ${perPeriod} (R² ${formatNumber(trend.r2, { digits: 2 })})` : null,
          Number.isFinite(trend.theil_sen_slope) ? `Theil–Sen ${formatNumber(trend.theil_sen_slope, { signed: true })}` : null,
          Number.isFinite(trend.mann_kendall?.p_value) ? `Mann–Kendall τ ${formatNumber(trend.mann_kendall.tau, { digits: 2 })}, p ${formatQ(trend.mann_kendall.p_value)}` : null,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
    fact(
      'Breaches',
      kpi.target ? (breach.latest_breached ? `Breached, ${periodCount(breach.streak ?? 0, frequency)} in a row` : 'Within target now') : '—',
      sub(
        kpi.target
          ? [
              Number.isInteger(breach.count) ? `${breach.count} breached in all` : null,
              Number.isFinite(breach.margin) ? `margin ${formatDelta(breach.margin, unit)}${Number.isFinite(breach.margin_sd) ? ` (${formatNumber(breach.margin_sd, { signed: true, digits: 1 })} sd)` : ''}` : null,
            ]
              .filter(Boolean)
              .join(' · ')
          : null,
      ),
    ),
    fact('Forecast', forecastWords(kpi, frequency, horizon).sentence, sub(range)),
    kpi.volatility
      ? fact('Volatility', `sd ${unit === '%' ? `${formatNumber(kpi.volatility.sd)} pp` : formatValue(kpi.volatility.sd, unit)}`, sub(Number.isFinite(kpi.volatility.cv) ? `coefficient of variation ${formatNumber(kpi.volatility.cv, { digits: 2 })}` : null))
      : null,
  );
}

/**
 * Fills and opens `dialog` for the KPI named `name`. `onOpen(name)` switches
 * to another KPI (from the leaders and followers lists).
 */
export function openDetail(dialog, report, name, { horizon, onOpen }) {
  const kpi = (report.kpis ?? []).find((candidate) => candidate.name === name);
  if (!kpi) return;
  if (!dialog.open) {
    opener = document.activeElement;
    openerKey = opener?.dataset?.focusKey ?? null;
  }
  dialog.dataset.kpi = kpi.name;
  activeChart?.destroy();
  activeChart = null;

  const details = [kpi.department, kpi.owner ? `owner ${kpi.owner}` : null, kpi.focus ? `focus: ${kpi.focus}` : null].filter(Boolean);
  const chartHolder = h('div', { class: 'chart', role: 'img', 'aria-label': `Chart of ${kpi.name} over time, with its target zone, trend line and forecast` });
  const suggestions = (report.suggestions ?? []).filter((suggestion) => suggestion.kpi === kpi.name);
  const anomalies = Array.isArray(kpi.anomalies) ? kpi.anomalies : [];

  const close = h('button', { type: 'button', class: 'icon-button close', 'aria-label': 'Close', onclick: () => dialog.close() }, '✕');
  replace(
    dialog,
    h(
      'div',
      { class: 'detail' },
      h(
        'header',
        { class: 'detail-head' },
        h('div', {}, statusBadge(kpi), h('h2', { id: 'detail-title' }, kpi.name), details.length ? h('p', { class: 'muted' }, details.join(' · ')) : null),
        close,
      ),
      facts(report, kpi, horizon),
      h('section', { class: ['detail-section', 'detail-history'] }, h('h3', {}, 'History and forecast'), chartHolder),
      anomalies.length
        ? h(
            'section',
            { class: 'detail-section' },
            h('h3', {}, 'Anomalies'),
            h('ul', { class: 'anomalies' }, anomalies.map((anomaly) => h('li', {}, h('strong', {}, formatPeriod(anomaly.period)), ` ${formatValue(anomaly.value, kpi.unit)} — ${anomalyRule(anomaly.rule)}`))),
          )
        : null,
      h(
        'div',
        { class: 'detail-columns' },
        h('section', { class: 'detail-section' }, h('h3', {}, 'Leading indicators'), relationList(report, kpi, kpi.leaders, 'leaders', onOpen)),
        h('section', { class: 'detail-section' }, h('h3', {}, 'KPIs it moves ahead of'), relationList(report, kpi, kpi.followers, 'followers', onOpen)),
      ),
      suggestions.length
        ? h(
            'section',
            { class: 'detail-section' },
            h('h3', {}, 'Suggested key results'),
            h('ul', { class: 'detail-krs' }, suggestions.map((suggestion) => h('li', {}, h('strong', {}, suggestion.key_result), suggestion.because ? h('p', { class: 'muted' }, suggestion.because) : null))),
          )
        : null,
      numbersTable(kpi),
    ),
  );
  dialog.setAttribute('aria-labelledby', 'detail-title');
  if (!dialog.open) dialog.showModal();
  dialog.scrollTop = 0;
  close.focus();
  activeChart = historyChart(chartHolder, kpi);
}

/** Wires the dialog's close: the chart goes, and focus returns to where it was. */
export function setUpDetail(dialog) {
  dialog.addEventListener('close', () => {
    activeChart?.destroy();
    activeChart = null;
    replace(dialog);
    delete dialog.dataset.kpi;
    const again = opener?.isConnected
      ? opener
      : [...document.querySelectorAll('[data-focus-key]')].find((element) => element.dataset.focusKey === openerKey);
    again?.focus();
    opener = null;
    openerKey = null;
  });
  // A click on the backdrop (the dialog element itself, outside its content) closes it.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
}

/** Whether the detail of `name` is showing (to refresh it after an edit). */
export function detailShowing(dialog) {
  return dialog.open ? dialog.dataset.kpi ?? null : null;
}
