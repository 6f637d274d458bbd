#!/usr/bin/env node
// The page benchmark: kpilot's real page (www/, with the built wasm engine) in
// headless Chromium, driven the way a person uses it. Prints a Markdown table
// and writes it to bench/out/browser.md. See bench/README.md ("Browser
// benchmark").
//
//   node bench/browser.mjs                 # everything (several minutes)
//   BENCH_ONLY=size,load,sample,edit node bench/browser.mjs
//
// Environment:
//   BENCH_ONLY          comma-separated parts: size, load, sample, large, edit, leadlag, memory, compare
//                       (default all; leadlag opens the Lead & lag tab on a 500-KPI sheet with ~900
//                       significant pairs; memory opens 40, 80 and 120 MB CSVs for the tab's peak
//                       memory; compare reads the same files with kpilot, SheetJS and PapaParse)
//   BENCH_RUNS          runs per measurement, the median counts (5)
//   BENCH_LARGE_BUDGET  seconds of runs per large file; after that no new run starts (240)
//   BENCH_TIMEOUT       seconds one open may take before it counts as timed out (900)
//   KPILOT_CHROMIUM     the browser (default /usr/bin/chromium)
//
// Nothing in www/ is changed. The benchmark adds instrumentation from outside:
// an init script in the page (timestamps of the trigger, of every worker message,
// of the JSON it parses, of long tasks and of the grid appearing in the DOM),
// and, through Playwright's worker handle, wrappers around the worker's engine
// calls (Opening.read, analyseKpis, scanLeadLag, finish, Session.report,
// setTarget, kpi), its file reads and its postMessage. All timestamps are
// performance.timeOrigin + performance.now(), so page and worker times compare.
// The side-by-side reads run in workers of bench/compare/ on a page of their own.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { startServer } from '../scripts/serve.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const WWW = join(ROOT, 'www');
const OUT = join(HERE, 'out');
const CHROMIUM = process.env.KPILOT_CHROMIUM ?? '/usr/bin/chromium';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LARGE_BUDGET_MS = Number(process.env.BENCH_LARGE_BUDGET ?? 240) * 1000;
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT ?? 900) * 1000;
const ONLY = new Set((process.env.BENCH_ONLY ?? 'size,load,sample,large,edit,leadlag,memory,compare').split(',').map((part) => part.trim()));

const LARGE = {
  xlsx: 'browser-daily-40kpi.xlsx',
  csv38: 'browser-long-38mb.csv',
  csv50: 'browser-long-50mb.csv',
  csv80: 'browser-long-80mb.csv',
  csv120: 'browser-long-120mb.csv',
  wide: 'browser-wide-500x120.csv',
  leadlag: 'browser-leadlag-500x120.csv',
  tableXlsx: 'browser-100k-x10.xlsx',
  tableCsv: 'browser-100k-x10.csv',
};
/** The engine's file limit (src/ingest/mod.rs MAX_FILE_BYTES, and www/worker.js). */
const LIMIT_BYTES = Number(/const MAX_FILE_BYTES = ([\d_]+)/.exec(readFileSync(join(WWW, 'worker.js'), 'utf8'))?.[1].replace(/_/g, '') ?? NaN);
/** The long CSVs by their size in bytes (bench/make_large_files.py). */
const LONG_SIZES = { csv50: 50e6, csv80: 80e6, csv120: 120e6 };
/** The large file the page must refuse: the first over the limit. */
const OVER_LIMIT = Object.keys(LONG_SIZES).find((key) => LONG_SIZES[key] > LIMIT_BYTES) ?? null;
const EDIT_KPIS = ['KPI 010', 'KPI 120', 'KPI 230', 'KPI 340', 'KPI 450', 'KPI 499'];
const EDIT_TARGET = '>= 1000000'; // far above every value: the KPI turns "Breached"

const LAUNCH = {
  executablePath: CHROMIUM,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    '--disable-quic',
  ],
};

// ---- small helpers ---------------------------------------------------------

const log = (...parts) => console.error('[bench]', ...parts);
const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ms = (value) => (Number.isFinite(value) ? (value >= 100 ? `${Math.round(value).toLocaleString('en-US')} ms` : `${value.toFixed(1)} ms`) : '—');
const seconds = (value) => (Number.isFinite(value) ? (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : ms(value)) : '—');
const bytes = (value) =>
  value >= 1024 * 1024 ? `${(value / 1024 / 1024).toFixed(2)} MiB (${value.toLocaleString('en-US')} B)` : `${(value / 1024).toFixed(1)} KiB (${value.toLocaleString('en-US')} B)`;
const runsText = (values) => values.map((value) => (Number.isFinite(value) ? Math.round(value) : '×')).join(', ');
const verdict = (value, goal) => (Number.isFinite(value) ? (value <= goal ? `✅ < ${goal} ms` : `❌ > ${goal} ms`) : '—');
const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const MIB = 1024 * 1024;

