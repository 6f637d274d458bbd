// kpilot's engine worker: owns the WebAssembly `Session` and does all reading
// and analysis, so the page's main thread only renders.
//
// Message protocol (page → worker), one request at a time per `id`:
//
//   {id, type: 'open', from: 'file'|'url'|'current'|'candidate', file?: Blob,
//    url?: string, name: string, sheet?: string|null, mapping?: object|null,
//    targets?: {bytes: Blob|ArrayBuffer, name: string}|null}
//       Opens a new session. `from` says whose bytes: a new `file` or the
//       same-origin `url` (a new file), the `current` file (another sheet, a
//       corrected mapping, a metadata sheet), or the `candidate` — the last
//       new file that failed to open, kept so the page can preview it and
//       try a mapping. `targets` undefined keeps the metadata sheet already
//       loaded with the current file, null drops it. value: the report.
//       A file over MAX_FILE_BYTES is refused before it is read into memory.
//       A failed open keeps the session that was open: the page keeps
//       showing it. The engine opens in stages (reading, analysing each
//       KPI, the lead/lag scan), each announced by a progress message.
//       With `early: true`, once the KPIs are analysed and before the
//       lead/lag scan runs, an early answer carries the report so far (its
//       `lead_lag` empty, `lead_lag_pending: true`, key results that do not
//       yet know which KPIs lead others); the answer still follows.
//   {id, type: 'preview', from: 'current'|'candidate', sheet?, mapping?}
//       value: the sheet preview (rows × columns of text, parts marked).
//   {id, type: 'detail', index: number}
//       value: {kpi, words}: the KPI at `index` of report.kpis in full — its
//       entry of the engine's JSON contract (values, status, rolling_mean,
//       trend.fitted, forecast.path, anomalies, leaders, followers, …)
//       without `periods`, which are report.periods — and its sentences.
//   {id, type: 'setTarget', kpi: string, text: string}     value: a patch
//   {id, type: 'setDirection', kpi: string, direction: 'higher_is_better'|'lower_is_better'}
//                                                          value: a patch
//   {id, type: 'reset', kpi: string, edits: [{field: 'target'|'direction', value}]}
//       Puts the KPI back as the file said, then applies `edits` in order
//       (undo = reset and replay what is left). value: a patch
//   {id, type: 'replay', edits: [{kpi, field, value}], horizon?: number}
//       Applies saved edits after an open (a restored file); edits of KPIs
//       the file no longer has are skipped. value: {report, skipped: [kpi]}
//   {id, type: 'setHorizon', periods: number}               value: the report
//   {id, type: 'export', format: 'md'|'csv'|'json'|'html'}  value: the text
//   {id, type: 'metadata', format: 'csv'|'xlsx'}            value: a Uint8Array
//
// The report is the engine's lean report, what the page renders at once:
//
//   {source, periods: [label],      the period labels, once
//    kpis: [{name, unit, direction, direction_source, target, owner,
//            department, entity, focus, health, attention, attention_reason,
//            suggested_target, first, latest, latest_period (an index into
//            periods), change, change_pct, trend: {verdict, wanders,
//            ols_slope, theil_sen_slope (null in an early answer while
//            a long series' slope is found), slope_sign (the arrow)},
//            breach, forecast (without its path), spark: [number|null]
//            (≤ 120 points)}],
//    lead_lag: [pair],               the significant pairs
//    lead_lag_tested: number,        every ordered pair tested
//    lead_lag_pending?: true,        only in an early answer: the scan runs
//    pair_words: [string],           a sentence per pair of lead_lag
//    suggestions, horizon, disclaimer, headline}
//
// (the JSON export still has the full contract, every pair included). A
// KPI's full series come with 'detail'. A patch is what one edit changed:
//
//   {kpi_index: number,   the KPI's position in report.kpis
//    kpi: object,         its new lean entry
//    suggestions: [...],  the whole new suggestions list
//    headline: string}    the new headline
//
// which the page merges into the report it holds.
//
// Replies (worker → page):
//
//   {id, progress: string, stage?, remaining_ms?}
//                                  zero or more, before the answer: what the
//                                  worker is doing now (`stage`: 'loading',
//                                  'reading', 'analysing', 'leadlag',
//                                  'report') and about how long is left, for
//                                  a loading indicator
//   {id, early: true, json: string}
//                                  at most one, before the answer of an
//                                  'open' that asked for it: the report
//                                  without the lead/lag scan (see 'open')
//   {id, ok: true, value}          the answer
//   {id, ok: true, json: string}   the answer as JSON text (reports,
//                                  patches, details: one string clones
//                                  faster than a tree of objects; the page
//                                  parses it)
//   {id, ok: false, error: string, fatal?: true, previewable?: true}
//                                  the engine's message; `fatal` means the
//                                  WebAssembly instance trapped and the page
//                                  should start a new worker; `previewable`
//                                  that the failed file can be previewed
//                                  (from: 'candidate') to correct its reading
//
// Requests run strictly in arrival order.

import init, { Opening, previewSheet } from './pkg/kpilot.js';

