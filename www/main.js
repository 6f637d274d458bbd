// kpilot's page: takes a file from the person, hands it to the engine worker,
// and renders the report it returns — the answer first (a headline and the
// status chips), then the grid, the key results and the lead/lag view; how
// the file was read folds into one line, unless the reading is doubtful,
// when "Check how we read your file" comes first. No statistic is computed
// here: every number and sentence on screen comes from the engine (see
// worker.js for the protocol).
//
// What the person does is kept: edits can be undone and redone, and the
// file with its edits stays in this browser (store.js) until they forget it.

import { Engine } from './engine.js';
import { h, replace } from './dom.js';
import { KpiGrid, focusState, restoreFocus } from './grid.js';
import { openDetail, setUpDetail } from './detail.js';
import { renderLeadLag } from './leadlag.js';
import { download, renderSuggestions } from './suggestions.js';
import { renderCheck } from './check.js';
import { setUpIntake } from './intake.js';
import * as store from './store.js';
import { keptList, horizonSelect, readingLine, resultsToolbar, statusChips } from './overview.js';
import { HORIZONS, periodCount } from './format.js';
import { Progress } from './progress.js';

const SAMPLE = { url: 'sample.xlsx', name: 'kpilot-sample.xlsx' };
/** The width below which the grid is cards and the toolbar folds into menus (as in style.css). */
const PHONE = window.matchMedia('(max-width: 760px)');

const $ = (id) => document.getElementById(id);
const view = {
  landing: $('landing'),
  results: $('results'),
  check: $('check-panel'),
  error: $('error-banner'),
  errorTitle: $('error-title'),
  errorMessage: $('error-message'),
  errorHint: $('error-hint'),
  errorAction: $('error-action'),
  progress: $('progress'),
  progressText: $('progress-text'),
  progressEstimate: $('progress-estimate'),
  mapping: $('mapping'),
  headline: $('headline'),
  summary: $('summary'),
  toolbar: $('results-toolbar'),
  restored: $('restored-note'),
  recent: $('recent-files'),
  tabs: [...document.querySelectorAll('[role="tab"]')],
  panels: { grid: $('panel-grid'), suggestions: $('panel-suggestions'), leadlag: $('panel-leadlag') },
  counts: { grid: $('count-grid'), suggestions: $('count-suggestions'), leadlag: $('count-leadlag') },
  detail: $('detail'),
  fileInput: $('file-input'),
  targetsInput: $('targets-input'),
  dropZone: $('drop-zone'),
  announcer: $('announcer'),
  resultsHeading: $('results-heading'),
  openAnother: $('open-another'),
};

const state = {
  report: null,
  fileName: null,
  horizon: null, // periods; null until the person picks one (the engine's default applies)
  tab: 'grid',
  keyResultsStale: false, // the key-results panel awaits a rebuild (see renderKeyResults)
  openGeneration: 0,
  sheet: null, // the sheet the person picked (null: detected)
  choices: {}, // mapping fields the person set in "Check how we read your file"
  targets: null, // {name, bytes: Blob}: a metadata sheet loaded with the file
  history: [], // edits applied, in order: {kpi, field: 'target'|'direction', value}
  redo: [],
  fileId: null, // the record kept in this browser (null: not kept)
  recent: [], // the files kept in this browser, newest first
  source: null, // {blob} or {url}: the bytes of the current file, to keep them
  check: { open: false, from: 'current', preview: null, failure: null, fileName: null, busy: false, candidate: null },
  accepted: new Set(), // files whose doubtful reading the person said is right
  leadLagDrawn: false,
};

const progress = new Progress({ element: view.progress, text: view.progressText, estimate: view.progressEstimate });

const engine = new Engine({
  onProgress: (text, { remaining_ms: remaining }) => progress.update(text, remaining),
  onCrash: (message) => showError('The engine stopped', message),
});

/** Runs an engine call with the loading indicator shown if it takes longer than a blink. */
function withProgress(text, task) {
  return progress.run(text, task);
}

function announce(text) {
  view.announcer.textContent = '';
  // A fresh text node so screen readers speak a repeated message again.
  setTimeout(() => {
    view.announcer.textContent = text;
  }, 30);
}

/** Characters of an engine message shown at first; the rest opens on request. */
const MESSAGE_SHOWN = 320;