function withTimeout(promise, timeout, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeout / 1000} s waiting for ${what}`)), timeout);
    }),
  ]);
}

// ---- instrumentation -------------------------------------------------------

/** Runs in the page before its own scripts (context.addInitScript). */
function pageInstrumentation() {
  const abs = () => performance.timeOrigin + performance.now();
  const bench = {
    log: [],
    marks: {},
    readyAt: null,
    armed: null,
    longTasks: [],
  };
  window.__bench = bench;

  // Long tasks on the main thread (the page must have none over 100 ms while a file opens).
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: performance.timeOrigin + entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    bench.longTasks = null;
  }

  // The page parses the engine's answers (JSON text): time the big ones.
  const parse = JSON.parse;
  JSON.parse = function benchParse(text, ...rest) {
    if (typeof text !== 'string' || text.length < 10_000) return parse.call(this, text, ...rest);
    const start = abs();
    const value = parse.call(this, text, ...rest);
    bench.log.push({ side: 'page', what: 'page JSON.parse', start, end: abs(), chars: text.length });
    return value;
  };

  // Each measured page starts as a first visit: the files a page keeps in
  // IndexedDB (and would restore on load) are dropped before its scripts run.
  try {
    indexedDB.deleteDatabase('kpilot');
  } catch {
    // no IndexedDB: nothing kept
  }

  // Every worker the page starts: a listener registered before the page's own
  // onmessage, so it sees each message first and times its deserialisation.
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) {
      super(...args);
      bench.marks.workerCreated = abs();
      this.addEventListener('message', function benchReceive(event) {
        const start = abs();
        const data = event.data; // the structured clone is deserialised here
        const end = abs();
        const what = data && 'progress' in data ? 'receive progress' : data?.early ? 'receive early report' : 'receive reply';
        bench.log.push({ side: 'page', what, start, end, ok: data?.ok });
      });
    }
    postMessage(message, ...rest) {
      const start = abs();
      super.postMessage(message, ...rest);
      bench.log.push({ side: 'page', what: `post ${message?.type}`, start, end: abs() });
    }
  };

  // Triggers, in the capture phase so they fire before the page's listeners.
  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key === 'Enter' && event.target?.classList?.contains('target-input')) bench.marks.trigger = abs();
    },
    true,
  );
  document.addEventListener(
    'change',
    (event) => {
      if (event.target?.id === 'file-input') bench.marks.trigger = abs();
    },
    true,
  );
  document.addEventListener(
    'click',
    (event) => {
      if (event.target?.closest?.('[data-action="try-sample"]') || event.target?.closest?.('#tab-leadlag')) bench.marks.trigger = abs();
    },
    true,
  );

  new MutationObserver(() => {
    if (bench.readyAt === null && document.body?.classList.contains('ready')) bench.readyAt = abs();
    bench.armed?.check();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['class', 'hidden'] });

  /**
   * Arms a watcher; `bench.armed.done` resolves when the condition holds:
   *   {kind: 'grid', name, rows?}   a new .kpi-grid for file `name`
   *   {kind: 'error', name}         the error banner naming `name`
   *   {kind: 'status', kpi}         the grid where `kpi`'s status word changed
   *   {kind: 'leadlag'}             the Lead & lag panel shown, its cells drawn
   * with {outcome, domAt, frameAt, text}. domAt is the mutation callback after
   * the render; frameAt is after the next animation frame (the paint).
   */
  bench.arm = (spec) => {
    const oldTable = document.querySelector('#panel-grid .kpi-grid');
    const statusOf = (table) => table?.querySelector(`tr[data-kpi="${CSS.escape(spec.kpi ?? '')}"] .status-word`)?.textContent ?? null;
    const oldStatus = spec.kind === 'status' ? statusOf(oldTable) : null;
    bench.marks.trigger = null;
    const armedAt = abs();
    let resolveDone;
    const done = new Promise((resolve) => {
      resolveDone = resolve;
    });
    const finish = (outcome, text) => {
      const domAt = abs();
      bench.armed = null;
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          const during = (bench.longTasks ?? []).filter((task) => task.start + task.duration >= armedAt);
          resolveDone({
            outcome,
            text,
            domAt,
            frameAt: abs(),
            trigger: bench.marks.trigger,
            longestTask: bench.longTasks ? Math.max(0, ...during.map((task) => task.duration)) : NaN,
            longTasks: during.length,
          });
        };
        channel.port2.postMessage(null);
      });
    };
    const check = () => {
      if (spec.kind === 'leadlag') {
        const panel = document.getElementById('panel-leadlag');
        const view = panel.querySelector('.leadlag');
        if (panel.hidden || !view) return;
        const cells = panel.querySelectorAll('.matrix-frame .cell').length;
        if (!cells && panel.querySelector('.matrix-frame')) return; // the matrix's cells come with the next frame
        finish('rendered', `${cells} matrix cells drawn, ${panel.querySelectorAll('.relationship-list li').length} relationships listed`);
        return;
      }
      const banner = document.getElementById('error-banner');
      if (!banner.hidden && (spec.kind !== 'status' ? banner.textContent.includes(spec.name) : true)) {
        finish('error', document.getElementById('error-message').textContent);
        return;
      }
      const table = document.querySelector('#panel-grid .kpi-grid');
      if (!table || document.getElementById('results').hidden) return;
      // An edit replaces only its row, in the same table; a new file brings a new table.
      if (spec.kind !== 'status' && table === oldTable) return;
      if (spec.kind === 'grid') {
        if (document.querySelector('#mapping .file-name')?.textContent !== spec.name) return;
        const rows = table.querySelectorAll('tbody tr[data-kpi-index]').length;
        if (spec.rows && rows !== spec.rows) return;
        finish('rendered', `${rows} KPI rows`);
      } else if (spec.kind === 'status') {
        const status = statusOf(table);
        if (status !== null && status !== oldStatus) finish('rendered', `${oldStatus} → ${status}`);
      }
    };
    bench.armed = { check, spec };
    bench.done = done;
    return true;
  };
}

/** Runs in the engine worker (Playwright worker.evaluate): waits for the engine, then wraps its calls. */
async function workerInstrumentation() {
  const abs = () => performance.timeOrigin + performance.now();
  if (self.__benchInstalled) return { already: true };
  self.__benchInstalled = true;
  const attachedAt = abs();
  // worker.js sets onmessage right after it starts init(); wait for that, so
  // the init promise below is worker.js's own, not a second one.
  while (typeof self.onmessage !== 'function') await new Promise((resolve) => setTimeout(resolve, 1));
  const module = await import(new URL('pkg/kpilot.js', self.location.href).href);
  const init = module.default();
  // If init() had already resolved when we got here, readyAt below is late: say so.
  const early = await Promise.race([init.then(() => 'ready'), new Promise((resolve) => setTimeout(() => resolve('pending'), 0))]);
  const readyAt = await init.then(() => abs());
  const settledBefore = early === 'ready';

  const log = [];
  self.__benchLog = log;
  const timed = (what, call, describe) =>
    function (...args) {
      const start = abs();
      let result;
      try {
        result = call.apply(this, args);
      } catch (error) {
        log.push({ side: 'worker', what, start, end: abs(), error: String(error?.message ?? error) });
        throw error;
      }
      if (result && typeof result.then === 'function') {
        return result.then(
          (value) => {
            log.push({ side: 'worker', what, start, end: abs(), ...(describe ? describe(value, this, args) : {}) });
            return value;
          },
          (error) => {
            log.push({ side: 'worker', what, start, end: abs(), error: String(error?.message ?? error) });
            throw error;
          },
        );
      }
      const entry = { side: 'worker', what, start, end: abs(), ...(describe ? describe(result, this, args) : {}) };
      log.push(entry);
      return result;
    };
  const exports = await module.default(); // the instance's exports (init() resolves them once)
  const memory = () => exports?.memory?.buffer?.byteLength ?? NaN;
  const shape = (json) => {
    if (typeof json !== 'string') return {};
    const head = json.slice(0, 200_000);
    return { chars: json.length, memory: memory(), head: head.length < json.length ? null : head };
  };

  const { Session, Opening } = module;
  if (Opening) {
    Opening.read = timed('engine: read the file', Opening.read, (opening) => ({ kpis: opening.kpis(), periods: opening.periods(), memory: memory() }));
    for (const [method, what] of [
      ['analyseKpis', 'engine: analyse each KPI'],
      ['scanLeadLag', 'engine: lead/lag scan'],
      ['finish', 'engine: finish'],
    ]) {
      Opening.prototype[method] = timed(what, Opening.prototype[method], () => ({ memory: memory() }));
    }
    if (Opening.prototype.reportBeforeScan) {
      Opening.prototype.reportBeforeScan = timed('early report (before the scan → JSON text)', Opening.prototype.reportBeforeScan, (value) => shape(value));
    }
  }
  const report = Session.prototype.report;
  Session.prototype.report = timed('report() (lean report → JSON text)', report, (value, session) => {
    self.__benchSession = session;
    return shape(value);
  });
  const setTarget = Session.prototype.setTarget;
  Session.prototype.setTarget = timed('setTarget (recompute + patch JSON)', setTarget, (value, session) => {
    self.__benchSession = session;
    return shape(value);
  });
  if (Session.prototype.kpi) Session.prototype.kpi = timed('kpi(index) (detail JSON)', Session.prototype.kpi, (value) => shape(value));
  self.__benchMemory = memory;
  Blob.prototype.arrayBuffer = timed('read file (Blob.arrayBuffer)', Blob.prototype.arrayBuffer);
  Response.prototype.arrayBuffer = timed('read response (Response.arrayBuffer)', Response.prototype.arrayBuffer);
  const fetchNative = self.fetch;
  self.fetch = timed('fetch', fetchNative.bind(self));
  const post = self.postMessage;
  self.postMessage = function (message, ...rest) {
    const start = abs();
    post.call(self, message, ...rest);
    const what = message && 'progress' in message ? 'post progress' : message?.early ? 'post early report (structured clone)' : 'post reply (structured clone)';
    log.push({ side: 'worker', what, start, end: abs(), ok: message?.ok });
  };
  const wasm = performance
    .getEntriesByType('resource')
    .filter((entry) => entry.name.endsWith('.wasm'))
    .map((entry) => ({ start: performance.timeOrigin + entry.startTime, end: performance.timeOrigin + entry.responseEnd, bytes: entry.encodedBodySize }));
  return { attachedAt, readyAt, settledBefore, wasm, timeOrigin: performance.timeOrigin };
}

// ---- a browser with the page ----------------------------------------------

class Bench {
  async start() {
    this.server = await startServer({
      root: WWW,
      port: 0,
      // The side-by-side reads only: their workers, the libraries and the files.
      mounts: { '/compare/': join(HERE, 'compare'), '/bench-modules/': join(HERE, 'node_modules'), '/bench-out/': OUT },
    });
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch(LAUNCH);
    this.version = this.browser.version();
  }

  async close() {
    await this.browser?.close();
    await this.server?.close();
  }

  /** The process ids of this browser's renderers (CDP SystemInfo). */
  async renderers() {
    const session = await this.browser.newBrowserCDPSession();
    try {
      const { processInfo } = await session.send('SystemInfo.getProcessInfo');
      return processInfo.filter((entry) => entry.type === 'renderer').map((entry) => entry.id);
    } finally {
      await session.detach().catch(() => {});
    }
  }

  /** A fresh context and page with the instrumentation, the engine ready. */
  async openPage() {
    const renderersBefore = new Set(await this.renderers().catch(() => []));
    const context = await this.browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' });
    await context.addInitScript(pageInstrumentation);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const handle = { context, page, errors, worker: null, workers: 0, install: null };
    // The page's engine worker (and any restart after a trap, or a reload) gets the wrappers.
    page.on('worker', (worker) => {
      handle.worker = worker;
      handle.workers += 1;
      handle.install = worker.evaluate(workerInstrumentation);
      handle.install.catch(() => {});
    });
    handle.nextEngine = async (after) => {
      await withTimeout(
        (async () => {
          while (handle.workers <= after) await new Promise((resolveWait) => setTimeout(resolveWait, 5));
        })(),
        120_000,
        'the engine worker to start',
      );
      return withTimeout(handle.install, 120_000, 'the engine to load');
    };
    const before = handle.workers;
    await page.goto(this.server.url);
    const engine = await handle.nextEngine(before);
    await page.waitForFunction(() => window.__bench.readyAt !== null);
    const timeOrigin = await page.evaluate(() => performance.timeOrigin);
    const pageReadyAt = await page.evaluate(() => window.__bench.readyAt);
    handle.load = {
      pageReady: pageReadyAt - timeOrigin,
      engineReady: engine.readyAt - timeOrigin,
      wasmFetched: engine.wasm[0] ? engine.wasm[0].end - timeOrigin : NaN,
      wasmRequested: engine.wasm[0] ? engine.wasm[0].start - timeOrigin : NaN,
      workerCreated: (await page.evaluate(() => window.__bench.marks.workerCreated)) - timeOrigin,
      settledBefore: engine.settledBefore,
    };
    // The tab's renderer process (its page and its workers), for its memory.
    const pids = (await this.renderers().catch(() => [])).filter((pid) => !renderersBefore.has(pid));
    handle.memory = () => processMemory(pids);
    handle.close = () => context.close();
    return handle;
  }
}

/**
 * Resident memory of processes, from /proc: `peak` is the largest VmHWM (the
 * high-water mark since the process started), `now` the largest VmRSS.
 */
function processMemory(pids) {
  const read = (pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { peak: kib('VmHWM'), now: kib('VmRSS') };
    } catch {
      return { peak: NaN, now: NaN };
    }
  };
  const all = pids.map(read);
  const largest = (values) => (values.length ? Math.max(...values) : NaN); // Math.max(NaN, …) is NaN
  return { pids, peak: largest(all.map((entry) => entry.peak).filter(Number.isFinite)), now: largest(all.map((entry) => entry.now).filter(Number.isFinite)) };
}

/** Logs from both sides, emptied. */
async function takeLogs(handle) {
  const pageLog = await handle.page.evaluate(() => window.__bench.log.splice(0));
  const workerLog = handle.worker ? await handle.worker.evaluate(() => (self.__benchLog ? self.__benchLog.splice(0) : [])).catch(() => []) : [];
  return [...pageLog, ...workerLog].sort((a, b) => a.start - b.start);
}

/**
 * Splits one request's time into phases from the logs (absolute ms):
 * trigger → (read) → engine → report → clone → receive → render → frame.
 */
function phases(all, result) {
  // The grid may show from the early report, before the lead/lag scan ends:
  // its phases are what happened before it showed; `complete` is when the
  // last answer (the whole report) arrived.
  const last = all.filter((entry) => entry.what === 'receive reply').at(-1);
  const early = all.some((entry) => entry.what === 'receive early report' && entry.end <= result.domAt);
  // (A stage still running when the grid showed, the scan, is not on its path.)
  const entries = all.filter((entry) => entry.end <= result.domAt);
  const pick = (pattern) => entries.filter((entry) => pattern.test(entry.what));
  const sum = (list) => list.reduce((total, entry) => total + (entry.end - entry.start), 0);
  const reply = pick(/^receive (reply|early report)/).at(-1);
  const parsed = pick(/^page JSON\.parse/).filter((entry) => !reply || entry.start >= reply.end);
  const out = {
    read: sum(pick(/^read |^fetch/)),
    engineRead: sum(pick(/^engine: read/)),
    analyse: sum(pick(/^engine: analyse/)),
    leadLag: sum(pick(/^engine: lead/)),
    finish: sum(pick(/^engine: finish/)),
    report: sum(pick(/^report\(\)|^early report/)),
    setTarget: sum(pick(/^setTarget/)),
    detail: sum(pick(/^kpi\(index\)/)),
    clone: sum(pick(/^post (reply|early report)/)),
    deserialize: reply ? reply.end - reply.start : NaN,
    parse: sum(parsed),
    render: reply ? result.domAt - reply.end - sum(parsed) : NaN,
    frame: result.frameAt - result.domAt,
    total: result.domAt - result.trigger,
  };
  out.open = out.engineRead + out.analyse + out.leadLag + out.finish;
  out.early = early;
  if (early && last) out.complete = last.end - result.trigger;
  out.other = out.total - (out.read + out.open + out.report + out.setTarget + out.detail + out.clone + out.deserialize + out.parse + out.render);
  const read = entries.find((entry) => entry.kpis !== undefined);
  if (read) out.shape = { kpis: read.kpis, periods: read.periods };
  const answer = entries.filter((entry) => entry.chars !== undefined).at(-1);
  if (answer) out.answerChars = answer.chars;
  const memory = entries.map((entry) => entry.memory).filter(Number.isFinite);
  if (memory.length) out.wasmMemory = Math.max(...memory);
  return out;
}

/** Arms the watcher, runs `trigger`, waits for the outcome, returns timings and phases. */
async function measure(handle, spec, trigger, { timeout = TIMEOUT_MS } = {}) {
  await takeLogs(handle);
  await handle.page.evaluate((armSpec) => window.__bench.arm(armSpec), spec);
  await trigger();
  const result = await withTimeout(
    handle.page.evaluate(() => window.__bench.done),
    timeout,
    `${spec.name ?? spec.kpi} (${spec.kind})`,
  );
  if (!Number.isFinite(result.trigger)) throw new Error(`no trigger mark for ${spec.name ?? spec.kpi}`);
  // Let the worker's trailing log entries land.
  await handle.page.waitForFunction(() => window.__kpilotStats?.pending === 0, null, { timeout: 60_000 }).catch(() => {});
  const entries = await takeLogs(handle);
  // Long tasks until every answer arrived (the early grid's lead/lag scan included).
  const longestToEnd = await handle.page.evaluate(
    (since) => (window.__bench.longTasks ? Math.max(0, ...window.__bench.longTasks.filter((task) => task.start + task.duration >= since).map((task) => task.duration)) : NaN),
    result.trigger,
  );
  return { ...result, longestToEnd, ms: result.domAt - result.trigger, frameMs: result.frameAt - result.trigger, phases: phases(entries, result) };
}

// ---- the measurements ------------------------------------------------------

function wasmSize() {
  const path = join(WWW, 'pkg', 'kpilot_bg.wasm');
  const raw = readFileSync(path);
  log('compressing the wasm module (gzip -9, brotli q11)…');
  const gzip = gzipSync(raw, { level: 9 }).length;
  const brotli = brotliCompressSync(raw, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  }).length;
  return { raw: raw.length, gzip, brotli };
}

async function moduleLoad(bench) {
  const cold = [];
  const firstOpen = [];
  for (let run = 0; run < RUNS; run += 1) {
    const handle = await bench.openPage();
    cold.push(handle.load);
    // A first-time visitor who clicks "Try the sample" as soon as the engine is up.
    const result = await measure(handle, { kind: 'grid', name: 'kpilot-sample.xlsx' }, () => handle.page.click('[data-action="try-sample"]'));
    firstOpen.push(result);
    await handle.close();
    log(`load run ${run + 1}: engine ready ${ms(handle.load.engineReady)}, first sample ${ms(result.ms)}`);
  }
  // Reloads in one context (what a returning visitor gets from the HTTP cache).
  const warm = [];
  const handle = await bench.openPage();
  for (let run = 0; run < RUNS; run += 1) {
    const before = handle.workers;
    await handle.page.reload();
    const engine = await handle.nextEngine(before);
    await handle.page.waitForFunction(() => window.__bench.readyAt !== null);
    const timeOrigin = await handle.page.evaluate(() => performance.timeOrigin);
    const pageReadyAt = await handle.page.evaluate(() => window.__bench.readyAt);
    warm.push({
      pageReady: pageReadyAt - timeOrigin,
      engineReady: engine.readyAt - timeOrigin,
      wasmRequested: engine.wasm[0] ? engine.wasm[0].start - timeOrigin : NaN,
      wasmFetched: engine.wasm[0] ? engine.wasm[0].end - timeOrigin : NaN,
      settledBefore: engine.settledBefore,
    });
  }
  await handle.close();
  return { cold, warm, firstOpen };
}

async function sampleOpens(bench) {
  const handle = await bench.openPage();
  const results = { drop: [], click: [], input: [] };
  // "Drop": a File with the sample's bytes, dropped on the page as a drag-and-drop does.
  await handle.page.evaluate(async () => {
    const blob = await (await fetch('sample.xlsx')).blob();
    window.__benchDropFile = new File([blob], 'sample.xlsx', { type: blob.type });
  });
  for (let run = 0; run < RUNS; run += 1) {
    results.drop.push(
      await measure(handle, { kind: 'grid', name: 'sample.xlsx' }, () =>
        handle.page.evaluate(() => {
          const transfer = new DataTransfer();
          transfer.items.add(window.__benchDropFile);
          window.__bench.marks.trigger = performance.timeOrigin + performance.now();
          window.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }),
      ),
    );
  }
  // "Try the sample": the page fetches the bundled workbook itself.
  for (let run = 0; run < RUNS; run += 1) {
    // After the first open the landing view (and its button) is hidden: click it from script.
    results.click.push(
      await measure(handle, { kind: 'grid', name: 'kpilot-sample.xlsx' }, () =>
        handle.page.evaluate(() => document.querySelector('[data-action="try-sample"]').click()),
      ),
    );
  }
  // The file picker with the file on disk.
  for (let run = 0; run < RUNS; run += 1) {
    results.input.push(await measure(handle, { kind: 'grid', name: 'sample.xlsx' }, () => handle.page.setInputFiles('#file-input', join(WWW, 'sample.xlsx'))));
  }
  await handle.close();
  return results;
}

async function largeOpens(bench) {
  const out = {};
  const files = { xlsx: LARGE.xlsx, csv38: LARGE.csv38, ...(OVER_LIMIT ? { [OVER_LIMIT]: LARGE[OVER_LIMIT] } : {}) };
  for (const [key, name] of Object.entries(files)) {
    const path = join(OUT, name);
    const runs = [];
    const started = Date.now();
    let handle = await bench.openPage();
    const memoryBefore = handle.memory();
    let memoryAfterFirst = null;
    for (let run = 0; run < RUNS; run += 1) {
      if (run > 0 && Date.now() - started > LARGE_BUDGET_MS) break;
      const expectError = key === OVER_LIMIT;
      if (expectError) await handle.page.evaluate(() => document.getElementById('error-dismiss').click());
      try {
        const result = await measure(handle, { kind: expectError ? 'error' : 'grid', name }, () => handle.page.setInputFiles('#file-input', path));
        runs.push(result);
        if (run === 0) memoryAfterFirst = handle.memory();
        log(`${name} run ${run + 1}: ${result.outcome} in ${seconds(result.ms)} — ${result.text}; longest main-thread task ${ms(result.longestTask)}`);
        if (result.outcome === 'error' && !expectError) {
          // The engine failed (e.g. out of memory): a fresh page for the next run.
          await handle.close();
          handle = await bench.openPage();
        }
      } catch (error) {
        runs.push({ outcome: 'timeout', text: error.message, ms: NaN });
        log(`${name} run ${run + 1}: ${error.message}`);
        await handle.close();
        handle = await bench.openPage();
        break;
      }
    }
    let profile = null;
    if (key !== 'csv50' && runs.some((result) => result.outcome === 'rendered') && process.env.BENCH_PROFILE_LARGE !== '0') {
      log(`${name}: one more open under the worker's CPU profiler…`);
      profile = await profileWorker(bench, () => measure(handle, { kind: 'grid', name }, () => handle.page.setInputFiles('#file-input', path)), {
        interval: 1000,
      }).catch((error) => ({ error: error.message }));
    }
    await handle.close();
    out[key] = { name, size: statSync(path).size, runs, profile, memoryBefore, memoryAfterFirst, expectError: key === OVER_LIMIT };
  }
  return out;
}

