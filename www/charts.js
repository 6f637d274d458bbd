// Charts of given values: a small inline-SVG sparkline for the grid (one per
// KPI; a uPlot instance per row would be heavy for a sheet of 200 KPIs) and the
// uPlot history chart of the detail view. Every number drawn comes from the
// engine's report; only screen positions are computed here.

import uPlot from './vendor/uPlot.esm.js';
import { svg } from './dom.js';
import { formatPeriod, formatValue } from './format.js';

const LIGHT = {
  actual: '#1f4e79',
  trend: '#8a6d3b',
  rolling: '#7b8794',
  forecast: '#6a3fa0',
  interval: 'rgba(106, 63, 160, 0.12)',
  band: 'rgba(46, 125, 50, 0.10)',
  threshold: 'rgba(46, 125, 50, 0.75)',
  breached: '#c62828',
  anomaly: '#e65100',
  grid: '#e6e9ee',
  axis: '#5b6472',
  divider: '#b0b7c3',
  pointFill: '#ffffff',
};

// The canvas cannot read CSS variables, so dark mode has its own set.
const DARK = {
  actual: '#8cc4ff',
  trend: '#e0c07a',
  rolling: '#a3acb9',
  forecast: '#c6a4f5',
  interval: 'rgba(198, 164, 245, 0.16)',
  band: 'rgba(127, 214, 155, 0.12)',
  threshold: 'rgba(127, 214, 155, 0.8)',
  breached: '#ff8a80',
  anomaly: '#ffb74d',
  grid: '#2f3642',
  axis: '#a3acb9',
  divider: '#5b6472',
  pointFill: '#14181f',
};

function colours() {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? DARK : LIGHT;
}

/** The healthy zone of a target as [low, high]; an open side is ±Infinity. */
function healthyZone(target) {
  if (!target) return null;
  const finite = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  switch (target.kind) {
    case 'at_most':
      return finite(target.value) === null ? null : [-Infinity, target.value];
    case 'at_least':
      return finite(target.value) === null ? null : [target.value, Infinity];
    case 'between':
      return finite(target.low) === null || finite(target.high) === null ? null : [target.low, target.high];
    default:
      return null;
  }
}

/** The finite target thresholds, so the y range always shows them. */
function thresholds(target) {
  const zone = healthyZone(target);
  return zone ? zone.filter(Number.isFinite) : [];
}

function extent(numbers) {
  let low = Infinity;
  let high = -Infinity;
  for (const value of numbers) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (low === Infinity) return null;
  if (low === high) return [low - Math.abs(low || 1) * 0.1, high + Math.abs(high || 1) * 0.1];
  const pad = (high - low) * 0.08;
  return [low - pad, high + pad];
}

/**
 * A 120×32 sparkline of `kpi.spark` (the engine's sparkline points) with the
 * target's healthy zone shaded and the latest point marked. Returns an
 * <svg role="img"> with a spoken summary.
 */
export function sparkline(kpi, { width = 120, height = 32, label = '' } = {}) {
  const values = Array.isArray(kpi.spark) ? kpi.spark : [];
  const range = extent([...values, ...thresholds(kpi.target)]);
  const root = svg('svg', {
    class: 'sparkline',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': label,
    focusable: 'false',
  });
  if (!range || values.length === 0) return root;
  const [low, high] = range;
  const pad = 3;
  const x = (index) => pad + (values.length === 1 ? (width - 2 * pad) / 2 : (index * (width - 2 * pad)) / (values.length - 1));
  const y = (value) => pad + ((high - value) * (height - 2 * pad)) / (high - low);
  const clampY = (value) => Math.min(height, Math.max(0, y(Math.min(high, Math.max(low, value)))));

  const zone = healthyZone(kpi.target);
  if (zone) {
    const top = Number.isFinite(zone[1]) ? clampY(zone[1]) : 0;
    const bottom = Number.isFinite(zone[0]) ? clampY(zone[0]) : height;
    root.append(svg('rect', { class: 'spark-band', x: 0, y: top, width, height: Math.max(0, bottom - top) }));
    for (const threshold of zone.filter(Number.isFinite)) {
      root.append(svg('line', { class: 'spark-threshold', x1: 0, x2: width, y1: clampY(threshold), y2: clampY(threshold) }));
    }
  }

  // One path; a missing value lifts the pen so gaps stay visible.
  let path = '';
  let penDown = false;
  values.forEach((value, index) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      penDown = false;
      return;
    }
    path += `${penDown ? 'L' : 'M'}${x(index).toFixed(1)},${y(value).toFixed(1)}`;
    penDown = true;
  });
  if (path) root.append(svg('path', { class: 'spark-line', d: path }));

  let last = values.length - 1;
  while (last >= 0 && !(typeof values[last] === 'number' && Number.isFinite(values[last]))) last -= 1;
  if (last >= 0) {
    root.append(
      svg('circle', { class: `spark-last health-${kpi.health ?? 'unknown'}`, cx: x(last), cy: y(values[last]), r: 2.6 }),
    );
  }
  return root;
}

