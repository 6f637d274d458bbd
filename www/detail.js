// The detail view of one KPI, in a modal <dialog>: what the engine says of
// it in plain sentences first (status, trend, forecast, recent anomalies),
// the history chart, its leading and lagging KPIs and its suggested key
// results; the numbers behind the sentences wait behind "Show the
// statistics" and "Show the numbers". Escape closes it (the dialog's own
// behaviour). The KPI's full series come from the engine when the view
// opens (the report the grid shows holds a sparkline's worth).

import { h, replace } from './dom.js';
import { historyChart } from './charts.js';
import { statusBadge } from './grid.js';
import {
  DIRECTION,
  DIRECTION_SOURCE,
  VERDICT,
  anomalyRule,
  chancePercent,
  formatChange,
  formatDelta,
  formatNumber,
  formatPeriod,
  formatQ,
  formatR,
  formatTarget,
  formatValue,
  periodCount,
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

/** The report's plain sentence for a pair, else its explanation. */
function pairSentence(report, leader, follower) {
  const pairs = Array.isArray(report.lead_lag) ? report.lead_lag : [];
  const index = pairs.findIndex((entry) => entry.leader === leader && entry.follower === follower);
  if (index < 0) return { sentence: null, pair: null };
  return { sentence: report.pair_words?.[index] ?? pairs[index].explanation ?? null, pair: pairs[index] };
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
      const { sentence } = role === 'leaders' ? pairSentence(report, relation.kpi, kpi.name) : pairSentence(report, kpi.name, relation.kpi);
      const lag = Number.isInteger(relation.lag) ? periodCount(relation.lag, frequency) : '';
      return h(
        'li',
        {},
        h('button', { type: 'button', class: 'link-button relation-name', onclick: () => onOpen(relation.kpi) }, relation.kpi),
        h('span', { class: 'relation-stats' }, ` ${role === 'leaders' ? 'leads' : 'follows'} by ${lag} · ${formatR(relation.r)} · q = ${formatQ(relation.q_value)}`),
        sentence ? h('p', { class: 'explanation' }, sentence) : null,
      );
    }),
  );
}

/** Rows of the numbers table built per frame: a daily KPI has thousands. */
const ROWS_PER_FRAME = 400;

/** "Show the numbers": the table is built when it is opened, a slice per frame. */
function numbersTable(kpi, periods) {
  const anomalies = new Map((kpi.anomalies ?? []).map((anomaly) => [String(anomaly.period), anomaly.rule]));
  const hasStatus = Array.isArray(kpi.status);
  const history = Array.isArray(kpi.target_history) ? kpi.target_history : null;
  const row = (period, index) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, formatPeriod(period)),
      h('td', { class: 'num' }, formatValue(kpi.values?.[index], kpi.unit, { compact: false })),
      history ? h('td', { class: 'num' }, formatValue(history[index], kpi.unit, { compact: false })) : null,
      hasStatus ? h('td', {}, kpi.status[index] === 'breached' ? '✕ breached' : kpi.status[index] === 'met' ? '✓ met' : '—') : null,
      h('td', {}, anomalies.get(String(period)) ? `Unusual: ${anomalyRule(anomalies.get(String(period)))}` : ''),
    );
  const body = h('tbody');
  let built = 0;
  const buildSome = () => {
    if (!body.isConnected) return;
    const end = Math.min(periods.length, built + ROWS_PER_FRAME);
    body.append(...periods.slice(built, end).map((period, offset) => row(period, built + offset)));
    built = end;
    if (built < periods.length) requestAnimationFrame(buildSome);
  };
  const details = h(
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
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Period'),
            h('th', { scope: 'col', class: 'num' }, 'Value'),
            history ? h('th', { scope: 'col', class: 'num' }, 'Plan') : null,
            hasStatus ? h('th', { scope: 'col' }, 'Target') : null,
            h('th', { scope: 'col' }, 'Note'),
          ),
        ),
        body,
      ),
    ),
  );
  details.addEventListener('toggle', () => {
    if (details.open && built === 0) buildSome();
  });
  return details;
}