/**
 * The tab's peak memory by file size: each CSV opened once by the engine as
 * the page's worker runs it (bench/compare/kpilot-open.js), in a fresh
 * context (its own renderer process), without the page's file limit — this
 * is what the limit is chosen from. The renderer's high-water mark (VmHWM)
 * and the wasm memory (which never shrinks) are read after the report.
 */
async function memoryBySize(bench) {
  const out = [];
  for (const key of ['csv38', 'csv80', 'csv120']) {
    const name = LARGE[key];
    const size = statSync(join(OUT, name)).size;
    const renderersBefore = new Set(await bench.renderers().catch(() => []));
    const context = await bench.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${bench.server.url}compare/index.html`);
    const pids = (await bench.renderers().catch(() => [])).filter((pid) => !renderersBefore.has(pid));
    const before = processMemory(pids);
    const started = Date.now();
    const answer = await withTimeout(
      page.evaluate(
        ({ url, file }) =>
          new Promise((resolveOpen) => {
            const thread = new Worker('/compare/kpilot-open.js', { type: 'module' });
            thread.onmessage = (event) => resolveOpen(event.data);
            thread.onerror = (event) => resolveOpen({ error: event.message || 'the worker failed' });
            thread.postMessage({ url, name: file });
          }),
        { url: `/bench-out/${name}`, file: name },
      ),
      TIMEOUT_MS,
      `the engine opening ${name}`,
    ).catch((error) => ({ error: error.message }));
    const after = processMemory(pids);
    const entry = { key, name, size, before, after, wasm: answer.memory ?? NaN, ms: Date.now() - started, answer, overLimit: size > LIMIT_BYTES };
    out.push(entry);
    log(
      `${name}: ${answer.error ?? `${JSON.stringify(answer.shape)} in ${seconds(entry.ms)} (${(answer.stages ?? []).map((stage) => `${stage.what} ${ms(stage.ms)}`).join(', ')})`}; ` +
        `tab peak ${(after.peak / MIB).toFixed(0)} MiB, wasm ${(entry.wasm / MIB).toFixed(0)} MiB`,
    );
    await context.close();
  }
  return out;
}

/**
 * The same files read by kpilot, SheetJS and PapaParse in workers of one
 * page (bench/compare/), a library at a time per file, RUNS reads each.
 */
async function compareReads(bench) {
  const context = await bench.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${bench.server.url}compare/index.html`);
  const read = (worker, file) =>
    page.evaluate(
      ({ worker: script, url, name, runs, type }) =>
        new Promise((resolveRead) => {
          const thread = new Worker(script, { type });
          thread.onmessage = (event) => {
            thread.terminate();
            resolveRead(event.data);
          };
          thread.onerror = (event) => {
            thread.terminate();
            resolveRead({ error: event.message || 'the worker failed to start' });
          };
          thread.postMessage({ url, name, runs });
        }),
      { worker: `/compare/${worker}`, url: `/bench-out/${file}`, name: file, runs: RUNS, type: worker === 'kpilot-read.js' ? 'module' : 'classic' },
    );
  const out = [];
  for (const key of ['tableXlsx', 'tableCsv', 'xlsx', 'csv38']) {
    const file = LARGE[key];
    const csv = file.endsWith('.csv');
    const entry = { key, file, size: statSync(join(OUT, file)).size };
    for (const [library, worker] of [
      ['kpilot', 'kpilot-read.js'],
      ['sheetjs', 'sheetjs-read.js'],
      ...(csv ? [['papaparse', 'papaparse-read.js']] : []),
    ]) {
      const answer = await withTimeout(read(worker, file), TIMEOUT_MS, `${library} reading ${file}`).catch((error) => ({ error: error.message }));
      entry[library] = answer;
      log(`${file} by ${library}: ${answer.error ?? `median ${ms(median(answer.times))} (${runsText(answer.times)}) ${JSON.stringify(answer.shape)}`}`);
    }
    out.push(entry);
  }
  await context.close();
  return out;
}

