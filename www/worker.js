// kpilot's engine worker: owns the WebAssembly `Session` and does all reading
// and analysis, so the page's main thread only renders.
//
// Message protocol (page → worker), one request at a time per `id`:
//
//   {id, type: 'open', file?: Blob, url?: string, name: string, sheet?: string|null}
//       Reads the bytes (from `file`, or fetched from the same-origin `url`, or
//       — with neither — the bytes of the last opened file, used to switch
//       sheets) and opens a new session. value: the report. A file over
//       MAX_FILE_BYTES is refused before it is read into memory.
//   {id, type: 'setTarget', kpi: string, text: string}     value: a patch
//   {id, type: 'setDirection', kpi: string, direction: 'higher_is_better'|'lower_is_better'}
//                                                          value: a patch
//   {id, type: 'setHorizon', periods: number}               value: the report
//   {id, type: 'export', format: 'md'|'csv'|'json'}         value: the text
//
// The report is the engine's JSON contract, with `lead_lag` holding only the
// significant pairs and `lead_lag_tested` the number of ordered pairs tested
// (the JSON export still lists every pair). A patch is what one edit changed:
//
//   {kpi_index: number,   the KPI's position in report.kpis
//    kpi: object,         its new entry (the shape of report.kpis[i])
//    suggestions: [...]}  the whole new suggestions list
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
//   {id, ok: false, error: string, fatal?: true}
//                                  the engine's message; `fatal` means the
//                                  WebAssembly instance trapped and the page
//                                  should start a new worker
//
// Requests run strictly in arrival order. A failed `open` of a new file
// leaves no session behind (the page goes back to its start); a failed sheet
// switch keeps the current session, so the page keeps the report it shows.

import init, { Session } from './pkg/kpilot.js';

/** The engine's own limit, checked here first so a huge file is not read for nothing. */
const MAX_FILE_BYTES = 40_000_000;

let engineReady = false;
const ready = init().then(() => {
  engineReady = true;
});
ready.catch(() => {}); // reported per request, below, not as an unhandled rejection
let session = null;
let lastFile = null; // {bytes: Uint8Array, name: string}: kept to re-open with another sheet
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
    self.postMessage({ id, ok: false, error: message || 'The engine failed without a message.', ...(trapped ? { fatal: true } : {}) });
  }
}

function progress(id, text) {
  self.postMessage({ id, progress: text });
}

async function dispatch(request) {
  switch (request.type) {
    case 'open':
      return open(request);
    case 'setTarget':
      return asPatch(plain(current().setTarget(request.kpi, request.text)), request.kpi);
    case 'setDirection':
      return asPatch(plain(current().setDirection(request.kpi, request.direction)), request.kpi);
    case 'setHorizon':
      return slim(plain(current().setHorizon(request.periods)));
    case 'export':
      return current().export(request.format);
    default:
      throw new Error(`Unknown request type '${request.type}'.`);
  }
}

async function open({ id, file, url, name, sheet }) {
  let next = lastFile;
  const switchingSheet = !file && !url;
  if (!switchingSheet) {
    // A new file replaces the old one even if it turns out to be bad, so the
    // page never edits a report it no longer shows.
    session?.free();
    session = null;
    lastFile = null;
  }
  if (file) {
    refuseIfTooLarge(name, file.size);
    progress(id, `Reading ${name}…`);
    next = { bytes: new Uint8Array(await file.arrayBuffer()), name };
  } else if (url) {
    progress(id, `Loading ${name}…`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`Could not load ${name} (HTTP ${response.status}).`);
    const length = response.headers.get('Content-Length');
    if (length !== null && length !== '') refuseIfTooLarge(name, Number(length));
    next = { bytes: new Uint8Array(await response.arrayBuffer()), name };
  }
  if (!next) throw new Error('No file is open.');
  progress(id, `Analysing ${next.name}…`);
  const opened = Session.open(next.bytes, next.name, sheet ?? undefined);
  let report;
  try {
    report = slim(plain(opened.report()));
  } catch (error) {
    opened.free();
    throw error;
  }
  session?.free();
  session = opened;
  lastFile = next;
  return report;
}

function current() {
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

/** An edit's answer as a patch of the KPI named `name` (an older engine answers with the whole report). */
function asPatch(answer, name) {
  if (!answer || typeof answer !== 'object' || !Array.isArray(answer.kpis)) return answer;
  const index = answer.kpis.findIndex((kpi) => kpi.name === name);
  if (index < 0) throw new Error(`No KPI named '${name}'.`);
  return { kpi_index: index, kpi: answer.kpis[index], suggestions: answer.suggestions ?? [] };
}
