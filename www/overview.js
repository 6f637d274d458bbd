// What sits above the tabs: the status chips (which filter the grid), how
// the file was read in one line, and the results' toolbar (undo and redo,
// saving and sharing, the files kept in this browser). Each builder takes
// what it shows and callbacks, and returns elements; main.js decides when.

import { h } from './dom.js';
import { FREQUENCY, HEALTH, LAYOUT, formatPeriod, periodCount, HORIZONS } from './format.js';

/**
 * The status chips: one per health state present, each a toggle that
 * filters the grid. `active` is the set of health keys shown.
 */
export function statusChips(report, { active, onToggle, onClear }) {
  const counts = new Map();
  for (const kpi of report.kpis ?? []) counts.set(kpi.health, (counts.get(kpi.health) ?? 0) + 1);
  const chips = Object.entries(HEALTH)
    .filter(([key]) => counts.get(key))
    .map(([key, meta]) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: ['chip', `health-${key}`],
            'aria-pressed': String(active.has(key)),
            dataset: { health: key },
            title: active.has(key) ? 'Show every KPI again' : `Show only the ${meta.word.toLowerCase()} KPIs`,
            onclick: () => onToggle(key),
          },
          h('span', { class: 'status-icon', 'aria-hidden': 'true' }, meta.icon),
          h('strong', {}, String(counts.get(key))),
          ` ${meta.word.toLowerCase()}`,
        ),
      ),
    );
  if (active.size) chips.push(h('li', {}, h('button', { type: 'button', class: 'link-button chip-clear', onclick: onClear }, 'Show all')));
  return h('ul', { class: 'chips', 'aria-label': 'KPIs by health: choose one to show only those' }, chips);
}

/**
 * How the file was read, in one line — file, sheet (a picker when there are
 * several), layout, periods, confidence — with "Check how we read it"; the
 * engine's notes fold below it.
 */
export function readingLine(report, { fileName, targetsName, checkOpen, onSheet, onCheck }) {
  const source = report.source ?? {};
  const sheets = Array.isArray(source.sheets) ? source.sheets : [];
  const frequency = source.frequency;
  const periods = Array.isArray(report.periods) ? report.periods : [];
  const span = periods.length ? `${formatPeriod(periods[0])} – ${formatPeriod(periods[periods.length - 1])}` : '';
  const sheetControl =
    sheets.length > 1
      ? h(
          'select',
          { id: 'sheet-select', 'aria-label': 'Sheet', dataset: { focusKey: 'sheet' }, value: source.sheet ?? '', onchange: (event) => onSheet(event.target.value) },
          sheets.map((sheet) => h('option', { value: sheet }, sheet)),
        )
      : null;
  const warnings = Array.isArray(source.warnings) ? source.warnings : [];
  const confidence = source.confidence ?? 'high';
  const doubtful = confidence !== 'high';
  return [
    h(
      'p',
      { class: 'reading-line' },
      h('span', { class: 'reading-label' }, 'Read '),
      h('strong', { class: 'file-name' }, fileName ?? source.file ?? ''),
      sheetControl
        ? [h('span', {}, ', sheet '), h('label', { for: 'sheet-select', class: 'visually-hidden' }, 'Sheet'), sheetControl]
        : source.sheet
          ? h('span', {}, `, sheet ‘${source.sheet}’`)
          : null,
      h('span', {}, ` · ${LAYOUT[source.layout] ?? source.layout ?? '—'}`),
      h('span', {}, ` · ${source.periods ?? periods.length} × ${(FREQUENCY[frequency] ?? frequency ?? '').toLowerCase()}`),
      span ? h('span', { class: 'span' }, ` (${span})`) : null,
      source.entity_column ? h('span', {}, ` · entities from ‘${source.entity_column}’`) : null,
      targetsName ? h('span', {}, ` · targets from ${targetsName}`) : null,
      ' · ',
      doubtful
        ? h('span', { class: ['confidence', `confidence-${confidence}`] }, h('span', { 'aria-hidden': 'true' }, '! '), confidence === 'low' ? 'reading doubtful' : 'worth a check')
        : warnings.length
          ? null
          : h('span', { class: 'mapping-ok' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'read without problems'),
      ' ',
      h(
        'button',
        { type: 'button', class: ['link-button', 'check-open', doubtful ? 'doubtful' : null], id: 'check-open', onclick: onCheck },
        checkOpen ? 'Hide the check' : doubtful ? 'Check the reading' : 'Check how we read it',
      ),
    ),
    warnings.length
      ? h(
          'details',
          { class: 'warnings' },
          h('summary', {}, h('span', { 'aria-hidden': 'true' }, '⚠ '), `${warnings.length} ${warnings.length === 1 ? 'note' : 'notes'} on reading the file`),
          h('ul', {}, warnings.map((warning) => h('li', {}, warning))),
        )
      : null,
  ];
}

/** The forecast horizon picker: the engine's horizon and the usual ones for the frequency. */
export function horizonSelect(report, { current, onChange }) {
  const frequency = report.source?.frequency;
  const horizons = HORIZONS[frequency] ?? HORIZONS.irregular;
  const options = [...new Set([current, ...horizons].filter(Number.isInteger))].sort((a, b) => a - b);
  return h(
    'label',
    { class: 'toolbar-field' },
    h('span', {}, 'Forecast'),
    h(
      'select',
      {
        id: 'horizon-select',
        'aria-label': 'Forecast horizon',
        dataset: { focusKey: 'horizon' },
        value: current !== null && current !== undefined ? String(current) : '',
        onchange: (event) => onChange(Number(event.target.value)),
      },
      options.map((count) => h('option', { value: String(count) }, periodCount(count, frequency))),
    ),
  );
}

/** The files kept in this browser, each to open again or forget, and "Forget all". */
export function keptList(files, { currentId, onOpen, onForget, onForgetAll }) {
  const date = (time) => new Date(time).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  return h(
    'div',
    { class: 'recent' },
    h(
      'ul',
      { class: 'recent-list' },
      files.map((file) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'link-button recent-open',
              onclick: (event) => {
                // A file chosen from the toolbar's menu closes it.
                event.currentTarget.closest('details')?.removeAttribute('open');
                onOpen(file);
              },
            },
            file.name,
          ),
          h(
            'span',
            { class: 'sub' },
            `${date(file.savedAt)}${file.editCount ? ` · ${file.editCount} ${file.editCount === 1 ? 'edit' : 'edits'}` : ''}${file.id === currentId ? ' · open now' : ''}`,
          ),
          h('button', { type: 'button', class: 'secondary small recent-forget', 'aria-label': `Forget ${file.name}`, onclick: () => onForget(file) }, 'Forget'),
        ),
      ),
    ),
    h('button', { type: 'button', class: 'secondary small forget-all', onclick: onForgetAll }, 'Forget all'),
    h('p', { class: 'sub' }, 'Files you open stay in this browser, with your edits, until you forget them. They are never uploaded.'),
  );
}