async function targetEdits(bench) {
  const handle = await bench.openPage();
  const name = LARGE.wide;
  const opened = await measure(handle, { kind: 'grid', name, rows: 500 }, () => handle.page.setInputFiles('#file-input', join(OUT, name)));
  if (opened.outcome !== 'rendered') throw new Error(`the 500-KPI sheet did not open: ${opened.text}`);
  log(`${name}: opened in ${ms(opened.ms)}`);
  const edit = async (kpi) => {
    const input = handle.page.locator(`input.target-input[aria-label="Target for ${kpi}"]`);
    await input.fill(EDIT_TARGET);
    return measure(handle, { kind: 'status', kpi }, () => input.press('Enter'), { timeout: 120_000 });
  };
  const edits = [];
  for (const kpi of EDIT_KPIS.slice(0, RUNS)) {
    const result = await edit(kpi);
    edits.push({ kpi, ...result });
    log(`edit ${kpi}: ${result.text} in ${ms(result.ms)}`);
  }

  // Serialisation alone: report() on the session, without any recompute.
  const reportOnly = [];
  for (let run = 0; run < RUNS; run += 1) {
    reportOnly.push(
      await handle.worker.evaluate(() => {
        const start = performance.now();
        self.__benchSession.report();
        const time = performance.now() - start;
        self.__benchLog.length = 0;
        return time;
      }),
    );
  }
  // How big the lean report is, and what the alternatives to JSON text cost.
  const size = await handle.worker.evaluate(() => {
    const json = self.__benchSession.report();
    const startObject = performance.now();
    const object = self.__benchSession.reportObject ? self.__benchSession.reportObject() : JSON.parse(json);
    const asObject = performance.now() - startObject;
    self.__benchLog.length = 0;
    const report = JSON.parse(json);
    const startClone = performance.now();
    structuredClone(object);
    const clone = performance.now() - startClone;
    const startParse = performance.now();
    JSON.parse(json);
    const parse = performance.now() - startParse;
    const part = (key) => JSON.stringify(report[key]).length;
    return { json: json.length, kpisJson: part('kpis'), leadLagJson: part('lead_lag'), leadLag: report.lead_lag.length, asObject, clone, parse };
  });

  // One more edit under the CPU profiler, on the page's main thread.
  const cdp = await handle.page.context().newCDPSession(handle.page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  const profiled = await edit(EDIT_KPIS[RUNS] ?? 'KPI 001');
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const mainThread = summariseProfile(profile);

  // The same edit's worker side, profiled through the browser's CDP endpoint.
  const workerProfile = await profileWorker(bench, () => edit(EDIT_KPIS[RUNS + 1] ?? 'KPI 002')).catch((error) => ({ error: error.message }));

  await handle.close();
  return { opened, edits, reportOnly, size, profiled, mainThread, workerProfile };
}

/**
 * Opening the Lead & lag tab on a 500-KPI sheet with hundreds of
 * significant pairs (browser-leadlag-500x120.csv): the first showing of a
 * report draws the view (the list and the part of the matrix in view). Each
 * run makes a new report (a horizon change) and opens the tab right after
 * its grid appears, so every run draws the view afresh.
 */
async function leadLagTab(bench) {
  const handle = await bench.openPage();
  const name = LARGE.leadlag;
  const opened = await measure(handle, { kind: 'grid', name, rows: 500 }, () => handle.page.setInputFiles('#file-input', join(OUT, name)), { timeout: 600_000 });
  if (opened.outcome !== 'rendered') throw new Error(`the 500-KPI sheet did not open: ${opened.text}`);
  const runs = [];
  for (let run = 0; run < RUNS; run += 1) {
    if (run > 0) {
      await handle.page.click('#tab-grid');
      const horizon = run % 2 ? '6' : '3';
      await measure(
        handle,
        { kind: 'grid', name, rows: 500 },
        async () => {
          await handle.page.evaluate(() => {
            window.__bench.marks.trigger = performance.timeOrigin + performance.now();
          });
          await handle.page.selectOption('#horizon-select', horizon);
        },
        { timeout: 300_000 },
      );
    }
    const result = await measure(handle, { kind: 'leadlag' }, () => handle.page.click('#tab-leadlag'));
    runs.push(result);
    log(`Lead & lag tab run ${run + 1}: ${result.text} in ${ms(result.ms)} (next frame ${ms(result.frameMs)})`);
  }
  const tested = await handle.page.evaluate(() => document.querySelector('#panel-leadlag .leadlag > .muted')?.textContent ?? '');
  await handle.close();
  return { runs, tested };
}

/**
 * Self and inclusive time per function in a CPU profile taken around one
 * measured edit: the page's own functions and the big buckets (GC, program).
 */
function summariseProfile(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  // Profile times are in µs of the monotonic clock; convert the window via the first sample.
  let time = profile.startTime;
  const start = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    time += profile.timeDeltas[index];
    const delta = profile.timeDeltas[index + 1] ?? 0;
    self.set(profile.samples[index], (self.get(profile.samples[index]) ?? 0) + delta);
  }
  const key = (node) => {
    const frame = node.callFrame;
    const name = (frame.functionName || '(anonymous)')
      .replace(/::h[0-9a-f]{16}$/, '')
      .replace(/\[[0-9a-f]{16}\]/g, '');
    if (frame.url.endsWith('.wasm')) return `${name} (wasm)`;
    const file = frame.url ? basename(new URL(frame.url, 'http://x/').pathname) : '';
    return `${name}${file ? ` (${file}:${frame.lineNumber + 1})` : ''}`;
  };
  const selfByKey = new Map();
  const inclusiveByKey = new Map();
  for (const node of profile.nodes) {
    const own = self.get(node.id) ?? 0;
    if (!own) continue;
    selfByKey.set(key(node), (selfByKey.get(key(node)) ?? 0) + own);
    // Walk up; count each distinct function once per sample stack.
    const seen = new Set();
    let current = node.id;
    while (current !== undefined) {
      const k = key(nodes.get(current));
      if (!seen.has(k)) {
        seen.add(k);
        inclusiveByKey.set(k, (inclusiveByKey.get(k) ?? 0) + own);
      }
      current = parent.get(current);
    }
  }
  const top = (map, count, filter = () => true) =>
    [...map.entries()]
      .filter(([k]) => filter(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([k, v]) => ({ fn: k, ms: v / 1000 }));
  const durationMs = (time - start) / 1000;
  return {
    durationMs,
    self: top(selfByKey, 15, (k) => k !== '(idle)'),
    inclusive: top(inclusiveByKey, 25, (k) => !/^\((root|idle|program)\)/.test(k)),
  };
}

/**
 * Profiles `action` inside the engine worker: attaches to the worker target
 * through a browser-level CDP session (non-flat attach, messages relayed as
 * strings), since Playwright gives CDP sessions for pages only.
 */
async function profileWorker(bench, action, { interval = 250 } = {}) {
  const browserSession = await bench.browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await browserSession.send('Target.getTargets');
    const worker = targetInfos.filter((target) => target.type === 'worker' && target.url.endsWith('/worker.js')).at(-1);
    if (!worker) throw new Error('no worker target found');
    const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false });
    let nextId = 1;
    const waiting = new Map();
    browserSession.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== sessionId) return;
      const message = JSON.parse(event.message);
      if (message.id && waiting.has(message.id)) {
        waiting.get(message.id)(message);
        waiting.delete(message.id);
      }
    });
    const send = (method, params = {}) =>
      new Promise((resolveSend, rejectSend) => {
        const id = nextId++;
        waiting.set(id, (message) => (message.error ? rejectSend(new Error(message.error.message)) : resolveSend(message.result)));
        browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(rejectSend);
      });
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval });
    await send('Profiler.start');
    const result = await action();
    const { profile } = await send('Profiler.stop');
    await browserSession.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    return { result, summary: summariseProfile(profile) };
  } finally {
    await browserSession.detach().catch(() => {});
  }
}