/** Values at the listed indices, null elsewhere: the points that get a marker. */
function markersAt(length, indices, values) {
  const series = new Array(length).fill(null);
  for (const index of indices) if (index >= 0 && index < length) series[index] = values[index] ?? null;
  return series;
}

function padTo(array, length) {
  const padded = Array.isArray(array) ? array.slice(0, length) : [];
  while (padded.length < length) padded.push(null);
  return padded.map((value) => (typeof value === 'number' && Number.isFinite(value) ? value : null));
}

/**
 * The history chart of one KPI (its full entry, from the engine's detail,
 * over the report's `periods`): values, the OLS trend line, the rolling mean
 * (hidden until chosen in the legend), the forecast path with its interval,
 * the target's healthy zone, breached periods and the recent anomalies
 * (`recentAnomalies`, periods) marked.
 * Returns `{chart, destroy}`; the chart follows its container's width.
 */
export function historyChart(container, kpi, { periods: labels = [], recentAnomalies = null } = {}) {
  const COLOURS = colours();
  const periods = Array.isArray(labels) ? labels.map(String) : [];
  const values = Array.isArray(kpi.values) ? kpi.values : [];
  const path = Array.isArray(kpi.forecast?.path) ? kpi.forecast.path : [];
  const allPeriods = [...periods, ...path.map((point) => String(point.period))];
  const length = allPeriods.length;
  const count = periods.length;
  const unit = kpi.unit ?? null;

  const actual = padTo(values, length);
  const trend = padTo(kpi.trend?.fitted, count).concat(new Array(length - count).fill(null));
  const rolling = padTo(kpi.rolling_mean, count).concat(new Array(length - count).fill(null));
  const forecast = new Array(length).fill(null);
  const low = new Array(length).fill(null);
  const high = new Array(length).fill(null);
  path.forEach((point, offset) => {
    forecast[count + offset] = point.value ?? null;
    low[count + offset] = point.low ?? null;
    high[count + offset] = point.high ?? null;
  });
  // The forecast path starts after the last period: join it to the last
  // value shown, and let the interval fan out from there.
  const lastShown = count > 0 ? actual[count - 1] : null;
  if (path.length > 0 && lastShown !== null) {
    forecast[count - 1] = lastShown;
    low[count - 1] = lastShown;
    high[count - 1] = lastShown;
  }

  const status = Array.isArray(kpi.status) ? kpi.status : [];
  const breachedIndices = status.flatMap((state, index) => (state === 'breached' ? [index] : []));
  // Only the recent anomalies are marked (the engine says which): old ones
  // are listed with the numbers, not ringed on a healthy KPI's chart.
  const anomalyPeriods = new Set(
    Array.isArray(recentAnomalies) ? recentAnomalies.map(String) : (kpi.anomalies ?? []).map((anomaly) => String(anomaly.period)),
  );
  const anomalyIndices = periods.flatMap((period, index) => (anomalyPeriods.has(period) ? [index] : []));

  const hasTrend = trend.some((value) => value !== null);
  const hasRolling = rolling.some((value) => value !== null);
  const hasForecast = path.length > 0;
  const zone = healthyZone(kpi.target);

  const show = (value) => formatValue(value, unit);
  const noLine = () => null;
  const series = [
    { label: 'Period', value: (chart, index) => (index === null || index === undefined ? '—' : formatPeriod(allPeriods[index])) },
    { label: 'Value', stroke: COLOURS.actual, width: 2, value: (chart, value) => show(value), points: { size: 5, fill: COLOURS.actual } },
  ];
  const data = [allPeriods.map((_, index) => index), actual];
  if (hasTrend) {
    series.push({ label: 'Trend', stroke: COLOURS.trend, width: 1.5, dash: [6, 4], value: (chart, value) => show(value), points: { show: false } });
    data.push(trend);
  }
  if (hasRolling) {
    series.push({ label: 'Rolling mean', show: false, stroke: COLOURS.rolling, width: 1.5, value: (chart, value) => show(value), points: { show: false } });
    data.push(rolling);
  }
  let bandPair = null;
  if (hasForecast) {
    series.push({ label: 'Forecast', stroke: COLOURS.forecast, width: 2, dash: [3, 3], value: (chart, value) => show(value), points: { size: 4, fill: COLOURS.pointFill } });
    data.push(forecast);
    const highIndex = series.length;
    series.push({ label: 'Interval high', stroke: 'transparent', width: 0, value: (chart, value) => show(value), points: { show: false } });
    data.push(high);
    series.push({ label: 'Interval low', stroke: 'transparent', width: 0, value: (chart, value) => show(value), points: { show: false } });
    data.push(low);
    bandPair = [highIndex, highIndex + 1];
  }
  if (breachedIndices.length > 0) {
    series.push({
      label: 'Breached',
      stroke: COLOURS.breached,
      paths: noLine,
      value: (chart, value) => (value === null ? '—' : 'yes'),
      points: { show: true, size: 8, width: 0, fill: COLOURS.breached, stroke: COLOURS.breached },
    });
    data.push(markersAt(length, breachedIndices, actual));
  }
  if (anomalyIndices.length > 0) {
    series.push({
      label: 'Anomaly',
      stroke: COLOURS.anomaly,
      paths: noLine,
      value: (chart, value) => (value === null ? '—' : 'yes'),
      points: { show: true, size: 15, width: 2, fill: 'transparent', stroke: COLOURS.anomaly },
    });
    data.push(markersAt(length, anomalyIndices, actual));
  }

  const yRange = (chart, dataMin, dataMax) => {
    const range = extent([dataMin, dataMax, ...thresholds(kpi.target), ...low, ...high]);
    return range ?? [0, 1];
  };

  const drawTargetZone = (chart) => {
    if (!zone) return;
    const { ctx } = chart;
    const { left, top, width, height } = chart.bbox;
    const toY = (value) => chart.valToPos(value, 'y', true);
    const upper = Number.isFinite(zone[1]) ? Math.max(top, Math.min(top + height, toY(zone[1]))) : top;
    const lower = Number.isFinite(zone[0]) ? Math.max(top, Math.min(top + height, toY(zone[0]))) : top + height;
    ctx.save();
    ctx.fillStyle = COLOURS.band;
    ctx.fillRect(left, upper, width, lower - upper);
    ctx.strokeStyle = COLOURS.threshold;
    ctx.lineWidth = uPlot.pxRatio;
    ctx.setLineDash([4 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
    for (const threshold of zone.filter(Number.isFinite)) {
      const at = toY(threshold);
      if (at < top || at > top + height) continue;
      ctx.beginPath();
      ctx.moveTo(left, at);
      ctx.lineTo(left + width, at);
      ctx.stroke();
    }
    ctx.restore();
  };

  const drawNowDivider = (chart) => {
    if (!hasForecast || count === 0) return;
    const { ctx } = chart;
    const { top, height } = chart.bbox;
    const at = chart.valToPos(count - 0.5, 'x', true);
    ctx.save();
    ctx.strokeStyle = COLOURS.divider;
    ctx.lineWidth = uPlot.pxRatio;
    ctx.setLineDash([2 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
    ctx.beginPath();
    ctx.moveTo(at, top);
    ctx.lineTo(at, top + height);
    ctx.stroke();
    ctx.restore();
  };

  const axisFont = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const options = {
    width: Math.max(280, container.clientWidth || 600),
    height: container.clientWidth < 500 ? 220 : 300,
    series,
    bands: bandPair ? [{ series: bandPair, fill: COLOURS.interval }] : [],
    scales: { x: { time: false, range: (chart, min, max) => [min - 0.5, max + 0.5] }, y: { range: yRange } },
    axes: [
      {
        stroke: COLOURS.axis,
        font: axisFont,
        grid: { stroke: COLOURS.grid, width: 1 },
        ticks: { stroke: COLOURS.grid },
        incrs: [1, 2, 3, 4, 6, 12, 24, 52, 104],
        space: 56,
        values: (chart, splits) => splits.map((index) => (Number.isInteger(index) ? formatPeriod(allPeriods[index], { short: true }) : '')),
      },
      {
        stroke: COLOURS.axis,
        font: axisFont,
        size: 64,
        grid: { stroke: COLOURS.grid, width: 1 },
        ticks: { stroke: COLOURS.grid },
        values: (chart, splits) => splits.map((value) => show(value)),
      },
    ],
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    legend: { live: true },
    hooks: { drawClear: [drawTargetZone], draw: [drawNowDivider] },
  };

  const chart = new uPlot(options, data, container);
  const observer = new ResizeObserver(() => {
    const width = Math.max(280, container.clientWidth);
    if (Math.abs(width - chart.width) > 1) chart.setSize({ width, height: width < 500 ? 220 : 300 });
  });
  observer.observe(container);
  return {
    chart,
    destroy() {
      observer.disconnect();
      chart.destroy();
    },
  };
}