/** The numbers behind the sentences, for a person who wants them. */
function statistics(report, kpi) {
  const frequency = report.source?.frequency;
  const unit = kpi.unit;
  const trend = kpi.trend ?? {};
  const perPeriod = periodCount(1, frequency).replace(/^1 /, '');
  const breach = kpi.breach ?? {};
  const forecast = kpi.forecast ?? {};
  const significance = trend.significance ?? null;
  const join = (parts) => parts.filter(Boolean).join(' · ');
  return h(
    'details',
    { class: 'statistics' },
    h('summary', {}, 'Show the statistics'),
    h(
      'dl',
      { class: 'facts' },
      fact('Latest', h('strong', {}, formatValue(kpi.latest, unit, { compact: false })), sub(Number.isFinite(kpi.previous) ? `previous ${formatValue(kpi.previous, unit, { compact: false })}` : null)),
      fact('Change', formatChange(kpi.change, kpi.change_pct, unit), sub(Number.isFinite(kpi.yoy_change) ? `year over year ${formatChange(kpi.yoy_change, kpi.yoy_change_pct, unit)}` : null)),
      fact('Target', kpi.target ? formatTarget(kpi.target, unit) : 'None', sub(kpi.target?.source ? targetSource(kpi.target.source) : kpi.suggested_target ? `suggested ${formatTarget(kpi.suggested_target, unit)}${kpi.suggested_target.basis ? ` (${kpi.suggested_target.basis})` : ''}` : null)),
      fact('Direction', DIRECTION[kpi.direction] ?? '—', sub(DIRECTION_SOURCE[kpi.direction_source] ?? null)),
      fact(
        'Trend',
        VERDICT[trend.verdict]?.word ?? '—',
        sub(
          join([
            Number.isFinite(trend.ols_slope) ? `OLS ${formatDelta(trend.ols_slope, unit)} per ${perPeriod} (R² ${formatNumber(trend.r2, { digits: 2 })})` : null,
            Number.isFinite(trend.theil_sen_slope) ? `Theil–Sen ${formatNumber(trend.theil_sen_slope, { signed: true })}` : null,
            Number.isFinite(trend.mann_kendall?.p_value) ? `Mann–Kendall τ ${formatNumber(trend.mann_kendall.tau, { digits: 2 })}, p ${formatQ(trend.mann_kendall.p_value)}` : null,
            significance && Number.isFinite(significance.p_value) ? `pre-whitened test p ${formatQ(significance.p_value)}` : null,
            significance && Number.isFinite(significance.lag1_autocorrelation) ? `lag-1 autocorrelation ${formatNumber(significance.lag1_autocorrelation, { digits: 2 })}` : null,
            trend.wanders ? 'wanders like a random walk' : null,
          ]),
        ),
      ),
      fact(
        'Series',
        join([kpi.seasonal === true ? 'seasonal' : kpi.seasonal === false ? 'no seasonal pattern' : null, kpi.stationarity ? `lead/lag on its ${kpi.stationarity === 'differenced' ? 'changes' : 'levels'}` : null]) || '—',
      ),
      fact(
        'Breaches',
        kpi.target ? (breach.latest_breached ? `Breached, ${periodCount(breach.streak ?? 0, frequency)} in a row` : 'Within target now') : '—',
        sub(
          kpi.target
            ? join([
                Number.isInteger(breach.count) ? `${breach.count} breached in all` : null,
                Number.isFinite(breach.margin) ? `margin ${formatDelta(breach.margin, unit)}${Number.isFinite(breach.margin_sd) ? ` (${formatNumber(breach.margin_sd, { signed: true, digits: 1 })} sd)` : ''}` : null,
              ])
            : null,
        ),
      ),
      fact(
        'Forecast',
        forecast.model ? String(forecast.model) : forecast.crossing_period ? formatPeriod(forecast.crossing_period) : '—',
        sub(
          join([
            forecast.crossing_period ? `crossing ${formatPeriod(forecast.crossing_period)}` : null,
            forecast.earliest_period || forecast.latest_period
              ? `interval ${forecast.earliest_period ? formatPeriod(forecast.earliest_period) : 'now'} to ${forecast.latest_period ? formatPeriod(forecast.latest_period) : 'beyond the horizon'}`
              : null,
            Number.isFinite(forecast.breach_probability) ? `breach probability ${formatNumber(forecast.breach_probability, { digits: 3 })} (${chancePercent(forecast.breach_probability)})` : null,
          ]),
        ),
      ),
      kpi.volatility
        ? fact('Volatility', `sd ${unit === '%' ? `${formatNumber(kpi.volatility.sd)} pp` : formatValue(kpi.volatility.sd, unit)}`, sub(Number.isFinite(kpi.volatility.cv) ? `coefficient of variation ${formatNumber(kpi.volatility.cv, { digits: 2 })}` : null))
        : null,
    ),
  );
}