/**
 * The page's file limit: what a tab holds comfortably. Measured with
 * bench/browser.mjs (the engine's own open of long CSVs, 100 daily KPIs):
 * 38 MiB → 403 MiB of wasm memory, a 614 MiB tab; 80 MB → 804 MiB, 1.0 GiB;
 * 120 MB → 1.25 GiB, 1.5 GiB. Checked before the file is read into memory.
 * The engine itself (and the command line) reads up to 200 MB.
 */
const MAX_FILE_BYTES = 80_000_000;

/**
 * How fast each stage goes on a quiet laptop, for the first estimate; the
 * estimate is then scaled by how fast the reading actually went on this
 * machine. Measured with bench/browser.mjs (see bench/README.md).
 */
const PACE = {
  readBytesPerMs: 20_000,
  analyseCellsPerMs: 2_000,
  scanCellsPerMs: 60_000,
  reportKpisPerMs: 20,
  /** Before the file is read, what it holds is unknown: the analysis is guessed at this many times the reading. */
  restOverRead: 3,
};

let engineReady = false;
const ready = init().then(() => {
  engineReady = true;
});
ready.catch(() => {}); // reported per request, below, not as an unhandled rejection
let session = null;
let current = null; // {bytes, name, sheet, mapping, targets}: the open file, to re-open it
let candidate = null; // {bytes, name}: the last new file that failed to open
let queue = Promise.resolve();

self.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(() => handle(request));
};

/** An answer the engine wrote as JSON text: posted as text, parsed by the page. */
class Json {
  constructor(text) {
    this.text = text;
  }
}

async function handle(request) {
  const { id } = request;
  try {
    if (!engineReady) progress(id, 'Starting the analysis engine…', { stage: 'loading' });
    await ready;
    const value = await dispatch(request);
    self.postMessage(value instanceof Json ? { id, ok: true, json: value.text } : { id, ok: true, value });
  } catch (error) {
    const trapped = error instanceof WebAssembly.RuntimeError;
    const message = error instanceof Error ? error.message : String(error);
    const previewable = request.type === 'open' && !trapped && Boolean(error?.previewable);
    self.postMessage({
      id,
      ok: false,
      error: message || 'The engine failed without a message.',
      ...(trapped ? { fatal: true } : {}),
      ...(previewable ? { previewable: true } : {}),
    });
    if (trapped) {
      session = null;
      current = null;
    }
  }
}

function progress(id, text, { stage, remaining } = {}) {
  self.postMessage({ id, progress: text, ...(stage ? { stage } : {}), ...(Number.isFinite(remaining) ? { remaining_ms: Math.round(remaining) } : {}) });
}

async function dispatch(request) {
  switch (request.type) {
    case 'open':
      return open(request);
    case 'preview':
      return preview(request);
    case 'detail':
      return new Json(live().kpi(request.index));
    case 'setTarget':
      return new Json(live().setTarget(request.kpi, request.text));
    case 'setDirection':
      return new Json(live().setDirection(request.kpi, request.direction));
    case 'reset':
      return reset(request);
    case 'replay':
      return replay(request);
    case 'setHorizon':
      return new Json(live().setHorizon(request.periods));
    case 'export':
      return live().export(request.format);
    case 'metadata':
      return live().metadata(request.format);
    default:
      throw new Error(`Unknown request type '${request.type}'.`);
  }
}

async function bytesOf(blob) {
  if (blob instanceof ArrayBuffer) return new Uint8Array(blob);
  if (ArrayBuffer.isView(blob)) return new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength);
  return new Uint8Array(await blob.arrayBuffer());
}