// ---- the report --------------------------------------------------------------

function phaseMedians(results) {
  const keys = ['read', 'engineRead', 'analyse', 'leadLag', 'finish', 'open', 'report', 'setTarget', 'detail', 'clone', 'deserialize', 'parse', 'render', 'frame', 'other', 'total', 'wasmMemory', 'answerChars', 'longestTask'];
  return Object.fromEntries(keys.map((k) => [k, median(results.map((result) => (k === 'longestTask' ? result.longestTask : result.phases?.[k])))]));
}

function phaseText(p) {
  const parts = [
    ['file read', p.read],
    ['engine: read', p.engineRead],
    ['analyse KPIs', p.analyse],
    ['lead/lag', p.leadLag],
    ['finish', p.finish],
    ['report()', p.report],
    ['setTarget', p.setTarget],
    ['kpi()', p.detail],
    ['postMessage', p.clone],
    ['page deserialise', p.deserialize],
    ['page JSON.parse', p.parse],
    ['render', p.render],
    ['other', p.other],
  ].filter(([label, value]) => Number.isFinite(value) && (value >= 0.05 || label === 'other'));
  const text = parts.map(([label, value]) => `${label} ${label === 'other' && Math.abs(value) < 5 ? '≈ 0' : ms(value)}`).join(' · ');
  const extra = [
    Number.isFinite(p.answerChars) ? `answer ${(p.answerChars / 1e3).toFixed(0)} kB of JSON` : null,
    Number.isFinite(p.wasmMemory) ? `wasm memory ${(p.wasmMemory / MIB).toFixed(0)} MiB` : null,
    Number.isFinite(p.longestTask) ? `longest main-thread task ${ms(p.longestTask)}` : null,
  ].filter(Boolean);
  return extra.length ? `${text} (${extra.join(', ')})` : text;
}

