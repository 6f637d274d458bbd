// Words and number formats for what the engine reports. Nothing here computes
// a statistic: it only turns given values into text for people.

const LOCALE = 'en-US'; // the engine writes its sentences with '.' decimals; match them

const PREFIX_UNITS = new Set(['$', '£', '¥', '₹', 'US$', 'A$', 'C$']);

/** Digits after the point by magnitude, so 1,170 ms, 61.2 % and 0.045 all read well. */
function fractionDigits(value) {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return 0;
  if (magnitude >= 10) return 1;
  if (magnitude >= 1) return 2;
  return 3;
}

// One formatter per (digits, signed): building an Intl.NumberFormat costs far
// more than using one, and a 500-KPI grid formats thousands of numbers.
const formatters = new Map();

function numberFormat(digits, signed) {
  const key = `${digits}:${signed}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, {
      maximumFractionDigits: digits,
      minimumFractionDigits: 0,
      signDisplay: signed ? 'exceptZero' : 'auto',
    });
    formatters.set(key, format);
  }
  return format;
}

const COMPACT = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
];

/**
 * A number alone, e.g. "1,170" or "7.5"; from a million on compact, "10.6 B"
 * (`compact: false` writes every digit); "—" when missing.
 */
export function formatNumber(value, { signed = false, digits, compact = true } = {}) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (compact && magnitude >= 1e6) {
    const [scale, suffix] = COMPACT.find(([size]) => magnitude >= size);
    const scaled = value / scale;
    const text = numberFormat(Math.abs(scaled) >= 100 ? 0 : 1, Boolean(signed)).format(scaled);
    return `${text.replace('-', '−')} ${suffix}`;
  }
  const text = numberFormat(digits ?? fractionDigits(value), Boolean(signed)).format(value);
  return text.replace('-', '−');
}

/** A number with its unit: "$412", "7.5%", "1,170 ms". */
export function formatValue(value, unit, options = {}) {
  const number = formatNumber(value, options);
  if (number === '—' || !unit) return number;
  if (unit === '%') return `${number}%`;
  if (PREFIX_UNITS.has(unit)) {
    return number.startsWith('−') || number.startsWith('+') ? `${number[0]}${unit}${number.slice(1)}` : `${unit}${number}`;
  }
  return `${number} ${unit}`;
}

/** "+0.8 pp (+7.9%)": the absolute change with its unit, then the relative one. */
export function formatChange(change, changePct, unit) {
  if (change === null || change === undefined) return '—';
  const absolute = formatDelta(change, unit);
  if (changePct === null || changePct === undefined || !Number.isFinite(changePct)) return absolute;
  return `${absolute} (${formatNumber(changePct, { signed: true, digits: 1 })}%)`;
}

/** Whether a change is good news for this KPI: 1, -1 or 0. Reads signs only. */
export function changeTone(change, direction, directionSource) {
  if (!change || directionSource === 'default') return 0; // an assumed direction is never called better or worse
  const up = change > 0 ? 1 : -1;
  return direction === 'lower_is_better' ? -up : up;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2024-01" → "Jan 2024", "2024-Q1" → "Q1 2024"; anything else as given. */
export function formatPeriod(period, { short = false } = {}) {
  if (period === null || period === undefined) return '—';
  const text = String(period);
  const month = /^(\d{4})-(\d{2})$/.exec(text);
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12) {
    const name = MONTHS[Number(month[2]) - 1];
    return short ? `${name} ${month[1].slice(2)}` : `${name} ${month[1]}`;
  }
  const quarter = /^(\d{4})-Q([1-4])$/.exec(text);
  if (quarter) return short ? `Q${quarter[2]} ${quarter[1].slice(2)}` : `Q${quarter[2]} ${quarter[1]}`;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day && Number(day[2]) >= 1 && Number(day[2]) <= 12) {
    const name = MONTHS[Number(day[2]) - 1];
    return short ? `${Number(day[3])} ${name}` : `${Number(day[3])} ${name} ${day[1]}`;
  }
  return text;
}

/** A target for reading: "≤ 7.5%", "≥ 70", "70–80%". */
export function formatTarget(target, unit) {
  if (!target || typeof target !== 'object') return typeof target === 'string' ? target : '—';
  switch (target.kind) {
    case 'at_most':
      return `≤ ${formatValue(target.value, unit)}`;
    case 'at_least':
      return `≥ ${formatValue(target.value, unit)}`;
    case 'between':
      return `${formatValue(target.low, unit)} – ${formatValue(target.high, unit)}`;
    default:
      return '—';
  }
}

/** A target as text the engine's target parser reads back: "<= 7.5", ">= 70", "95-105". */
export function targetToText(target) {
  if (!target || typeof target !== 'object') return '';
  const plain = (value) => (value === null || value === undefined ? '' : String(value));
  switch (target.kind) {
    case 'at_most':
      return `<= ${plain(target.value)}`;
    case 'at_least':
      return `>= ${plain(target.value)}`;
    case 'between':
      return target.low >= 0 ? `${plain(target.low)}-${plain(target.high)}` : `between ${plain(target.low)} and ${plain(target.high)}`;
    default:
      return '';
  }
}

/** The health states, worst first; each has a word and an icon, never colour alone. */
export const HEALTH = {
  breached: { word: 'Breached', icon: '✕', rank: 0, help: 'The latest value is outside the target.' },
  at_risk: { word: 'At risk', icon: '!', rank: 1, help: 'Inside the target, but heading for a breach.' },
  recovering: { word: 'Recovering', icon: '↺', rank: 2, help: 'Outside the target, but improving and projected back within it.' },
  healthy: { word: 'Healthy', icon: '✓', rank: 3, help: 'Inside the target and not heading out of it.' },
  no_target: { word: 'No target', icon: '–', rank: 4, help: 'No target is set; set one to get a status.' },
};

export function health(kpi) {
  return HEALTH[kpi?.health] ?? { word: String(kpi?.health ?? 'Unknown'), icon: '?', rank: 5, help: '' };
}

export const VERDICT = {
  improving: { word: 'Improving', rank: 2 },
  worsening: { word: 'Worsening', rank: 0 },
  flat: { word: 'Flat', rank: 1 },
};

/** The page's one arrow vocabulary: which way a number moves (never whether that is good). */
export function movement(value) {
  if (!Number.isFinite(value) || value === 0) return { arrow: '→', word: 'flat' };
  return value > 0 ? { arrow: '↗', word: 'rising' } : { arrow: '↘', word: 'falling' };
}

/**
 * The trend in a word and an arrow: `{arrow, word, judged}`. The arrow is the
 * engine's `slope_sign`; the word is the engine's verdict, except on an assumed
 * direction, where it only says rising or falling (`judged` false).
 */
export function trendWords(kpi) {
  const trend = kpi?.trend ?? {};
  const verdict = trend.verdict;
  if (!VERDICT[verdict] || verdict === 'flat' || trend.wanders) return { arrow: '→', word: 'Flat', judged: Boolean(VERDICT[verdict]) };
  const { arrow, word } = movement(trend.slope_sign);
  if (kpi.direction_source === 'default') return { arrow, word: word === 'rising' ? 'Rising' : 'Falling', judged: false };
  return { arrow, word: VERDICT[verdict].word, judged: true };
}

export const DIRECTION = {
  higher_is_better: 'Higher is better',
  lower_is_better: 'Lower is better',
};

export const DIRECTION_SOURCE = {
  user: 'set by you',
  metadata: 'from the metadata',
  target: 'from the target',
  name: 'guessed from the name',
  sign: 'from the sign of the values',
  default: 'assumed',
};

export const LAYOUT = {
  wide_rows: 'One row per KPI, periods across',
  wide_columns: 'One column per KPI, periods down',
  long: 'Long table: one row per period and KPI',
};

export const FREQUENCY = {
  daily: 'Daily',
  weekly: 'Weekly',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  yearly: 'Yearly',
  irregular: 'Irregular',
};

const PERIOD_WORDS = {
  daily: ['day', 'days'],
  weekly: ['week', 'weeks'],
  monthly: ['month', 'months'],
  quarterly: ['quarter', 'quarters'],
  yearly: ['year', 'years'],
};

/** "3 months", "1 quarter", "2 periods". */
export function periodCount(count, frequency) {
  const [one, many] = PERIOD_WORDS[frequency] ?? ['period', 'periods'];
  return `${count} ${count === 1 ? one : many}`;
}

/** Forecast horizons to offer, in periods, by frequency; the first is the engine's default (one quarter). */
export const HORIZONS = {
  daily: [91, 30, 182, 365],
  weekly: [13, 4, 26, 52],
  monthly: [3, 1, 6, 12],
  quarterly: [1, 2, 4],
  yearly: [1, 2, 3],
  irregular: [1, 2, 4],
};

/**
 * The forecast in words: `{short, sentence, ahead}`. `short` fits the grid
 * ("Breach by Feb 2025"), `sentence` the detail view, `ahead` is "in 2 months".
 */
export function forecastWords(kpi, frequency, horizon) {
  if (!kpi.target) return { short: '—', sentence: 'No target, so nothing to forecast against.', ahead: '', chance: '' };
  const forecast = kpi.forecast ?? {};
  const breached = forecast.kind ? forecast.kind === 'recovery' : Boolean(kpi.breach?.latest_breached);
  const ahead = Number.isInteger(forecast.periods_ahead) ? `in ${periodCount(forecast.periods_ahead, frequency)}` : '';
  const probability = forecast.breach_probability;
  // The breach probability said as a chance, for a KPI inside its target.
  const chance = !breached && Number.isFinite(probability) ? `${chancePercent(probability)} chance of a breach` : '';
  if (forecast.crossing_period) {
    const when = formatPeriod(forecast.crossing_period);
    return breached
      ? { short: `Back within by ${when}`, sentence: `Projected back within target by ${when}${ahead ? ` (${ahead})` : ''}.`, ahead, chance }
      : { short: `Breach by ${when}`, sentence: `Projected to breach the target by ${when}${ahead ? ` (${ahead})` : ''}.`, ahead, chance };
  }
  const within = horizon ? periodCount(horizon, frequency) : 'the horizon';
  return breached
    ? { short: `Not back within ${within}`, sentence: `Not projected back within target in the next ${within}.`, ahead: '', chance }
    : { short: `No breach in ${within}`, sentence: `No breach projected in the next ${within}.`, ahead: '', chance };
}

/** "62%", "<1%", ">99%": a probability as a share of a hundred. */
export function chancePercent(probability) {
  if (probability < 0.01) return '<1%';
  if (probability > 0.99) return '>99%';
  return `${Math.round(probability * 100)}%`;
}

/** A change in the KPI's own unit: percentage points for a % KPI. */
export function formatDelta(value, unit, options = {}) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (unit === '%') return `${formatNumber(value, { signed: true, ...options })} pp`;
  return formatValue(value, unit, { signed: true, ...options });
}

const ANOMALY_RULES = {
  above_control_limit: 'above the control limit (median + 3 robust sd)',
  below_control_limit: 'below the control limit (median − 3 robust sd)',
  run_above_centre: 'part of a run of 8 or more above the centre line',
  run_below_centre: 'part of a run of 8 or more below the centre line',
};

/** The engine's anomaly rule name as words. */
export function anomalyRule(rule) {
  return ANOMALY_RULES[rule] ?? String(rule ?? '').replace(/_/g, ' ');
}

/** Where a target came from, as a short phrase: "from metadata sheet 'Targets'", "set by you". */
export function targetSource(source) {
  if (!source) return '';
  return source === 'user' ? 'set by you' : `from ${source}`;
}

/** "r = −0.62" */
export function formatR(r) {
  return Number.isFinite(r) ? `r = ${r.toFixed(2).replace('-', '−')}` : 'r = —';
}

/** q-values: small ones in scientific notation so they do not read as zero. */
export function formatQ(q) {
  if (q === null || q === undefined || !Number.isFinite(q)) return '—';
  if (q < 0.001) return q.toExponential(1).replace('-', '−');
  return q.toFixed(3);
}

/** A number in the form the engine's target parser accepts (no grouping, '.' decimals). */
export function plainNumber(value) {
  return Number.isFinite(value) ? String(value) : '';
}
