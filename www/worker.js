// kpilot's engine worker: owns the WebAssembly `Session` and does all reading
// and analysis, so the page's main thread only renders.
//
// Message protocol (page → worker), one request at a time per `id`:
//
//   {id, type: 'open', file?: Blob, url?: string, name: string, sheet?: string|null}
//       Reads the bytes (from `file`, or fetched from the same-origin `url`, or
//       — with neither — the bytes of the last opened file, used to switch
//       sheets) and opens a new session. value: the report.
//   {id, type: 'setTarget', kpi: string, text: string}     value: the report
//   {id, type: 'setDirection', kpi: string, direction: 'higher_is_better'|'lower_is_better'}
//                                                          value: the report
//   {id, type: 'setHorizon', periods: number}               value: the report
//   {id, type: 'export', format: 'md'|'csv'|'json'}         value: the text
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
      return plain(current().setTarget(request.kpi, request.text));
    case 'setDirection':
      return plain(current().setDirection(request.kpi, request.direction));
    case 'setHorizon':
      return plain(current().setHorizon(request.periods));
    case 'export':
      return current().export(request.format);
    default:
      throw new Error(`Unknown request type '${request.type}'.`);
  }
}

async function open({ id, file, url, name, sheet }) {
  let next = lastFile;
  const switchingSheet = !file && !url;
  if (file) {
    progress(id, `Reading ${name}…`);
    next = { bytes: new Uint8Array(await file.arrayBuffer()), name };
  } else if (url) {
    progress(id, `Loading ${name}…`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`Could not load ${name} (HTTP ${response.status}).`);
    next = { bytes: new Uint8Array(await response.arrayBuffer()), name };
  }
  if (!next) throw new Error('No file is open.');
  if (!switchingSheet) {
    // A new file replaces the old one even if it turns out to be bad, so the
    // page never edits a report it no longer shows.
    session?.free();
    session = null;
    lastFile = null;
  }
  progress(id, `Analysing ${next.name}…`);
  const opened = Session.open(next.bytes, next.name, sheet ?? undefined);
  let report;
  try {
    report = plain(opened.report());
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