function environment(bench) {
  const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
  return [
    `- Chromium ${bench.version} (${CHROMIUM}), headless, playwright-core; Node ${process.version}.`,
    `- ${cpus().length} cores (${cpuModel}) **shared with other work** (builds and other benchmarks ran at the same time); load average at the start ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' / ')}. Every number is a median so one slow run does not decide it, but expect noise.`,
    `- Page served by scripts/serve.mjs on 127.0.0.1 (no compression, \`Cache-Control: no-cache\`), viewport 1366×900.`,
  ].join('\n');
}

function render(bench, results) {
  const lines = [];
  const row = (...cells) => lines.push(`| ${cells.map(cell).join(' | ')} |`);
  lines.push('# kpilot in the browser', '', `Run ${new Date().toISOString()} — \`node bench/browser.mjs\`.`, '', environment(bench), '');
  lines.push('| Measure | Result | Goal | Detail |', '|---|---|---|---|');
  const { size, load, sample, large, edit } = results; // and results.leadlag, .memory, .compare
  if (size) {
    row('wasm module, raw', bytes(size.raw), '', 'www/pkg/kpilot_bg.wasm');
    row('wasm module, gzip -9', bytes(size.gzip), '', `${((size.gzip / size.raw) * 100).toFixed(1)} % of raw (Node zlib)`);
    row('wasm module, brotli q11', bytes(size.brotli), '', `${((size.brotli / size.raw) * 100).toFixed(1)} % of raw (Node zlib)`);
  }
  if (load) {
    const cold = (k) => median(load.cold.map((entry) => entry[k]));
    const warm = (k) => median(load.warm.map((entry) => entry[k]));
    const late = [...load.cold, ...load.warm].filter((entry) => entry.settledBefore).length;
    row(
      'Module load, new visitor (fresh context)',
      ms(cold('engineReady')),
      '',
      `navigation start → wasm instantiated in the worker (its init() resolved), median of ${load.cold.length}; runs ${runsText(load.cold.map((e) => e.engineReady))}. ` +
        `Medians: main.js done ${ms(cold('pageReady'))}, worker created ${ms(cold('workerCreated'))}, wasm requested ${ms(cold('wasmRequested'))}, wasm downloaded ${ms(cold('wasmFetched'))} ` +
        `(so download ≈ ${ms(cold('wasmFetched') - cold('wasmRequested'))}; streaming compile overlaps it, compile tail + instantiate ≈ ${ms(cold('engineReady') - cold('wasmFetched'))}).` +
        (late ? ` (${late} run(s) attached late: their ready time is an upper bound.)` : ''),
    );
    row(
      'Module load, reload (same context)',
      ms(warm('engineReady')),
      '',
      `same measure after page.reload(), median of ${load.warm.length}; runs ${runsText(load.warm.map((e) => e.engineReady))}; wasm requested ${ms(warm('wasmRequested'))}, downloaded ${ms(warm('wasmFetched'))}.`,
    );
    const firstValues = load.firstOpen.map((result) => result.ms);
    row(
      'First "Try the sample" on a new page',
      ms(median(firstValues)),
      verdict(median(firstValues), 300),
      `click → grid on each fresh page once the engine is up: the first call into the module (its code not yet optimised); runs ${runsText(firstValues)}. Phases (medians): ${phaseText(phaseMedians(load.firstOpen))}.`,
    );
  }
  if (sample) {
    const variants = [
      ['Sample dropped → grid', sample.drop, 'a File with the sample bytes dropped on the page (DragEvent drop)'],
      ['"Try the sample" click → grid', sample.click, 'the page fetches sample.xlsx itself'],
      ['Sample via file picker → grid', sample.input, 'setInputFiles with the file on disk; from the change event'],
    ];
    for (const [label, runs, how] of variants) {
      const values = runs.map((result) => result.ms);
      row(
        label,
        ms(median(values)),
        verdict(median(values), 300),
        `${how}; median of ${runs.length} after the module loaded; runs ${runsText(values)}; next frame painted at ${ms(median(runs.map((r) => r.frameMs)))}. ${runs[0]?.text ?? ''}. Phases (medians): ${phaseText(phaseMedians(runs))}.`,
      );
    }
  }
  if (large) {
    const goals = { xlsx: 2500, csv38: 3000 };
    for (const [key, label] of [
      ['xlsx', '~10 MB .xlsx (daily × 40 KPIs)'],
      ['csv38', '~38 MiB .csv (long, daily × 100 KPIs)'],
      ['csv50', `~50 MB .csv (over the ${LIMIT_BYTES / 1e6} MB limit)`],
      ['csv80', `~80 MB .csv (over the ${LIMIT_BYTES / 1e6} MB limit)`],
      ['csv120', `~120 MB .csv (over the ${LIMIT_BYTES / 1e6} MB limit)`],
    ]) {
      const entry = large[key];
      if (!entry) continue;
      const values = entry.runs.map((result) => result.ms);
      const outcomes = [...new Set(entry.runs.map((result) => `${result.outcome}: ${result.text}`))].join(' / ');
      const lengths = entry.runs.map((result) => result.longestToEnd ?? result.longestTask).filter(Number.isFinite);
      const longest = lengths.length ? Math.max(...lengths) : NaN;
      const completes = entry.runs.map((result) => result.phases?.complete).filter(Number.isFinite);
      const complete = completes.length
        ? `The grid showed from the early report (before the lead/lag scan); the whole report (lead/lag, key results) followed at ${seconds(median(completes))} (runs ${runsText(completes)}). `
        : '';
      const memory = entry.memoryAfterFirst
        ? ` Tab (renderer process) memory: ${(entry.memoryBefore.now / MIB).toFixed(0)} MiB before, peak ${(entry.memoryAfterFirst.peak / MIB).toFixed(0)} MiB after the first open.`
        : '';
      row(
        `${label} via file picker → ${entry.expectError ? 'error banner' : 'grid'}`,
        seconds(median(values)),
        entry.expectError ? '' : verdict(median(values), goals[key]),
        `${entry.name}, ${bytes(entry.size)}; ${entry.runs.length} run(s): ${runsText(values)}. Outcome: ${outcomes}. ` +
          complete +
          `Longest main-thread task over all runs, until the whole report: ${ms(longest)} (goal < 100 ms).${memory} ` +
          (entry.runs.some((r) => r.phases) ? `Phases (medians): ${phaseText(phaseMedians(entry.runs.filter((r) => r.phases)))}.` : ''),
      );
    }
  }
  if (results.memory) {
    for (const entry of results.memory) {
      const answer = entry.answer ?? {};
      row(
        `Tab memory, ${(entry.size / 1e6).toFixed(0)} MB .csv`,
        answer.error ? 'failed' : `${(entry.after.peak / MIB).toFixed(0)} MiB peak`,
        '',
        `${entry.name} opened once by the engine as the page's worker runs it, in a fresh tab, without the page's limit ` +
          `(${answer.error ? `failed: ${answer.error}` : `${answer.shape?.kpis} KPIs × ${answer.shape?.periods} periods in ${seconds(entry.ms)}: ${(answer.stages ?? []).map((stage) => `${stage.what} ${ms(stage.ms)}`).join(', ')}`}): ` +
          `renderer process ${(entry.before.now / MIB).toFixed(0)} MiB before, high-water mark ${(entry.after.peak / MIB).toFixed(0)} MiB; ` +
          `wasm memory ${(entry.wasm / MIB).toFixed(0)} MiB (it never shrinks, so it is the engine's peak).` +
          (entry.overLimit ? ` Over the page's ${LIMIT_BYTES / 1e6} MB limit: the page refuses it.` : ''),
      );
    }
  }

  if (results.compare) {
    for (const entry of results.compare) {
      const kpilot = median(entry.kpilot?.times ?? []);
      const others = [
        ['SheetJS', entry.sheetjs],
        ['PapaParse', entry.papaparse],
      ].filter(([, answer]) => answer);
      const ratios = others.map(([label, answer]) => {
        const theirs = median(answer.times ?? []);
        return Number.isFinite(theirs) && Number.isFinite(kpilot) ? `kpilot / ${label} = ${(kpilot / theirs).toFixed(2)} (${(theirs / kpilot).toFixed(1)}× ${theirs >= kpilot ? 'faster' : 'slower'})` : `${label}: ${answer.error ?? '—'}`;
      });
      row(
        `Read ${entry.file} (${bytes(entry.size)}): kpilot / ${others.map(([label]) => label).join(', ')}`,
        `${ms(kpilot)} / ${others.map(([, answer]) => ms(median(answer.times ?? []))).join(' / ')}`,
        entry.key === 'tableXlsx' ? 'kpilot ≥ 3× faster than SheetJS' : entry.key === 'tableCsv' ? 'kpilot at least as fast as PapaParse' : '',
        `${ratios.join('; ')}. Medians of ${RUNS} reads of the bytes in memory, each library in its own worker of one page: ` +
          `kpilot Opening.read (bytes → KPI table: layout, periods, values; ${JSON.stringify(entry.kpilot?.shape ?? entry.kpilot?.error)}) runs ${runsText(entry.kpilot?.times ?? [])}; ` +
          others.map(([label, answer]) => `${label} ${JSON.stringify(answer.shape ?? answer.error)} runs ${runsText(answer.times ?? [])}`).join('; ') +
          '.',
      );
    }
  }
  if (edit) {
    const values = edit.edits.map((result) => result.ms);
    const p = phaseMedians(edit.edits);
    row(
      'Target edit on 500 KPIs × 120 months → new status shown',
      ms(median(values)),
      verdict(median(values), 50),
      `Enter in the grid's target input → the row's new status word in the re-rendered grid; median of ${edit.edits.length} edits (${edit.edits.map((e) => `${e.kpi}: ${e.text}`).join('; ')}); runs ${runsText(values)}; next frame at ${ms(median(edit.edits.map((r) => r.frameMs)))}.`,
    );
    row('… worker: setTarget call', ms(p.setTarget), '', 'Session.setTarget in the worker: recompute one KPI and the suggestions, write the patch (the KPI\'s lean entry, the suggestions, the headline) as JSON text');
    row('… worker: report() alone', ms(median(edit.reportOnly)), '', `the whole lean report as JSON text, for scale (an edit sends only its patch): ${(edit.size.json / 1e3).toFixed(0)} kB (${(edit.size.kpisJson / 1e3).toFixed(0)} kB kpis, ${edit.size.leadLag.toLocaleString('en-US')} significant pairs ${(edit.size.leadLagJson / 1e3).toFixed(0)} kB)`);
    row('… worker: postMessage (structured clone)', ms(p.clone), '', 'the patch, as one string');
    row('… page: deserialise + JSON.parse', ms((p.deserialize || 0) + (p.parse || 0)), '', 'reading event.data on the main thread and parsing the patch');
    row('… page: render until the status shows', ms(p.render), '', 'from the parsed patch to the MutationObserver seeing the row\'s new status (applyPatch: the row, headline, chips, key results)');
    row('… other (queueing, thread hops)', Math.abs(p.other) < 5 ? '≈ 0' : ms(p.other), '', 'the rest: input handling, waits for a busy thread');
    row('Open of the 500-KPI sheet', ms(edit.opened.ms), '', `for reference; phases: ${phaseText(edit.opened.phases)}`);
  }
  if (results.leadlag) {
    const { runs, tested } = results.leadlag;
    const values = runs.map((result) => result.ms);
    row(
      'Lead & lag tab opened on 500 KPIs × 120 months',
      ms(median(values)),
      verdict(median(values), 300),
      `click on the tab → the view in the DOM with the matrix cells in view drawn; each run a fresh report (a horizon change), so the view is drawn anew; median of ${runs.length}; runs ${runsText(values)}; next frame at ${ms(median(runs.map((r) => r.frameMs)))}. ${runs[0]?.text ?? ''}. ${tested}`,
    );
  }
  lines.push('');
  if (edit?.mainThread) {
    lines.push(`### Where a target edit's main-thread time goes (CPU profile of one more edit, ${ms(edit.profiled.ms)} end to end)`, '');
    lines.push('Inclusive time (a function and what it calls):', '');
    for (const entry of edit.mainThread.inclusive) lines.push(`- ${entry.fn}: ${ms(entry.ms)}`);
    lines.push('', 'Self time:', '');
    for (const entry of edit.mainThread.self) lines.push(`- ${entry.fn}: ${ms(entry.ms)}`);
    lines.push('');
  }
  const profileSection = (title, summary) => {
    lines.push(`### ${title}`, '', 'Inclusive time (a function and what it calls):', '');
    for (const entry of summary.inclusive) lines.push(`- ${entry.fn}: ${ms(entry.ms)}`);
    lines.push('', 'Self time:', '');
    for (const entry of summary.self) lines.push(`- ${entry.fn}: ${ms(entry.ms)}`);
    lines.push('');
  };
  if (edit?.workerProfile) {
    if (edit.workerProfile.error) lines.push(`Worker profile: not available (${edit.workerProfile.error}).`, '');
    else profileSection(`The worker's side of one edit (CPU profile, ${ms(edit.workerProfile.result.ms)} end to end)`, edit.workerProfile.summary);
  }
  for (const entry of Object.values(large ?? {})) {
    if (!entry.profile) continue;
    if (entry.profile.error) lines.push(`Worker profile of ${entry.name}: not available (${entry.profile.error}).`, '');
    else profileSection(`The worker's side of opening ${entry.name} (CPU profile, ${seconds(entry.profile.result.ms)} end to end)`, entry.profile.summary);
  }
  if (edit?.size) {
    lines.push(
      `Transfer of the 500-KPI lean report, one run each: as JSON text (report(), ${(edit.size.json / 1e3).toFixed(0)} kB) ${ms(median(edit.reportOnly))} to write + ${ms(edit.size.parse)} to JSON.parse; as a JS object through serde_wasm_bindgen (reportObject()) ${ms(edit.size.asObject)} to build + ${ms(edit.size.clone)} to structuredClone (the page pays about as much again to deserialise it).`,
      '',
    );
  }
  return lines.join('\n');
}

