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
//       showing it.
//   {id, type: 'preview', from: 'current'|'candidate', sheet?, mapping?}
//       value: the sheet preview (rows × columns of text, parts marked).
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
//   {id, type: 'describe', kpi: string}                     value: the KPI's sentences
//   {id, type: 'export', format: 'md'|'csv'|'json'|'html'}  value: the text
//   {id, type: 'metadata', format: 'csv'|'xlsx'}            value: a Uint8Array
//
// The report is the engine's JSON contract, with `lead_lag` holding only the
// significant pairs and `lead_lag_tested` the number of ordered pairs tested
// (the JSON export still lists every pair), plus what the page shows in
// words: `headline` (one sentence) and `pair_words` (a sentence per pair of
// `lead_lag`). A patch is what one edit changed:
//
//   {kpi_index: number,   the KPI's position in report.kpis
//    kpi: object,         its new entry (the shape of report.kpis[i])
//    suggestions: [...],  the whole new suggestions list
//    headline: string}    the new headline
//
// which the page merges into the report it holds. (An engine that still
// answers edits with the whole report, or lists every pair, is brought to
// these shapes here.)
//
// Replies (worker → page):
//
//   {id, progress: string}         zero or more, before the answer: what the
//                                  worker is doing now, for a loading indicator
//   {id, ok: true, value}          the answer
//   {id, ok: false, error: string, fatal?: true, previewable?: true}
//                                  the engine's message; `fatal` means the
//                                  WebAssembly instance trapped and the page
//                                  should start a new worker; `previewable`
//                                  that the failed file can be previewed
//                                  (from: 'candidate') to correct its reading
//
// Requests run strictly in arrival order.

import init, { Session, previewSheet } from './pkg/kpilot.js';

/** The engine's own limit, checked here first so a huge file is not read for nothing. */
const MAX_FILE_BYTES = 40_000_000;

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

async function handle(request) {
  const { id } = request;
  try {
    if (!engineReady) progress(id, 'Starting the analysis engine…');
    await ready;
    const value = await dispatch(request);
    self.postMessage({ id, ok: true, value });
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

function progress(id, text) {
  self.postMessage({ id, progress: text });
}

async function dispatch(request) {
  switch (request.type) {
    case 'open':
      return open(request);
    case 'preview':
      return preview(request);
    case 'setTarget':
      return patchOf(plain(live().setTarget(request.kpi, request.text)), request.kpi);
    case 'setDirection':
      return patchOf(plain(live().setDirection(request.kpi, request.direction)), request.kpi);
    case 'reset':
      return reset(request);
    case 'replay':
      return replay(request);
    case 'setHorizon':
      return decorate(slim(plain(live().setHorizon(request.periods))));
    case 'describe':
      return plain(live().describe(request.kpi));
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

async function open({ id, from, file, url, name, sheet, mapping, targets }) {
  let next;
  if (from === 'file') {
    refuseIfTooLarge(name, file.size);
    progress(id, `Reading ${name}…`);
    next = { bytes: await bytesOf(file), name };
  } else if (from === 'url') {
    progress(id, `Loading ${name}…`);
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

  progress(id, `Analysing ${next.name}…`);
  let opened;
  try {
    opened = Session.open(next.bytes, next.name, sheet ?? undefined, mapping ?? undefined, metadata?.bytes, metadata?.name);
  } catch (error) {
    if (isNewFile && !(error instanceof WebAssembly.RuntimeError)) {
      // Kept so its reading can be corrected — when it can be shown at all
      // (a damaged workbook cannot be previewed either).
      candidate = { bytes: next.bytes, name: next.name };
      error.previewable = canPreview(candidate, sheet);
    }
    throw error;
  }
  let report;
  try {
    report = decorate(slim(plain(opened.report())), opened);
  } catch (error) {
    opened.free();
    throw error;
  }
  session?.free();
  session = opened;
  current = { bytes: next.bytes, name: next.name, targets: metadata };
  if (from === 'candidate') candidate = null;
  return report;
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
  return plain(previewSheet(file.bytes, file.name, sheet ?? undefined, mapping ?? undefined));
}

function reset({ kpi, edits }) {
  let answer = plain(live().resetKpi(kpi));
  for (const edit of edits ?? []) answer = plain(apply(kpi, edit));
  return patchOf(answer, kpi);
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
  return { report: decorate(slim(plain(live().report()))), skipped };
}

function live() {
  if (!session) throw new Error('No file is open.');
  return session;
}

/** The engine may hand back a JSON string or an object; the page wants an object. */
function plain(report) {
  return typeof report === 'string' ? JSON.parse(report) : report;
}

/** Throws the engine's own message for a file over the limit: "'x.csv' is 50.0 MB; kpilot reads files up to 40 MB". */
function refuseIfTooLarge(name, size) {
  if (!(size > MAX_FILE_BYTES)) return;
  throw new Error(`'${name}' is ${(size / 1e6).toFixed(1)} MB; kpilot reads files up to ${MAX_FILE_BYTES / 1e6} MB`);
}

/** A report with only the significant lead/lag pairs and their tested count (an older engine lists every pair). */
function slim(report) {
  if (report && typeof report === 'object' && Array.isArray(report.lead_lag) && !Number.isInteger(report.lead_lag_tested)) {
    report.lead_lag_tested = report.lead_lag.length;
    report.lead_lag = report.lead_lag.filter((pair) => pair.significant === true);
  }
  return report;
}

/** Adds what the page says in words: the headline, and a sentence per lead/lag pair. */
function decorate(report, from = session) {
  if (!report || typeof report !== 'object' || !from) return report;
  report.headline = from.headline();
  const words = from.pairWords();
  // The session's pairs are the significant ones, in the report's order.
  if (Array.isArray(report.lead_lag) && words.length === report.lead_lag.length) report.pair_words = words;
  return report;
}

/** An edit's answer as a patch of the KPI named `name` (an older engine answers with the whole report). */
function patchOf(answer, name) {
  let patch = answer;
  if (answer && typeof answer === 'object' && Array.isArray(answer.kpis)) {
    const index = answer.kpis.findIndex((kpi) => kpi.name === name);
    if (index < 0) throw new Error(`No KPI named '${name}'.`);
    patch = { kpi_index: index, kpi: answer.kpis[index], suggestions: answer.suggestions ?? [] };
  }
  return { ...patch, headline: session?.headline() ?? null };
}