async function open({ id, from, file, url, name, sheet, mapping, targets, early }) {
  let next;
  if (from === 'file') {
    refuseIfTooLarge(name, file.size);
    progress(id, `Reading ${name}…`, { stage: 'reading', remaining: file.size / PACE.readBytesPerMs });
    next = { bytes: await bytesOf(file), name };
  } else if (from === 'url') {
    progress(id, `Loading ${name}…`, { stage: 'reading' });
    const response = await fetch(url);
    if (!response.ok) throw new Error(`Could not load ${name} (HTTP ${response.status}).`);
    const length = response.headers.get('Content-Length');
    if (length !== null && length !== '') refuseIfTooLarge(name, Number(length));
    next = { bytes: new Uint8Array(await response.arrayBuffer()), name };
  } else if (from === 'candidate') {
    if (!candidate) throw new Error('The file to correct is no longer here: drop it again.');
    next = candidate;
  } else {
    if (!current) throw new Error('No file is open.');
    next = current;
  }
  const isNewFile = from === 'file' || from === 'url' || from === 'candidate';
  let metadata = targets === undefined ? (isNewFile ? null : current?.targets ?? null) : targets;
  if (metadata && !(metadata.bytes instanceof Uint8Array)) metadata = { name: metadata.name, bytes: await bytesOf(metadata.bytes) };

  const estimate = new Estimate(next.bytes.length);
  progress(id, `Reading ${next.name}…`, { stage: 'reading', remaining: estimate.remaining('reading') });
  let opening;
  try {
    opening = Opening.read(next.bytes, next.name, sheet ?? undefined, mapping ?? undefined, metadata?.bytes, metadata?.name);
  } catch (error) {
    if (isNewFile && !(error instanceof WebAssembly.RuntimeError)) {
      // Kept so its reading can be corrected — when it can be shown at all
      // (a damaged workbook cannot be previewed either).
      candidate = { bytes: next.bytes, name: next.name };
      error.previewable = canPreview(candidate, sheet);
    }
    throw error;
  }
  let opened = null;
  let json;
  try {
    estimate.read(opening.kpis(), opening.periods(), opening.pairs());
    const kpis = opening.kpis();
    progress(id, `Analysing ${kpis.toLocaleString('en-US')} ${kpis === 1 ? 'KPI' : 'KPIs'} over ${opening.periods().toLocaleString('en-US')} periods…`, {
      stage: 'analysing',
      remaining: estimate.remaining('analysing'),
    });
    opening.analyseKpis();
    estimate.done('analysing');
    if (opening.pairs() > 0) {
      const report = early ? opening.reportBeforeScan() : undefined;
      if (typeof report === 'string') self.postMessage({ id, early: true, json: report });
      progress(id, `Looking for KPIs that lead others (${opening.pairs().toLocaleString('en-US')} pairs)…`, { stage: 'leadlag', remaining: estimate.remaining('leadlag') });
      opening.scanLeadLag();
      estimate.done('leadlag');
    }
    progress(id, 'Writing the report…', { stage: 'report', remaining: estimate.remaining('report') });
    opened = opening.finish(); // uses up `opening`
    opening = null;
    json = opened.report();
  } catch (error) {
    opening?.free();
    opened?.free();
    throw error;
  }
  session?.free();
  session = opened;
  current = { bytes: next.bytes, name: next.name, targets: metadata };
  if (from === 'candidate') candidate = null;
  return new Json(json);
}

/**
 * The time left of an open, by stage: from the file's size before it is
 * read, then from the KPIs and periods it holds, at the pace this machine
 * showed while reading it.
 */
class Estimate {
  constructor(bytes) {
    this.bytes = bytes;
    this.started = performance.now();
    this.stageStarted = this.started;
    this.speed = 1; // this machine's time over the quiet laptop's
    this.cells = 0;
    this.pairCells = 0;
    this.kpis = 0;
  }

  /** The file is read: what it holds, and how fast this machine read it. */
  read(kpis, periods, pairs) {
    const took = performance.now() - this.started;
    const expected = this.bytes / PACE.readBytesPerMs;
    this.speed = Math.min(8, Math.max(0.25, took / Math.max(1, expected)));
    this.kpis = kpis;
    this.cells = kpis * periods;
    this.pairCells = pairs * periods;
    this.stageStarted = performance.now();
  }

  done() {
    this.stageStarted = performance.now();
  }

  /** Milliseconds left from the start of `stage` to the report. */
  remaining(stage) {
    const analysing = (this.cells / PACE.analyseCellsPerMs) * this.speed;
    const scanning = (this.pairCells / PACE.scanCellsPerMs) * this.speed;
    const writing = (this.kpis / PACE.reportKpisPerMs) * this.speed;
    switch (stage) {
      case 'reading':
        return (this.bytes / PACE.readBytesPerMs) * (1 + PACE.restOverRead); // the reading, then the rest
      case 'analysing':
        return analysing + scanning + writing;
      case 'leadlag':
        return scanning + writing;
      default:
        return writing;
    }
  }
}

function canPreview(file, sheet) {
  try {
    previewSheet(file.bytes, file.name, sheet ?? undefined, undefined);
    return true;
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) throw error;
    return false;
  }
}

function preview({ from, sheet, mapping }) {
  const file = from === 'candidate' ? candidate : current;
  if (!file) throw new Error('There is no file to preview: drop it again.');
  return previewSheet(file.bytes, file.name, sheet ?? undefined, mapping ?? undefined);
}

function reset({ kpi, edits }) {
  let answer = live().resetKpi(kpi);
  for (const edit of edits ?? []) answer = apply(kpi, edit);
  return new Json(answer);
}

function apply(kpi, { field, value }) {
  return field === 'direction' ? live().setDirection(kpi, value) : live().setTarget(kpi, value ?? '');
}

function replay({ edits, horizon }) {
  const skipped = [];
  if (Number.isInteger(horizon)) live().setHorizon(horizon);
  for (const edit of edits ?? []) {
    try {
      apply(edit.kpi, edit);
    } catch {
      skipped.push(edit.kpi); // a KPI this reading does not have, or a target it no longer takes
    }
  }
  return new Json(`{"report":${live().report()},"skipped":${JSON.stringify(skipped)}}`);
}

function live() {
  if (!session) throw new Error('No file is open.');
  return session;
}

/** Throws the engine's message for a file over the limit: "'x.csv' is 150.0 MB; kpilot reads files up to 80 MB". */
function refuseIfTooLarge(name, size) {
  if (!(size > MAX_FILE_BYTES)) return;
  throw new Error(`'${name}' is ${(size / 1e6).toFixed(1)} MB; kpilot reads files up to ${MAX_FILE_BYTES / 1e6} MB`);
}
