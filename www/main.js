// kpilot's page: takes a file from the person, hands it to the engine worker,
// and renders the report it returns. No statistic is computed here — every
// number on screen comes from the engine (see worker.js for the protocol).

import { Engine } from './engine.js';
import { h, replace } from './dom.js';
import { findRow, renderGrid, renderRow } from './grid.js';
import { openDetail, setUpDetail } from './detail.js';
import { renderLeadLag } from './leadlag.js';
import { renderSuggestions } from './suggestions.js';
import { FREQUENCY, HEALTH, HORIZONS, LAYOUT, formatPeriod, periodCount } from './format.js';

const SAMPLE = { url: 'sample.xlsx', name: 'kpilot-sample.xlsx' };
const SHOW_PROGRESS_AFTER_MS = 150;

const $ = (id) => document.getElementById(id);
const view = {
  landing: $('landing'),
  results: $('results'),
  error: $('error-banner'),
  errorTitle: $('error-title'),
  errorMessage: $('error-message'),
  errorHint: $('error-hint'),
  progress: $('progress'),
  progressText: $('progress-text'),
  mapping: $('mapping'),
  summary: $('summary'),
  tabs: [...document.querySelectorAll('[role="tab"]')],
  panels: { grid: $('panel-grid'), suggestions: $('panel-suggestions'), leadlag: $('panel-leadlag') },
  counts: { grid: $('count-grid'), suggestions: $('count-suggestions'), leadlag: $('count-leadlag') },
  detail: $('detail'),
  fileInput: $('file-input'),
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
  openGeneration: 0,
};

const engine = new Engine({
  onProgress: (text) => {
    view.progressText.textContent = text;
  },
  onCrash: (message) => showError('The engine stopped', message),
});

/** Runs an engine call with the loading indicator shown if it takes longer than a blink. */
async function withProgress(text, task) {
  view.progressText.textContent = text;
  const timer = setTimeout(() => {
    view.progress.hidden = false;
    document.body.setAttribute('aria-busy', 'true');
  }, SHOW_PROGRESS_AFTER_MS);
  try {
    return await task();
  } finally {
    clearTimeout(timer);
    view.progress.hidden = true;
    document.body.removeAttribute('aria-busy');
  }
}

function announce(text) {
  view.announcer.textContent = '';
  // A fresh text node so screen readers speak a repeated message again.
  setTimeout(() => {
    view.announcer.textContent = text;
  }, 30);
}

function showError(title, message, hint = '') {
  view.errorTitle.textContent = title;
  view.errorMessage.textContent = message;
  view.errorHint.textContent = hint;
  view.errorHint.hidden = !hint;
  view.error.hidden = false;
  view.error.focus();
}

function hideError() {
  view.error.hidden = true;
}

function baseName(fileName) {
  return (fileName ?? 'kpilot').replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'kpilot';
}

/** Opens a file (a File, the sample URL, or — with neither — the last file with another sheet). */
async function openSource({ file, url, name, sheet }) {
  const generation = ++state.openGeneration;
  hideError();
  if (view.detail.open) view.detail.close();
  try {
    const report = await withProgress(`Reading ${name}…`, () => engine.open({ file, url, name, sheet }));
    if (generation !== state.openGeneration) return; // a newer file was chosen meanwhile
    state.report = report;
    state.fileName = name;
    if (file || url) state.horizon = null;
    showResults();
    announce(`Analysed ${name}: ${report.kpis?.length ?? 0} KPIs.`);
  } catch (failure) {
    if (generation !== state.openGeneration) return;
    if (!file && !url && state.report && !failure.fatal) {
      // A sheet that could not be read: the worker kept the sheet shown before.
      render();
      showError(`Could not read the sheet “${sheet}”`, failure.message, 'The sheet shown before is still open; pick another one.');
      return;
    }
    state.report = null;
    showLanding();
    showError(`Could not read “${name}”`, failure.message, 'Check the file, or drop another one: the page is ready for it.');
  }
}

function showLanding() {
  view.results.hidden = true;
  view.landing.hidden = false;
  view.openAnother.hidden = true;
  document.body.classList.remove('has-results');
}

function showResults() {
  view.landing.hidden = true;
  view.results.hidden = false;
  view.openAnother.hidden = false;
  document.body.classList.add('has-results');
  render();
  view.resultsHeading.focus({ preventScroll: true });
  window.scrollTo({ top: 0 });
}