// ---- main ----------------------------------------------------------------------

/**
 * Installs what the benchmark needs and is missing: the page's npm packages
 * (with the project's own script), the benchmark's own (SheetJS and
 * PapaParse, bench/package.json), openpyxl for the workbooks it writes, the
 * built page (wasm engine, uPlot, sample) and Debian's Chromium. Each step
 * is skipped when its result is there.
 */
function ensurePrerequisites() {
  const run = (what, command) => {
    log(what);
    const done = spawnSync('bash', ['-c', command], { cwd: ROOT, stdio: 'inherit' });
    if (done.status !== 0) throw new Error(`${what} failed (exit ${done.status})`);
  };
  if (!existsSync(join(ROOT, 'node_modules', 'playwright-core'))) run('installing the npm packages…', 'source scripts/lib.sh && ensure_node_packages');
  if (ONLY.has('compare') && ['xlsx', 'papaparse'].some((name) => !existsSync(join(HERE, 'node_modules', name)))) {
    run('installing SheetJS and PapaParse for the side-by-side reads (bench/package.json)…', 'cd bench && npm ci --no-audit --no-fund --loglevel=error');
  }
  if (spawnSync('python3', ['-c', 'import openpyxl']).status !== 0) {
    run('installing openpyxl (the benchmark writes its workbooks with it)…', 'python3 -m pip install --quiet openpyxl || python3 -m pip install --quiet --user openpyxl');
  }
  if (['pkg/kpilot.js', 'pkg/kpilot_bg.wasm', 'sample.xlsx', 'vendor/uPlot.esm.js'].some((path) => !existsSync(join(WWW, path)))) {
    run('building the page (scripts/build-web.sh)…', './scripts/build-web.sh');
  }
  if (!existsSync(CHROMIUM)) {
    if (process.env.KPILOT_CHROMIUM) throw new Error(`No Chromium at ${CHROMIUM} (KPILOT_CHROMIUM).`);
    run('installing Chromium…', 'source scripts/lib.sh && ensure_chromium');
  }
}

