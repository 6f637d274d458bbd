// The page's side of the worker protocol (documented at the top of worker.js):
// one promise per request, progress callbacks, answers sent as JSON text
// parsed here, and a fresh worker when the WebAssembly instance traps, so
// the next file still works.

/**
 * Counts of requests sent, by type, and how many are still in flight; the
 * browser tests read it to prove an edit did not re-open the file.
 */
const stats = {
  open: 0,
  preview: 0,
  setTarget: 0,
  setDirection: 0,
  reset: 0,
  replay: 0,
  setHorizon: 0,
  detail: 0,
  export: 0,
  metadata: 0,
  pending: 0,
  progress: 0,
  early: 0,
  workersStarted: 0,
};
globalThis.__kpilotStats = stats;

export class Engine {
  /**
   * `onProgress(text, {stage, remaining_ms})` is called with the worker's
   * progress messages; `onCrash(message)` when the worker cannot start.
   */
  constructor({ onProgress = () => {}, onCrash = () => {} } = {}) {
    this.onProgress = onProgress;
    this.onCrash = onCrash;
    this.nextId = 1;
    this.pending = new Map();
    this.broken = null;
    this.start();
  }

  start() {
    stats.workersStarted += 1;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'kpilot-engine' });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      // The worker script itself failed (most often: the engine was never
      // built). Restarting would fail the same way, so stop here.
      this.broken =
        'The analysis engine could not be loaded. If you built kpilot yourself, run scripts/build-web.sh and reload the page.';
      for (const { reject } of this.pending.values()) reject(new Error(this.broken));
      this.pending.clear();
      this.worker.terminate();
      this.onCrash(this.broken);
    };
  }

  receive(message) {
    const entry = this.pending.get(message?.id);
    if (!entry) return;
    if ('progress' in message) {
      stats.progress += 1;
      this.onProgress(message.progress, { stage: message.stage ?? null, remaining_ms: message.remaining_ms ?? null });
      return;
    }
    if (message.early) {
      // The KPIs are analysed and the lead/lag scan runs: the grid can show.
      stats.early += 1;
      try {
        entry.onEarly?.(JSON.parse(message.json));
      } catch {
        // The answer that follows is complete; a bad early one only shows later.
      }
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) {
      if (typeof message.json !== 'string') {
        entry.resolve(message.value);
        return;
      }
      try {
        entry.resolve(JSON.parse(message.json));
      } catch (error) {
        entry.reject(error);
      }
      return;
    }
    entry.reject(Object.assign(new Error(message.error), { fatal: Boolean(message.fatal), previewable: Boolean(message.previewable) }));
    if (message.fatal) {
      // The instance trapped: its memory can no longer be trusted.
      this.worker.terminate();
      this.start();
    }
  }

  /** `onEarly(report)`, when given, receives a report sent before the answer (see worker.js). */
  request(type, fields = {}, { onEarly = null } = {}) {
    stats[type] = (stats[type] ?? 0) + 1;
    const id = this.nextId++;
    if (this.broken) return Promise.reject(new Error(this.broken));
    stats.pending += 1;
    const settled = () => {
      stats.pending -= 1;
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        onEarly,
        resolve: (value) => {
          settled();
          resolve(value);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      });
      this.worker.postMessage({ id, type, ...fields, ...(onEarly ? { early: true } : {}) });
    });
  }

  /**
   * Opens a file: `{file}` (a File or Blob), `{url}` (same origin), or with
   * `from: 'current' | 'candidate'` the open file or the last one that failed
   * (see worker.js). `targets` undefined keeps the loaded metadata sheet.
   * `onEarly(report)` receives the report of the KPIs alone while the
   * lead/lag scan still runs (`lead_lag_pending: true`); the promise then
   * resolves with the whole report.
   */
  open({ file, url, from, name, sheet, mapping, targets, onEarly = null }) {
    const source = from ?? (file ? 'file' : url ? 'url' : 'current');
    return this.request('open', { from: source, file, url, name, sheet: sheet ?? null, mapping: mapping ?? null, targets }, { onEarly });
  }
  preview({ from = 'current', sheet, mapping } = {}) {
    return this.request('preview', { from, sheet: sheet ?? null, mapping: mapping ?? null });
  }
  reset(kpi, edits) {
    return this.request('reset', { kpi, edits });
  }
  replay(edits, horizon) {
    return this.request('replay', { edits, horizon });
  }
  /** The KPI at `index` of report.kpis in full, with its sentences: `{kpi, words}`. */
  detail(index) {
    return this.request('detail', { index });
  }
  metadata(format) {
    return this.request('metadata', { format });
  }
  setTarget(kpi, text) {
    return this.request('setTarget', { kpi, text });
  }
  setDirection(kpi, direction) {
    return this.request('setDirection', { kpi, direction });
  }
  setHorizon(periods) {
    return this.request('setHorizon', { periods });
  }
  export(format) {
    return this.request('export', { format });
  }
}