function showError(title, message, hint = '', action = null) {
  view.errorTitle.textContent = title;
  const text = String(message ?? '');
  if (text.length > MESSAGE_SHOWN) {
    const cut = text.lastIndexOf(' ', MESSAGE_SHOWN);
    const head = text.slice(0, cut > 200 ? cut : MESSAGE_SHOWN);
    replace(view.errorMessage, `${head} …`, h('details', { class: 'error-more' }, h('summary', {}, 'The whole message'), h('p', {}, text)));
  } else {
    view.errorMessage.textContent = text;
  }
  view.errorHint.textContent = hint;
  view.errorHint.hidden = !hint;
  replace(view.errorAction, action);
  view.errorAction.hidden = !action;
  view.error.hidden = false;
  view.error.focus();
}

function hideError() {
  view.error.hidden = true;
}

function baseName(fileName) {
  return (fileName ?? 'kpilot').replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'kpilot';
}

function mappingFor(choices, sheet) {
  const mapping = {};
  for (const [key, value] of Object.entries(choices ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    mapping[key] = value;
  }
  if (sheet) mapping.sheet = sheet;
  return Object.keys(mapping).length ? mapping : null;
}

// ---- opening files -----------------------------------------------------------

/**
 * Opens a new file (a File, or the sample's URL). A file that fails leaves
 * the analysis on screen as it was; the error says what the engine saw and,
 * where a corrected reading can help, offers "Check how we read your file".
 */
async function openNewFile({ file, url, name }) {
  const generation = ++state.openGeneration;
  hideError();
  if (view.detail.open) view.detail.close();
  const source = file ? { blob: file } : { url };
  let early = null;
  // The grid shows as soon as the KPIs are analysed; the lead/lag scan and
  // the key results that rest on it follow (completeScan), without drawing
  // the grid again. (The engine calls onEarly only before the answer.)
  const onEarly = (report) => {
    if (generation !== state.openGeneration) return;
    early = report;
    adoptReport(report, { name, source });
    announce(`Analysed ${name}: ${report.kpis?.length ?? 0} KPIs. Still looking for KPIs that lead others.`);
  };
  try {
    const report = await withProgress(`Reading ${name}…`, () => engine.open({ file, url, name, onEarly }));
    if (generation !== state.openGeneration) return; // a newer file was chosen meanwhile
    if (early && state.report === early) completeScan(report);
    else adoptReport(report, { name, source });
    await keepFile();
    announce(`Analysed ${name}: ${report.kpis?.length ?? 0} KPIs.`);
  } catch (failure) {
    if (generation !== state.openGeneration) return;
    reportOpenFailure(failure, name, source);
  }
}

function reportOpenFailure(failure, name, source) {
  if (failure.fatal) {
    state.report = null;
    showLanding();
    showError('The analysis engine stopped', failure.message, 'Open the file again: the page is ready for it.');
    return;
  }
  const kept = state.report ? `The analysis of ${state.fileName} is still here.` : 'Check the file, or drop another one: the page is ready for it.';
  const action = failure.previewable
    ? h('button', { type: 'button', class: 'secondary small', id: 'error-check', onclick: () => openCheck({ from: 'candidate', failure: failure.message, fileName: name, candidate: source }) }, 'Check how we read it')
    : null;
  if (!state.report) showLanding();
  showError(`Could not read “${name}”`, failure.message, kept, action);
}

/** A report of a newly opened file becomes the one shown; what was changed on the old one goes. */
function adoptReport(report, { name, source }) {
  state.report = report;
  state.fileName = name;
  state.source = source;
  state.horizon = null;
  state.sheet = null;
  state.choices = {};
  state.targets = null;
  state.history = [];
  state.redo = [];
  state.fileId = null;
  view.restored.hidden = true;
  closeCheck({ render: false });
  showResults();
  if (isDoubtful(report)) openCheck({ from: 'current' });
}

/**
 * The whole report of a file whose early report is shown: the KPIs are the
 * same (the engine analyses them before the scan; only a long series' exact
 * Theil–Sen slope comes later, and the grid shows its sign, which came
 * early), so only what the scan adds is merged and drawn again — the lead/lag view, the key results and
 * their count — and the grid, its focus and its scroll stay as they are.
 */
function completeScan(report) {
  const shown = state.report;
  for (const field of ['lead_lag', 'lead_lag_tested', 'pair_words', 'suggestions', 'headline', 'horizon']) shown[field] = report[field];
  delete shown.lead_lag_pending;
  renderHeadline(shown);
  view.counts.leadlag.textContent = String(significantPairs(shown));
  renderKeyResults(shown);
  state.leadLagDrawn = false;
  if (state.tab === 'leadlag') drawLeadLag();
  else scheduleLeadLag();
}

/** The significant pairs the report lists (an engine that sends every tested pair is filtered the same way). */
function significantPairs(report) {
  return (report.lead_lag ?? []).filter((pair) => pair.significant !== false).length;
}

function isDoubtful(report) {
  const confidence = report?.source?.confidence;
  return Boolean(confidence) && confidence !== 'high' && !state.accepted.has(state.fileName);
}

/**
 * Opens the current file again with the person's sheet, mapping and
 * metadata sheet, then replays their edits on it (a new reading starts a
 * new session). A failure keeps what is shown and is said where it happened.
 */
async function reopen({ sheet = state.sheet, choices = state.choices, targets, from = 'current', name = state.fileName } = {}) {
  const generation = ++state.openGeneration;
  hideError();
  const mapping = mappingFor(choices, sheet);
  const report = await withProgress(`Reading ${name}…`, () =>
    engine.open({ from, name, sheet, mapping, targets: targets === undefined ? undefined : targets && { name: targets.name, bytes: targets.bytes } }),
  );
  if (generation !== state.openGeneration) return null;
  let shown = report;
  let skipped = [];
  if (state.history.length || state.horizon) {
    const replayed = await engine.replay(state.history, state.horizon ?? undefined);
    shown = replayed.report;
    skipped = replayed.skipped ?? [];
  }
  if (generation !== state.openGeneration) return null;
  if (skipped.length) {
    state.history = state.history.filter((edit) => !skipped.includes(edit.kpi));
    state.redo = [];
  }
  state.report = shown;
  state.fileName = name;
  state.sheet = sheet;
  state.choices = choices;
  if (targets !== undefined) state.targets = targets;
  showResults({ focus: false });
  return { report: shown, skipped };
}

async function switchSheet(sheet) {
  try {
    await reopen({ sheet, choices: {} });
    await persist({ sheet, mapping: {} });
    if (state.check.open) openCheck({ from: 'current' });
  } catch (failure) {
    render();
    showError(`Could not read the sheet “${sheet}”`, failure.message, 'The sheet shown before is still open; pick another one.');
  }
}

// ---- "Check how we read your file" ------------------------------------------------

async function openCheck({ from = 'current', failure = null, fileName = state.fileName, candidate = null } = {}) {
  state.check = { ...state.check, open: true, from, failure, fileName, preview: null, candidate: candidate ?? state.check.candidate };
  if (from === 'candidate') state.check.choices = {};
  hideError();
  renderCheckPanel();
  // After the frame, as showResults does: scrolling lays the page out at
  // once, and a grid built in this task belongs in the frame's own layout.
  requestAnimationFrame(() => setTimeout(() => view.check.scrollIntoView?.({ block: 'start' }), 0));
  await refreshPreview();
  $('check-title')?.focus({ preventScroll: true });
}

function closeCheck({ render: again = true } = {}) {
  state.check = { ...state.check, open: false, failure: null, preview: null, from: 'current' };
  view.check.hidden = true;
  replace(view.check);
  if (again && state.report) renderReadingLine(state.report);
}

async function refreshPreview() {
  const { from } = state.check;
  const mapping = from === 'current' ? state.report?.source?.mapping ?? null : mappingFor(state.check.choices, null);
  try {
    const preview = await engine.preview({ from, sheet: from === 'current' ? state.report?.source?.sheet ?? state.sheet : null, mapping });
    if (state.check.open && state.check.from === from) {
      state.check.preview = preview;
      renderCheckPanel();
    }
  } catch (failure) {
    state.check.preview = { rows: [], columns: [], labels: [], height: 0, width: 0 };
    renderCheckPanel();
    announce(`The preview could not be made: ${failure.message}`);
  }
}

function renderCheckPanel() {
  if (!state.check.open) return;
  const { from, failure, preview, fileName, busy } = state.check;
  const choices = from === 'current' ? state.choices : state.check.choices ?? {};
  view.check.hidden = false;
  const focusedId = document.activeElement?.closest?.('#check-panel') ? document.activeElement.id : null;
  replace(
    view.check,
    renderCheck({
      report: from === 'current' ? state.report : null,
      preview,
      failure,
      fileName,
      choices,
      busy,
      onChoose: (fields) => chooseMapping(fields),
      onAccept: () => {
        state.accepted.add(state.fileName);
        closeCheck();
        announce('The reading is kept as it is.');
        view.resultsHeading.focus({ preventScroll: true });
      },
      onClose: () => closeCheck(),
    }),
  );
  if (focusedId) $(focusedId)?.focus({ preventScroll: true });
}

/** The person changed the mapping: read the file again with what they chose, at once. */
async function chooseMapping(fields) {
  const from = state.check.from;
  state.check.busy = true;
  if (from === 'candidate') state.check.choices = fields;
  renderCheckPanel();
  try {
    if (from === 'candidate') {
      const report = await withProgress(`Reading ${state.check.fileName}…`, () =>
        engine.open({ from: 'candidate', name: state.check.fileName, mapping: mappingFor(fields, null) }),
      );
      const candidate = state.check.candidate;
      adoptReport(report, { name: state.check.fileName, source: candidate ?? { blob: null } });
      state.choices = fields;
      await keepFile();
      state.check = { ...state.check, from: 'current', failure: null, busy: false };
      state.check.open = true;
      renderCheckPanel();
      await refreshPreview();
    } else {
      await reopen({ choices: fields });
      await persist({ mapping: fields });
      state.check.failure = null;
      state.check.busy = false;
      renderCheckPanel();
      await refreshPreview();
    }
    announce(`Read again: ${state.report?.kpis?.length ?? 0} KPIs, confidence ${state.report?.source?.confidence ?? 'high'}.`);
  } catch (failure) {
    state.check.busy = false;
    state.check.failure = failure.message;
    if (from === 'candidate') state.check.choices = fields;
    renderCheckPanel();
  }
}

// ---- keeping files in this browser ---------------------------------------------------

/** Keeps the current file (bytes or the sample's URL) with what was changed on it. */
async function keepFile() {
  const source = state.source;
  if (!source || (!source.blob && !source.url)) return;
  const size = source.blob?.size ?? 0;
  const id = store.fileId(state.fileName, size);
  try {
    await store.saveFile({
      id,
      name: state.fileName,
      size,
      bytes: source.blob ?? null,
      url: source.url ?? null,
      sheet: state.sheet,
      mapping: state.choices,
      edits: state.history,
      horizon: state.horizon,
      targets: state.targets,
    });
    state.fileId = id;
    await renderRecent();
  } catch {
    state.fileId = null; // a browser that keeps nothing (private mode): the page works the same
  }
}

async function persist(fields = {}) {
  if (!state.fileId) return;
  try {
    await store.updateFile(state.fileId, { edits: state.history, horizon: state.horizon, sheet: state.sheet, mapping: state.choices, targets: state.targets, ...fields });
  } catch {
    // Nothing kept is lost from the page itself.
  }
}

/** Opens a kept file again, with its sheet, mapping, metadata sheet and edits. */
async function restoreFile(id, { automatic = false } = {}) {
  let record;
  try {
    record = await store.loadFile(id);
  } catch {
    return;
  }
  if (!record) return;
  const generation = ++state.openGeneration;
  hideError();
  try {
    const mapping = mappingFor(record.mapping, record.sheet);
    const targets = record.targets ? { name: record.targets.name, bytes: record.targets.bytes } : null;
    let report = await withProgress(`Opening ${record.name} again…`, () =>
      engine.open({ file: record.bytes ?? undefined, url: record.bytes ? undefined : record.url, name: record.name, sheet: record.sheet, mapping, targets }),
    );
    const edits = Array.isArray(record.edits) ? record.edits : [];
    if (edits.length || Number.isInteger(record.horizon)) {
      const replayed = await engine.replay(edits, Number.isInteger(record.horizon) ? record.horizon : undefined);
      report = replayed.report;
    }
    if (generation !== state.openGeneration) return;
    adoptReport(report, { name: record.name, source: record.bytes ? { blob: record.bytes } : { url: record.url } });
    state.sheet = record.sheet ?? null;
    state.choices = record.mapping ?? {};
    state.targets = record.targets ?? null;
    state.history = edits;
    state.horizon = Number.isInteger(record.horizon) ? record.horizon : null;
    state.fileId = record.id;
    await store.updateFile(record.id, {});
    await renderRecent();
    render();
    view.restored.hidden = false;
    replace(
      view.restored,
      h('span', {}, `${automatic ? 'Restored' : 'Opened'} ${record.name}${edits.length ? ` with your ${edits.length} ${edits.length === 1 ? 'edit' : 'edits'}` : ''}, kept in this browser. `),
      h('button', { type: 'button', class: 'link-button', id: 'restored-forget', onclick: () => forgetCurrent() }, 'Forget it'),
    );
  } catch (failure) {
    if (generation !== state.openGeneration) return;
    showError(`Could not open “${record.name}” again`, failure.message, 'It is still kept; forget it from the list of recent files if it no longer opens.');
  }
}

async function forgetCurrent() {
  if (state.fileId) await store.forgetFile(state.fileId).catch(() => {});
  state.fileId = null;
  view.restored.hidden = true;
  await renderRecent();
  announce(`${state.fileName} is no longer kept in this browser.`);
}

/** Reads the kept files again and shows them: on the landing, and in the results' toolbar. */
async function renderRecent() {
  try {
    state.recent = await store.recentFiles();
  } catch {
    state.recent = [];
  }
  const files = state.recent;
  view.recent.hidden = files.length === 0;
  replace(view.recent, files.length ? [h('h2', {}, 'Kept in this browser'), keptList(files, keptOptions())] : null);
  renderToolbar();
}

/** What the lists of kept files do. */
function keptOptions() {
  return {
    currentId: state.fileId,
    onOpen: (file) => restoreFile(file.id),
    onForget: async (file) => {
      await store.forgetFile(file.id).catch(() => {});
      if (file.id === state.fileId) {
        state.fileId = null;
        view.restored.hidden = true;
      }
      renderRecent();
    },
    onForgetAll: async () => {
      await store.forgetAll().catch(() => {});
      state.fileId = null;
      view.restored.hidden = true;
      renderRecent();
      announce('Nothing is kept in this browser any more.');
    },
  };
}

// ---- edits, undo and redo ------------------------------------------------------------

/**
 * Applies an edit and shows its result: setHorizon answers with a new report
 * (everything is rendered again), the others with a patch of one KPI (only
 * what it changes is rendered again, see applyPatch).
 */
async function edit(task, doneMessage) {
  try {
    const answer = await withProgress('Recomputing…', task);
    announce(doneMessage); // first: applyPatch ends with the one layout, this write included
    if (isPatch(answer)) applyPatch(answer);
    else {
      state.report = answer;
      render();
    }
    return answer;
  } catch (failure) {
    if (failure.fatal) {
      // The engine was restarted without the file: start over rather than edit a ghost.
      state.report = null;
      showLanding();
      showError('The analysis engine stopped', failure.message, 'Open the file again to continue.');
    }
    throw failure;
  }
}

function record(change) {
  state.history.push(change);
  state.redo = [];
  renderToolbar();
  persist();
}

function describeEdit({ kpi, field, value }) {
  if (field === 'direction') return `${kpi}: ${value === 'lower_is_better' ? 'lower' : 'higher'} is better`;
  return value ? `target of ${kpi} set to ${value}` : `target of ${kpi} cleared`;
}

async function undo() {
  const last = state.history.at(-1);
  if (!last) return;
  const remaining = state.history.slice(0, -1).filter((change) => change.kpi === last.kpi);
  try {
    await edit(() => engine.reset(last.kpi, remaining), `Undone: ${describeEdit(last)}.`);
    state.history.pop();
    state.redo.push(last);
    renderToolbar();
    persist();
  } catch (failure) {
    showError('Could not undo', failure.message);
  }
}

async function redo() {
  const next = state.redo.at(-1);
  if (!next) return;
  try {
    await edit(() => (next.field === 'direction' ? engine.setDirection(next.kpi, next.value) : engine.setTarget(next.kpi, next.value)), `Redone: ${describeEdit(next)}.`);
    state.redo.pop();
    state.history.push(next);
    renderToolbar();
    persist();
  } catch (failure) {
    showError('Could not redo', failure.message);
  }
}

const callbacks = {
  onOpenDetail: (name) => showDetail(name),
  onSetTarget: async (name, text) => {
    const answer = await edit(() => engine.setTarget(name, text), text ? `Target of ${name} set to ${text}.` : `Target of ${name} cleared.`);
    record({ kpi: name, field: 'target', value: text });
    return answer;
  },
  onSetDirection: (name, direction) =>
    edit(() => engine.setDirection(name, direction), `${name}: ${direction === 'lower_is_better' ? 'lower' : 'higher'} is better.`)
      .then(() => record({ kpi: name, field: 'direction', value: direction }))
      .catch((failure) => showError(`Could not change the direction of ${name}`, failure.message)),
  onViewChange: () => renderSummary(state.report),
};

const grid = new KpiGrid(callbacks);

/** Opens the detail of the KPI named `name`: its full series come from the engine now. */
async function showDetail(name) {
  const report = state.report;
  const index = report?.kpis?.findIndex((kpi) => kpi.name === name) ?? -1;
  if (index < 0) return;
  const generation = state.openGeneration;
  let detail;
  try {
    detail = await engine.detail(index);
  } catch (failure) {
    showError(`Could not show “${name}”`, failure.message);
    return;
  }
  // Another file or reading since? (The report of the same reading may have
  // been completed by its lead/lag scan meanwhile: the detail waited for it.)
  if (generation !== state.openGeneration || state.report?.kpis?.[index]?.name !== name) return;
  openDetail(view.detail, state.report, detail, { onOpen: showDetail, onDirection: callbacks.onSetDirection });
}

function currentHorizon() {
  const frequency = state.report?.source?.frequency;
  const reported = state.report?.horizon;
  return Number.isInteger(reported) ? reported : state.horizon ?? HORIZONS[frequency]?.[0] ?? null;
}

// ---- rendering -------------------------------------------------------------

function showLanding() {
  view.results.hidden = true;
  view.landing.hidden = false;
  view.openAnother.hidden = true;
  document.body.classList.remove('has-results');
  renderRecent();
}

function showResults({ focus = true } = {}) {
  view.landing.hidden = true;
  view.results.hidden = false;
  view.openAnother.hidden = false;
  document.body.classList.add('has-results');
  render();
  if (focus) {
    // After the frame: scrollTo() and focus() lay the page out at once, and a
    // new grid's first layout belongs in the frame, not in the task that built it.
    requestAnimationFrame(() =>
      setTimeout(() => {
        window.scrollTo({ top: 0 });
        view.resultsHeading.focus({ preventScroll: true });
      }, 0),
    );
  }
}

function render() {
  const report = state.report;
  if (!report) return;
  const focusedKey = document.activeElement?.dataset?.focusKey ?? null;

  renderReadingLine(report);
  renderHeadline(report);
  renderToolbar();
  const kpiCount = report.kpis?.length ?? 0;
  view.counts.grid.textContent = String(kpiCount);
  view.counts.leadlag.textContent = report.lead_lag_pending ? '…' : String(significantPairs(report));

  if (kpiCount) {
    replace(view.panels.grid, grid.show(report, gridContext(report), [horizonControl(report)]));
  } else {
    replace(view.panels.grid, h('p', { class: 'empty-state' }, 'No KPIs were found in this sheet.'));
    renderSummary(report);
  }
  renderKeyResults(report, { force: true });
  // The lead/lag view is drawn when it is first shown (or printed): an edit
  // does not change it, and a large sheet's matrix costs nothing until then.
  state.leadLagDrawn = false;
  replace(view.panels.leadlag);
  if (state.tab === 'leadlag') drawLeadLag();
  else scheduleLeadLag();

  if (view.detail.open && view.detail.dataset.kpi) showDetail(view.detail.dataset.kpi);
  else if (focusedKey) {
    const again = [...document.querySelectorAll('[data-focus-key]')].find((element) => element.dataset.focusKey === focusedKey);
    again?.focus({ preventScroll: true });
  }
  if (state.check.open && state.check.from === 'current') renderCheckPanel();
}

let leadLagTimer = null;
function scheduleLeadLag() {
  clearTimeout(leadLagTimer);
  // After the grid is on screen, so print and a later click find it drawn.
  leadLagTimer = setTimeout(() => drawLeadLag(), 400);
}

function drawLeadLag() {
  clearTimeout(leadLagTimer);
  if (state.leadLagDrawn || !state.report) return;
  state.leadLagDrawn = true;
  replace(view.panels.leadlag, renderLeadLag(state.report, { onOpen: showDetail }));
}

function renderHeadline(report) {
  view.headline.textContent = typeof report.headline === 'string' ? report.headline : '';
  view.headline.hidden = !view.headline.textContent;
}

/**
 * The key-results tab's count, and its panel when it is shown: an edit
 * while another tab is open only marks the panel stale, and showing (or
 * printing) it rebuilds it — on a 500-KPI sheet the hidden rebuild was most
 * of an edit's time.
 */
function renderKeyResults(report, { force = false } = {}) {
  const krCount = (report.suggestions ?? []).filter((s) => s.kind === 'primary' || s.kind === 'supporting').length;
  view.counts.suggestions.textContent = String(krCount);
  state.keyResultsStale = !force && state.tab !== 'suggestions';
  if (state.keyResultsStale) return;
  replace(
    view.panels.suggestions,
    renderSuggestions(report, {
      onOpen: showDetail,
      exportAs: (format) => engine.export(format),
      baseName: baseName(state.fileName),
      announce,
    }),
  );
}

/** An edit's answer: `{kpi_index, kpi, suggestions}` (a whole report has `kpis` instead). */
function isPatch(answer) {
  return Boolean(answer) && Number.isInteger(answer.kpi_index) && answer.kpi && typeof answer.kpi === 'object' && !Array.isArray(answer.kpis);
}

/**
 * Merges an edit's patch into the report and renders only what it changes:
 * the KPI's grid row (swapped in place, so the other rows and the grid's
 * order stay as they are — "Re-sort" offers the new order), the headline,
 * the health counts, the key results and the detail view if it shows that
 * KPI. Nothing here reads layout between writes, so the page is laid out
 * once per edit.
 */
function applyPatch({ kpi_index: index, kpi, suggestions, headline }) {
  const report = state.report;
  if (!report || !Array.isArray(report.kpis) || report.kpis[index]?.name !== kpi.name) return; // a report opened since
  report.kpis[index] = kpi;
  if (Array.isArray(suggestions)) report.suggestions = suggestions;
  if (typeof headline === 'string') report.headline = headline;

  const focused = document.activeElement;
  const oldRow = grid.rows[index];
  const focus = oldRow && focused !== oldRow && oldRow.contains(focused) ? focusState(focused) : null;
  const { row: newRow } = grid.patch(index, kpi, gridContext(report));
  renderHeadline(report);
  renderSummary(report);
  renderKeyResults(report);
  if (view.detail.open) {
    // Modal: the grid behind it cannot take focus; closing it finds its opener again.
    if (view.detail.dataset.kpi === kpi.name) showDetail(kpi.name);
  } else if (focus) {
    // Last, after every DOM write: focus() makes the browser lay the page out
    // (preventScroll or not), and this way that layout is the only one — the
    // frame that follows finds nothing left to lay out.
    restoreFocus(focus, newRow);
  }
}

/** What the grid's rows need of the report besides their KPI. */
function gridContext(report) {
  return { frequency: report.source?.frequency, horizon: currentHorizon(), periods: report.periods ?? [] };
}

function horizonControl(report) {
  const frequency = report.source?.frequency;
  return horizonSelect(report, {
    current: currentHorizon(),
    onChange: (periodsAhead) => {
      state.horizon = periodsAhead;
      edit(() => engine.setHorizon(periodsAhead), `Forecast horizon set to ${periodCount(periodsAhead, frequency)}.`)
        .then(() => persist())
        .catch((failure) => showError('Could not change the forecast horizon', failure.message));
    },
  });
}

/** How the file was read, in one line; the notes and the check open on demand. */
function renderReadingLine(report) {
  replace(
    view.mapping,
    readingLine(report, {
      fileName: state.fileName,
      targetsName: state.targets?.name ?? null,
      checkOpen: state.check.open,
      onSheet: (sheet) => switchSheet(sheet),
      onCheck: () => (state.check.open ? closeCheck() : openCheck({ from: 'current' })),
    }),
  );
}

/** The status chips: counts that are also the grid's filters. */
function renderSummary(report) {
  if (!report) return;
  replace(
    view.summary,
    statusChips(report, {
      active: grid.statuses,
      onToggle: (key) => {
        grid.toggleStatus(key);
        if (state.tab !== 'grid') selectTab('grid');
      },
      onClear: () => grid.setStatuses([]),
    }),
  );
}

/** Undo / redo, keeping, sharing and the metadata sheet. */
function renderToolbar() {
  if (!state.report) return;
  const last = state.history.at(-1);
  const next = state.redo.at(-1);
  replace(
    view.toolbar,
    resultsToolbar({
      undoTitle: last ? describeEdit(last) : null,
      redoTitle: next ? describeEdit(next) : null,
      shareOpen: $('share-menu')?.open ?? !PHONE.matches, // kept open as the person left it
      keptOpen: $('kept-menu')?.open ?? false, // a re-render (the scan's end, a save) leaves it open
      kept: Boolean(state.fileId),
      recent: state.recent ?? [],
      keptOptions: keptOptions(),
      actions: {
        undo,
        redo,
        saveTargets: (format) => saveMetadata(format),
        loadTargets: () => view.targetsInput.click(),
        saveReport: () => saveReport(),
        print: () => {
          drawLeadLag();
          window.print();
        },
        forget: () => forgetCurrent(),
      },
    }),
  );
}

async function saveMetadata(format) {
  try {
    const bytes = await engine.metadata(format);
    const type = format === 'xlsx' ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv;charset=utf-8';
    download(bytes, `${baseName(state.fileName)}-targets.${format}`, type);
    announce(`The targets and directions were saved as ${format.toUpperCase()}.`);
  } catch (failure) {
    showError('Could not save the targets', failure.message);
  }
}

async function saveReport() {
  try {
    download(await engine.export('html'), `${baseName(state.fileName)}-kpilot-report.html`, 'text/html;charset=utf-8');
    announce('The HTML report download started.');
  } catch (failure) {
    showError('Could not write the report', failure.message);
  }
}

async function loadMetadata(file) {
  if (!file) return;
  const targets = { name: file.name, bytes: file };
  try {
    await reopen({ targets });
    await persist();
    announce(`Targets and directions read from ${file.name}.`);
  } catch (failure) {
    render();
    showError(`Could not use “${file.name}” as a metadata sheet`, failure.message, `The analysis of ${state.fileName} is unchanged.`);
  }
}

// ---- tabs ------------------------------------------------------------------

function selectTab(name, { focus = false } = {}) {
  state.tab = name;
  for (const tab of view.tabs) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  if (name === 'leadlag') drawLeadLag();
  if (name === 'suggestions' && state.keyResultsStale && state.report) renderKeyResults(state.report);
  for (const [key, panel] of Object.entries(view.panels)) panel.hidden = key !== name;
}

for (const tab of view.tabs) {
  tab.addEventListener('click', () => selectTab(tab.dataset.tab));
  tab.addEventListener('keydown', (event) => {
    const index = view.tabs.indexOf(tab);
    const move = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: view.tabs.length - 1 - index }[event.key];
    if (move === undefined) return;
    event.preventDefault();
    const next = view.tabs[(index + move + view.tabs.length) % view.tabs.length];
    selectTab(next.dataset.tab, { focus: true });
  });
}