/**
 * Applies an edit and shows its result: setHorizon answers with a new report
 * (everything is rendered again), setTarget / setDirection with a patch of one
 * KPI (only what it changes is rendered again, see applyPatch).
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

const callbacks = {
  onOpenDetail: (name) => showDetail(name),
  onSetTarget: (name, text) => edit(() => engine.setTarget(name, text), text ? `Target of ${name} set to ${text}.` : `Target of ${name} cleared.`),
  onSetDirection: (name, direction) =>
    edit(() => engine.setDirection(name, direction), `${name}: ${direction === 'lower_is_better' ? 'lower' : 'higher'} is better.`).catch(
      (failure) => showError(`Could not change the direction of ${name}`, failure.message),
    ),
};

function showDetail(name) {
  openDetail(view.detail, state.report, name, { horizon: currentHorizon(), onOpen: showDetail });
}

function currentHorizon() {
  const frequency = state.report?.source?.frequency;
  const reported = state.report?.horizon;
  return Number.isInteger(reported) ? reported : state.horizon ?? HORIZONS[frequency]?.[0] ?? null;
}

// ---- rendering -------------------------------------------------------------

function render() {
  const report = state.report;
  if (!report) return;
  const focusedKey = document.activeElement?.dataset?.focusKey ?? null;

  renderMapping(report);
  renderSummary(report);
  const kpiCount = report.kpis?.length ?? 0;
  // report.lead_lag holds the significant pairs (an engine that sends every
  // tested pair is filtered the same way); lead_lag_tested counts them all.
  const leadCount = (report.lead_lag ?? []).filter((pair) => pair.significant !== false).length;
  view.counts.grid.textContent = String(kpiCount);
  view.counts.leadlag.textContent = String(leadCount);

  replace(view.panels.grid, kpiCount ? renderGrid(report, callbacks, { horizon: currentHorizon() }) : h('p', { class: 'empty-state' }, 'No KPIs were found in this sheet.'));
  renderKeyResults(report);
  replace(view.panels.leadlag, renderLeadLag(report, { onOpen: showDetail }));

  if (view.detail.open && view.detail.dataset.kpi) showDetail(view.detail.dataset.kpi);
  else if (focusedKey) {
    const again = [...document.querySelectorAll('[data-focus-key]')].find((element) => element.dataset.focusKey === focusedKey);
    again?.focus({ preventScroll: true });
  }
}

/** The key-results panel and its tab's count. */
function renderKeyResults(report) {
  const krCount = (report.suggestions ?? []).filter((s) => s.kind === 'primary' || s.kind === 'supporting').length;
  view.counts.suggestions.textContent = String(krCount);
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
 * order stay as they are), the health counts, the key results and the detail
 * view if it shows that KPI. Nothing here reads layout between writes, so
 * the page is laid out once per edit.
 */
