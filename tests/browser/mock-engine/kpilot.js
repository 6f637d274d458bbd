// A stand-in for the wasm-bindgen module `www/pkg/kpilot.js`, for working on
// the page before (or without) an engine build: it answers with
// tests/browser/mock-report.json. Only `tests/browser/dev-mock.mjs` serves it;
// the real page never loads it, and the browser tests use the real engine.

let base = null;

export default async function init() {
  const response = await fetch('/mock/mock-report.json');
  base = await response.json();
}

const clone = (value) => JSON.parse(JSON.stringify(value));

function parseTarget(text) {
  const t = text.trim().toLowerCase();
  let m;
  if ((m = /^(<=|≤|<)\s*(-?[\d.]+)$/.exec(t))) return { kind: 'at_most', value: Number(m[2]), low: null, high: null, source: 'user' };
  if ((m = /^(>=|≥|>)\s*(-?[\d.]+)$/.exec(t))) return { kind: 'at_least', value: Number(m[2]), low: null, high: null, source: 'user' };
  if ((m = /^(?:between\s+)?(-?[\d.]+)\s*(?:-|and|–)\s*(-?[\d.]+)$/.exec(t))) return { kind: 'between', value: null, low: Number(m[1]), high: Number(m[2]), source: 'user' };
  if ((m = /^(-?[\d.]+)$/.exec(t))) return { kind: 'at_most', value: Number(m[1]), low: null, high: null, source: 'user' };
  throw new Error(`Could not read '${text}' as a target: write it like "<= 7.5", ">= 70" or "95-105".`);
}

function met(target, value) {
  if (!target || value === null) return null;
  if (target.kind === 'at_most') return value <= target.value ? 'met' : 'breached';
  if (target.kind === 'at_least') return value >= target.value ? 'met' : 'breached';
  return value >= target.low && value <= target.high ? 'met' : 'breached';
}

function refresh(kpi) {
  kpi.status = kpi.values.map((value) => met(kpi.target, value));
  const breached = kpi.status[kpi.status.length - 1] === 'breached';
  kpi.breach = { ...kpi.breach, latest_breached: breached };
  kpi.health = !kpi.target ? 'no_target' : breached ? 'breached' : 'healthy';
}

/** The lean entry of a full one (what the engine's report holds per KPI). */
function lean(kpi) {
  const values = kpi.values ?? [];
  const present = values.map((value, index) => (value === null ? -1 : index)).filter((index) => index >= 0);
  const { periods, values: _values, status, rolling_mean, anomalies, leaders, followers, ...rest } = kpi;
  return {
    ...rest,
    first: present.length ? values[present[0]] : null,
    latest_period: present.length ? present.at(-1) : null,
    trend: { verdict: kpi.trend?.verdict, wanders: kpi.trend?.wanders ?? false, ols_slope: kpi.trend?.ols_slope ?? 0, theil_sen_slope: kpi.trend?.theil_sen_slope ?? 0 },
    forecast: { ...kpi.forecast, path: undefined },
    spark: values.slice(-120),
  };
}

function headline(data) {
  const breached = data.kpis.filter((kpi) => kpi.health === 'breached').map((kpi) => kpi.name);
  return breached.length ? `${breached.length} of ${data.kpis.length} KPIs are breached: ${breached.join(', ')}.` : `None of the ${data.kpis.length} KPIs is breached.`;
}

/** The mock has no sheet to show: the page's "Check how we read your file" says so. */
export function previewSheet() {
  throw new Error('The mock engine has no sheet preview.');
}

/** As the engine's staged open: read, analyse, scan, finish. */
export class Opening {
  static read(bytes, name, sheet) {
    const opening = new Opening();
    opening.session = Session.open(bytes, name, sheet);
    return opening;
  }
  kpis() {
    return this.session.data.kpis.length;
  }
  periods() {
    return this.session.data.kpis[0]?.periods?.length ?? 0;
  }
  pairs() {
    return this.kpis() * (this.kpis() - 1);
  }
  analyseKpis() {}
  scanLeadLag() {}
  finish() {
    return this.session;
  }
  free() {}
}

export class Session {
  static open(bytes, name, sheet) {
    if (!(bytes instanceof Uint8Array)) throw new Error('bytes must be a Uint8Array');
    if (/truncated|random|bad/i.test(name)) throw new Error(`${name}: not a spreadsheet the engine can read (the zip archive is truncated).`);
    const session = new Session();
    session.data = clone(base);
    session.data.source.file = name;
    if (sheet) session.data.source.sheet = sheet;
    return session;
  }
  /** As the engine: the lean report as JSON text, only the significant lead/lag pairs. */
  report() {
    const report = clone(this.data);
    report.periods = report.kpis[0]?.periods ?? [];
    report.kpis = report.kpis.map(lean);
    report.lead_lag_tested = report.lead_lag.length;
    report.lead_lag = report.lead_lag.filter((pair) => pair.significant === true);
    report.headline = headline(this.data);
    return JSON.stringify(report);
  }
  /** A KPI in full, without its periods, and no sentences. */
  kpi(index) {
    const { periods, ...kpi } = this.data.kpis[index];
    return JSON.stringify({ kpi, words: null });
  }
  /** What an edit answers: the KPI's new lean entry, the suggestions and the headline. */
  patch(name) {
    const index = this.data.kpis.findIndex((k) => k.name === name);
    return JSON.stringify({ kpi_index: index, kpi: lean(this.data.kpis[index]), suggestions: this.data.suggestions, headline: headline(this.data) });
  }
  find(name) {
    const kpi = this.data.kpis.find((k) => k.name === name);
    if (!kpi) throw new Error(`No KPI named '${name}'.`);
    return kpi;
  }
  setTarget(name, text) {
    const kpi = this.find(name);
    kpi.target = text.trim() === '' ? null : parseTarget(text);
    refresh(kpi);
    this.data.suggestions = this.data.suggestions.filter((s) => s.kpi !== name);
    if (kpi.health === 'breached') {
      this.data.suggestions.unshift({ kpi: name, kind: 'primary', objective: `Fix ${name}`, key_result: `Move ${name} within ${text} by 2025-06-30`, baseline: kpi.latest, target: null, deadline: '2025-06-30', priority: 1, because: 'Breached after your edit.' });
    }
    return this.patch(name);
  }
  setDirection(name, direction) {
    const kpi = this.find(name);
    kpi.direction = direction;
    kpi.direction_source = 'user';
    return this.patch(name);
  }
  /** Undoing an edit: the mock keeps no copy of the file's reading, so it only answers the patch. */
  resetKpi(name) {
    this.find(name);
    return this.patch(name);
  }
  acceptSuggestedTargets() {
    return this.report();
  }
  headline() {
    return headline(this.data);
  }
  metadata() {
    return new TextEncoder().encode('kpi,target,direction\n');
  }
  setHorizon(periods) {
    this.data.horizon = periods;
    return this.report();
  }
  export(format) {
    const r = this.data;
    if (format === 'json') return JSON.stringify(r, null, 2);
    if (format === 'csv') {
      const safe = (cell) => {
        let text = String(cell ?? '');
        if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
        return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
      };
      return ['kpi,kind,key_result', ...r.suggestions.map((s) => [s.kpi, s.kind, s.key_result].map(safe).join(','))].join('\n') + '\n';
    }
    return ['# Key results', '', ...r.suggestions.map((s) => `- ${s.key_result}`)].join('\n') + '\n';
  }
  sheets() {
    return this.data.source.sheets ?? [];
  }
  free() {}
}