window.addEventListener('beforeprint', () => {
  grid.complete();
  drawLeadLag();
  if (state.keyResultsStale && state.report) renderKeyResults(state.report, { force: true });
});

// Undo and redo from the keyboard, except where the keys edit text.
document.addEventListener('keydown', (event) => {
  if (!(event.ctrlKey || event.metaKey) || !state.report) return;
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target?.isContentEditable) return;
  const key = event.key.toLowerCase();
  if (key === 'z' && !event.shiftKey) {
    event.preventDefault();
    undo();
  } else if ((key === 'z' && event.shiftKey) || key === 'y') {
    event.preventDefault();
    redo();
  }
});

// ---- getting a file ----------------------------------------------------------

setUpIntake({ input: view.fileInput, dropZone: view.dropZone, onFile: (file) => openNewFile({ file, name: file.name }) });
view.targetsInput.addEventListener('change', () => {
  loadMetadata(view.targetsInput.files?.[0]);
  view.targetsInput.value = '';
});
for (const button of document.querySelectorAll('[data-action="try-sample"]')) button.addEventListener('click', () => openNewFile(SAMPLE));
$('error-dismiss').addEventListener('click', hideError);

// Installable and offline: the service worker keeps the page, the engine and the sample.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('sw.js').catch(() => {});
}

setUpDetail(view.detail);
selectTab('grid');

// The last file kept in this browser comes back with its edits.
(async () => {
  let files = [];
  try {
    files = await store.recentFiles();
  } catch {
    files = [];
  }
  await renderRecent();
  document.body.classList.add('ready');
  if (files.length && !state.report) await restoreFile(files[0].id, { automatic: true });
})();