function applyPatch({ kpi_index: index, kpi, suggestions }) {
  const report = state.report;
  if (!report || !Array.isArray(report.kpis) || report.kpis[index]?.name !== kpi.name) return; // a report opened since
  report.kpis[index] = kpi;
  if (Array.isArray(suggestions)) report.suggestions = suggestions;

  const oldRow = findRow(view.panels.grid, index);
  let newRow = null;
  let focus = null;
  if (oldRow) {
    newRow = renderRow(kpi, index, callbacks, { frequency: report.source?.frequency, horizon: currentHorizon() });
    const focused = document.activeElement;
    if (focused !== oldRow && oldRow.contains(focused)) focus = focusState(focused);
    oldRow.replaceWith(newRow);
  }
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

/** What to restore of the focused control `element` once its row is rebuilt (read before any DOM write). */
function focusState(element) {
  const key = element.dataset?.focusKey ?? null;
  const typing = element instanceof HTMLInputElement && Boolean(element.dataset.edited);
  return {
    key,
    field: key?.slice(key.lastIndexOf('\u0000') + 1) ?? null,
    // Text typed into the target box since the edit was sent comes along.
    typed: typing ? { value: element.value, start: element.selectionStart, end: element.selectionEnd, direction: element.selectionDirection ?? 'none' } : null,
  };
}

/**
 * Puts focus on the same control in the rebuilt `row` (or the closest one
 * left: a "Use …" suggestion button goes once a target is set), without
 * scrolling. The caret is placed before focusing (on an unfocused input that
 * only records it).
 */
function restoreFocus({ key, field, typed }, row) {
  const controls = [...row.querySelectorAll('[data-focus-key]')];
  const same = controls.find((element) => element.dataset.focusKey === key);
  const target =
    same ??
    (field === 'suggestion' ? controls.find((element) => element.classList.contains('target-input')) : null) ??
    controls.find((element) => element.classList.contains('kpi-name'));
  if (!target) return;
  if (target instanceof HTMLInputElement) {
    if (typed && same) {
      target.value = typed.value;
      target.dataset.edited = 'true';
      target.setSelectionRange(typed.start, typed.end, typed.direction);
    } else {
      target.setSelectionRange(target.value.length, target.value.length);
    }
  }
  target.focus({ preventScroll: true });
}

function mappingItem(label, ...value) {
  return h('div', { class: 'mapping-item' }, h('span', { class: 'mapping-label' }, label), h('span', { class: 'mapping-value' }, value));
}

function renderMapping(report) {
  const source = report.source ?? {};
  const sheets = Array.isArray(source.sheets) ? source.sheets : [];
  const frequency = source.frequency;
  const periods = report.kpis?.[0]?.periods ?? [];
  const span = periods.length ? `${formatPeriod(periods[0])} – ${formatPeriod(periods[periods.length - 1])}` : '';

  const sheetControl =
    sheets.length > 1
      ? h(
          'select',
          {
            id: 'sheet-select',
            'aria-label': 'Sheet',
            dataset: { focusKey: 'sheet' },
            value: source.sheet ?? '',
            onchange: (event) => openSource({ name: state.fileName, sheet: event.target.value }),
          },
          sheets.map((sheet) => h('option', { value: sheet }, sheet)),
        )
      : source.sheet ?? '—';

  const horizons = HORIZONS[frequency] ?? HORIZONS.irregular;
  const current = currentHorizon();
  const options = [...new Set([current, ...horizons].filter(Number.isInteger))].sort((a, b) => a - b);
  const horizonControl = h(
    'select',
    {
      id: 'horizon-select',
      'aria-label': 'Forecast horizon',
      dataset: { focusKey: 'horizon' },
      value: current !== null ? String(current) : '',
      onchange: (event) => {
        const periodsAhead = Number(event.target.value);
        state.horizon = periodsAhead;
        edit(() => engine.setHorizon(periodsAhead), `Forecast horizon set to ${periodCount(periodsAhead, frequency)}.`).catch((failure) =>
          showError('Could not change the forecast horizon', failure.message),
        );
      },
    },
    options.map((count) => h('option', { value: String(count) }, periodCount(count, frequency))),
  );

  const warnings = Array.isArray(source.warnings) ? source.warnings : [];
  replace(
    view.mapping,
    mappingItem('File', h('span', { class: 'file-name' }, state.fileName ?? source.file ?? '')),
    mappingItem(sheets.length > 1 ? h('label', { for: 'sheet-select' }, 'Sheet') : 'Sheet', sheetControl),
    mappingItem('Layout', LAYOUT[source.layout] ?? source.layout ?? '—'),
    source.period_column ? mappingItem('Periods in', String(source.period_column)) : null,
    mappingItem('Periods', `${source.periods ?? periods.length} × ${(FREQUENCY[frequency] ?? frequency ?? '').toLowerCase()}`, span ? h('span', { class: 'sub' }, span) : null),
    mappingItem(h('label', { for: 'horizon-select' }, 'Forecast'), horizonControl),
    warnings.length
      ? h(
          'details',
          { class: 'warnings' },
          h('summary', {}, h('span', { 'aria-hidden': 'true' }, '⚠ '), `${warnings.length} ${warnings.length === 1 ? 'note' : 'notes'} on reading the file`),
          h('ul', {}, warnings.map((warning) => h('li', {}, warning))),
        )
      : h('span', { class: 'mapping-ok' }, '✓ Read without problems'),
  );
}

function renderSummary(report) {
  const counts = new Map();
  for (const kpi of report.kpis ?? []) counts.set(kpi.health, (counts.get(kpi.health) ?? 0) + 1);
  const chips = Object.entries(HEALTH)
    .filter(([key]) => counts.get(key))
    .map(([key, meta]) =>
      h(
        'li',
        { class: ['chip', `health-${key}`] },
        h('span', { class: 'status-icon', 'aria-hidden': 'true' }, meta.icon),
        h('strong', {}, String(counts.get(key))),
        ` ${meta.word.toLowerCase()}`,
      ),
    );
  replace(view.summary, h('ul', { class: 'chips', 'aria-label': 'KPIs by health' }, chips));
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

// ---- getting a file ----------------------------------------------------------

function openFile(file) {
  if (!file) return;
  openSource({ file, name: file.name });
}

view.fileInput.addEventListener('change', () => {
  openFile(view.fileInput.files?.[0]);
  view.fileInput.value = ''; // choosing the same file again still opens it
});
for (const button of document.querySelectorAll('[data-action="choose-file"]')) button.addEventListener('click', () => view.fileInput.click());
for (const button of document.querySelectorAll('[data-action="try-sample"]')) button.addEventListener('click', () => openSource(SAMPLE));
$('error-dismiss').addEventListener('click', hideError);

// A click on the empty part of the drop zone opens the picker too (its
// buttons are the keyboard way in).
view.dropZone.addEventListener('click', (event) => {
  if (event.target === view.dropZone || event.target.closest('.drop-visual')) view.fileInput.click();
});

// A file can be dropped anywhere on the page.
let dragDepth = 0;
const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes('Files');
window.addEventListener('dragenter', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth += 1;
  document.body.classList.add('dragging');
});
window.addEventListener('dragover', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'copy';
});
window.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) document.body.classList.remove('dragging');
});
window.addEventListener('drop', (event) => {
  if (!hasFiles(event)) return;
  event.preventDefault();
  dragDepth = 0;
  document.body.classList.remove('dragging');
  openFile(event.dataTransfer.files?.[0]);
});

setUpDetail(view.detail);
selectTab('grid');
document.body.classList.add('ready');