/** The sentences: from the engine when it sent them, else only what the report says outright. */
function sentences(kpi, words, onDirection) {
  const items = words
    ? [
        ['status', words.status],
        ['trend', words.trend],
        ['forecast', words.forecast],
        ['anomalies', words.anomalies],
      ].filter(([, text]) => typeof text === 'string' && text)
    : [];
  const assumed = kpi.direction_source === 'default';
  return h(
    'div',
    { class: 'words' },
    items.length ? h('ul', { class: 'sentences' }, items.map(([key, text]) => h('li', { class: `sentence-${key}` }, text))) : null,
    assumed
      ? h(
          'div',
          { class: 'ask-direction', role: 'group', 'aria-label': 'Which way is better?' },
          h('p', {}, h('strong', {}, 'Which way is better? '), `Nothing in the file says; ${kpi.direction === 'lower_is_better' ? 'lower' : 'higher'} was assumed, so no change is called better or worse yet.`),
          h('button', { type: 'button', class: 'secondary small', onclick: () => onDirection(kpi.name, 'higher_is_better') }, 'Higher is better'),
          ' ',
          h('button', { type: 'button', class: 'secondary small', onclick: () => onDirection(kpi.name, 'lower_is_better') }, 'Lower is better'),
        )
      : null,
  );
}

/**
 * Fills and opens `dialog` with `detail`, the engine's `{kpi, words}` for a
 * KPI of `report` (its full entry and its sentences; the period labels are
 * `report.periods`). `onOpen(name)` switches to another KPI;
 * `onDirection(name, direction)` answers "Which way is better?".
 */
export function openDetail(dialog, report, { kpi, words = null }, { onOpen, onDirection }) {
  if (!kpi) return;
  const periods = Array.isArray(report.periods) ? report.periods : [];
  if (!dialog.open) {
    opener = document.activeElement;
    openerKey = opener?.dataset?.focusKey ?? null;
  }
  dialog.dataset.kpi = kpi.name;
  activeChart?.destroy();
  activeChart = null;

  const details = [kpi.entity, kpi.department, kpi.owner ? `owner ${kpi.owner}` : null, kpi.focus ? `focus: ${kpi.focus}` : null].filter(
    (part, index, all) => part && all.indexOf(part) === index,
  );
  const chartHolder = h('div', { class: 'chart', role: 'img', 'aria-label': `Chart of ${kpi.name} over time, with its target zone, trend line and forecast` });
  const suggestions = (report.suggestions ?? []).filter((suggestion) => suggestion.kpi === kpi.name);
  const recent = Array.isArray(words?.recent_anomalies) ? words.recent_anomalies : null;
  const earlier = (kpi.anomalies ?? []).filter((anomaly) => !recent || !recent.includes(anomaly.period));

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
      sentences(kpi, words, onDirection),
      h('section', { class: ['detail-section', 'detail-history'] }, h('h3', {}, 'History and forecast'), chartHolder, recent && earlier.length ? h('p', { class: 'muted small' }, `Only the recent unusual values are ringed; ${earlier.length} earlier ${earlier.length === 1 ? 'one is' : 'ones are'} noted in the numbers.`) : null),
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
      statistics(report, kpi),
      numbersTable(kpi, periods),
    ),
  );
  dialog.setAttribute('aria-labelledby', 'detail-title');
  if (!dialog.open) dialog.showModal();
  dialog.scrollTop = 0;
  close.focus();
  activeChart = historyChart(chartHolder, kpi, { periods, recentAnomalies: recent });
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