/**
 * The results' toolbar. `undoTitle` / `redoTitle` describe the edit each
 * would take back (null: nothing to do); `shareOpen` whether the save and
 * share group is open (a menu on a phone), `keptOpen` whether the menu of
 * kept files is (both as the person left them); `kept` whether this file is kept
 * in the browser, `recent` the kept files. `actions` holds the callbacks.
 */
export function resultsToolbar({ undoTitle, redoTitle, shareOpen, keptOpen, kept, recent, keptOptions, actions }) {
  const button = (label, id, task) => h('button', { type: 'button', class: 'secondary small', id, onclick: task }, label);
  return [
    h(
      'div',
      { class: 'toolbar-group', role: 'group', 'aria-label': 'Edits' },
      h('button', { type: 'button', class: 'secondary small', id: 'undo', disabled: !undoTitle, title: undoTitle ? `Undo: ${undoTitle} (Ctrl+Z)` : 'Nothing to undo', onclick: actions.undo }, h('span', { 'aria-hidden': 'true' }, '↶ '), 'Undo'),
      h('button', { type: 'button', class: 'secondary small', id: 'redo', disabled: !redoTitle, title: redoTitle ? `Redo: ${redoTitle} (Ctrl+Shift+Z)` : 'Nothing to redo', onclick: actions.redo }, h('span', { 'aria-hidden': 'true' }, '↷ '), 'Redo'),
    ),
    // On a phone these fold into a menu (closed at first); on a laptop they are a row of buttons.
    h(
      'details',
      { class: 'share-menu', id: 'share-menu', open: shareOpen },
      h('summary', { class: 'secondary small' }, 'Save, share, print'),
      h(
        'div',
        { class: 'share-items' },
        h(
          'div',
          { class: 'toolbar-group', role: 'group', 'aria-label': 'Targets and directions' },
          h('span', { class: 'muted' }, 'Targets:'),
          button('Save CSV', 'save-targets-csv', () => actions.saveTargets('csv')),
          button('Save XLSX', 'save-targets-xlsx', () => actions.saveTargets('xlsx')),
          button('Load…', 'load-targets', actions.loadTargets),
        ),
        h('div', { class: 'toolbar-group', role: 'group', 'aria-label': 'Share' }, button('Report (HTML)', 'download-html', actions.saveReport), button('Print', 'print', actions.print)),
      ),
    ),
    h(
      'div',
      { class: 'kept' },
      kept
        ? [h('span', { class: 'sub' }, 'Kept in this browser · '), h('button', { type: 'button', class: 'link-button', id: 'forget-file', onclick: actions.forget }, 'Forget')]
        : h('span', { class: 'sub' }, 'Not kept in this browser'),
      recent.length ? h('details', { class: 'kept-menu', id: 'kept-menu', open: keptOpen }, h('summary', {}, `All kept files (${recent.length})`), keptList(recent, keptOptions)) : null,
    ),
  ];
}