async function main() {
  ensurePrerequisites();
  mkdirSync(OUT, { recursive: true });
  if (['large', 'edit', 'leadlag', 'memory', 'compare'].some((part) => ONLY.has(part))) {
    const wanted = ['large', 'memory', 'compare'].some((part) => ONLY.has(part)) ? Object.values(LARGE) : [LARGE.wide, LARGE.leadlag];
    if (wanted.some((name) => !existsSync(join(OUT, name)))) {
      log('generating the large files (bench/make_large_files.py)…');
      const made = spawnSync('python3', [join(HERE, 'make_large_files.py')], { stdio: 'inherit' });
      if (made.status !== 0) throw new Error('bench/make_large_files.py failed');
    }
  }

  const results = {};
  if (ONLY.has('size')) results.size = wasmSize();
  const bench = new Bench();
  await bench.start();
  try {
    if (ONLY.has('load')) {
      log('module load…');
      results.load = await moduleLoad(bench);
    }
    if (ONLY.has('sample')) {
      log('sample opens…');
      results.sample = await sampleOpens(bench);
    }
    if (ONLY.has('edit')) {
      log('target edits on 500 KPIs…');
      results.edit = await targetEdits(bench);
    }
    if (ONLY.has('leadlag')) {
      log('the Lead & lag tab on 500 KPIs…');
      results.leadlag = await leadLagTab(bench);
    }
    if (ONLY.has('large')) {
      log('large files…');
      results.large = await largeOpens(bench);
    }
    if (ONLY.has('memory')) {
      log('the tab\'s memory by file size…');
      results.memory = await memoryBySize(bench);
    }
    if (ONLY.has('compare')) {
      log('reading side by side with SheetJS and PapaParse…');
      results.compare = await compareReads(bench);
    }
  } finally {
    const text = render(bench, results);
    writeFileSync(join(OUT, 'browser.md'), `${text}\n`);
    writeFileSync(join(OUT, 'browser.json'), JSON.stringify(results, null, 2));
    console.log(text);
    await bench.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
