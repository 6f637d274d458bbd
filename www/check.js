// "Check how we read your file": the doubts the engine has about a reading,
// a preview of the sheet with the parts it used marked (header row, period
// row or column, names, entity, values, KPIs left out), and controls to
// correct them. The controls show the mapping the reading used
// (`source.mapping`); a change sends only what the person chose, and the
// engine detects the rest (`Session.open` with a mapping). It also opens
// for a file that could not be read at all, with the engine's message.

import { h } from './dom.js';
import { LAYOUT } from './format.js';

/** What each marked part is called, and its one-letter tag (never colour alone). */
const PARTS = {
  header: ['header row', 'H'],
  periods: ['periods', 'P'],
  names: ['KPI names', 'N'],
  entity: ['entity', 'E'],
  role: ['role (actual, plan …)', 'R'],
  year: ['year', 'Y'],
  values: ['values', ''],
  excluded: ['left out', '×'],
  outside: ['not read', ''],
};

function partClass(part) {
  return part ? `part-${part}` : null;
}

function rowChoices(preview) {
  return (preview?.rows ?? []).map((row) => {
    const words = row.cells.filter((text) => text).slice(0, 4).join(' · ');
    return { value: String(row.number), label: `Row ${row.number}${words ? `: ${words.length > 48 ? `${words.slice(0, 47)}…` : words}` : ' (empty)'}` };
  });
}

function columnChoices(preview) {
  return (preview?.columns ?? []).map((column) => ({
    value: column.letter,
    label: `Column ${column.letter}${column.header ? `: ${column.header.length > 36 ? `${column.header.slice(0, 35)}…` : column.header}` : ''}`,
  }));
}

function field(label, control, help = null) {
  return h('label', { class: 'check-field' }, h('span', { class: 'check-label' }, label), control, help ? h('span', { class: 'sub' }, help) : null);
}

function choiceSelect(id, current, choices, onChange, { none = null, detected = 'Detected' } = {}) {
  const values = new Set(choices.map((choice) => choice.value));
  const options = [h('option', { value: '' }, current ? `${detected} (${current})` : `${detected}: none`)];
  if (none) options.push(h('option', { value: 'none' }, none));
  // The detected value may be outside the preview: keep it choosable.
  if (current && current !== 'none' && !values.has(String(current))) options.push(h('option', { value: String(current) }, String(current)));
  for (const choice of choices) options.push(h('option', { value: choice.value }, choice.label));
  return h('select', { id, onchange: (event) => onChange(event.target.value) }, options);
}

/**
 * The preview table: column letters and row numbers as a spreadsheet shows
 * them, each cell marked with the part the reading took it for.
 */
function previewTable(preview) {
  if (!preview || !Array.isArray(preview.rows) || preview.rows.length === 0) {
    return h('p', { class: 'muted' }, 'The sheet has no cells to show.');
  }
  const columns = preview.columns ?? [];
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', class: 'corner' }, h('span', { class: 'visually-hidden' }, 'Row')),
    columns.map((column) =>
      h(
        'th',
        { scope: 'col', class: ['column-letter', partClass(column.part)] },
        column.letter,
        column.part && PARTS[column.part]?.[1] ? h('span', { class: 'part-tag', title: PARTS[column.part][0] }, PARTS[column.part][1]) : null,
      ),
    ),
  );
  const body = preview.rows.map((row) =>
    h(
      'tr',
      { class: partClass(row.part), dataset: { row: String(row.number) } },
      h(
        'th',
        { scope: 'row', class: ['row-number', partClass(row.part)] },
        String(row.number),
        row.part && PARTS[row.part]?.[1] ? h('span', { class: 'part-tag', title: PARTS[row.part][0] }, PARTS[row.part][1]) : null,
      ),
      row.cells.map((text, index) => {
        const part = row.parts?.[index] ?? null;
        return h('td', { class: partClass(part), title: part ? PARTS[part]?.[0] ?? part : null }, text);
      }),
    ),
  );
  return h(
    'div',
    { class: 'preview-scroll', tabindex: '0', role: 'region', 'aria-label': 'Preview of the sheet' },
    h('table', { class: 'preview-table' }, h('caption', { class: 'visually-hidden' }, `The first rows and columns of the sheet (${preview.height} rows × ${preview.width} columns in all), marked as they were read`), h('thead', {}, head), h('tbody', {}, body)),
  );
}

function legend() {
  return h(
    'ul',
    { class: 'preview-legend', 'aria-label': 'What the marks mean' },
    ['header', 'periods', 'names', 'entity', 'values', 'excluded'].map((part) =>
      h('li', {}, h('span', { class: ['swatch', partClass(part)], 'aria-hidden': 'true' }, PARTS[part][1]), ' ', PARTS[part][0]),
    ),
  );
}

/**
 * Builds the view. options:
 *   report        the report of the reading shown (null when the file failed)
 *   preview       the engine's sheet preview (null while it comes)
 *   failure       the engine's message when the file could not be read
 *   choices       the mapping fields the person set so far
 *   busy          a reading is under way
 *   onChoose(fields)  the person changed the mapping: the fields they set
 *   onAccept()    "The reading is right"
 *   onClose()     closes the view (a reading that is fine)
 */
export function renderCheck({ report, preview, failure, fileName, choices = {}, busy = false, onChoose, onAccept, onClose }) {
  const source = report?.source ?? {};
  const used = source.mapping ?? preview?.mapping ?? {};
  const confidence = failure ? 'failed' : source.confidence ?? 'high';
  const doubts = Array.isArray(source.doubts) ? source.doubts : [];
  const layout = choices.layout ?? used.layout ?? null;
  const choose = (fields) => onChoose({ ...choices, ...fields });

  const lede = {
    failed: `kpilot could not find a table of KPIs over periods in ${fileName ?? 'this file'}. Point at the header row and the periods below, and it tries again at once.`,
    low: 'kpilot is not sure it read this file right. Check the reading below before you act on the results.',
    check: 'Part of this reading is worth a check before you act on the results.',
    high: 'This is how kpilot read the file. Change any part and the results follow at once.',
  }[confidence];

  const rows = rowChoices(preview);
  const columns = columnChoices(preview);
  const layoutSelect = h(
    'select',
    { id: 'map-layout', onchange: (event) => choose({ layout: event.target.value || undefined }) },
    h('option', { value: '' }, used.layout ? `Detected: ${LAYOUT[used.layout] ?? used.layout}` : 'Detect it'),
    Object.entries(LAYOUT).map(([value, label]) => h('option', { value }, label)),
  );
  layoutSelect.value = choices.layout ?? '';

  const headerSelect = choiceSelect('map-header-row', used.header_row, rows, (value) => choose({ header_row: value ? Number(value) : undefined }));
  headerSelect.value = choices.header_row ? String(choices.header_row) : '';

  const across = layout === 'wide_rows';
  let periodControl;
  if (across) {
    const select = choiceSelect('map-period-row', used.period_row, rows, (value) => choose({ period_row: value ? Number(value) : undefined }));
    select.value = choices.period_row ? String(choices.period_row) : '';
    periodControl = field('Periods are in row', select);
  } else {
    const select = choiceSelect('map-period-column', used.period_column, columns, (value) => choose({ period_column: value || undefined }));
    select.value = choices.period_column ?? '';
    periodControl = field('Periods are in column', select);
  }

  const nameSelect = choiceSelect('map-name-column', used.name_column, columns, (value) => choose({ name_column: value || undefined }));
  nameSelect.value = choices.name_column ?? '';
  const entitySelect = choiceSelect('map-entity-column', used.entity_column === 'none' ? null : used.entity_column, columns, (value) => choose({ entity_column: value || undefined }), {
    none: 'No entity column',
  });
  entitySelect.value = choices.entity_column ?? '';

  const labels = Array.isArray(preview?.labels) ? preview.labels : [];
  const excluded = new Set(choices.exclude ?? used.exclude ?? []);
  const leaveOut = labels.length
    ? h(
        'fieldset',
        { class: 'check-exclude' },
        h('legend', {}, 'KPIs to leave out'),
        h(
          'div',
          { class: 'exclude-list' },
          labels.map((label) =>
            h(
              'label',
              { class: 'exclude-item' },
              h('input', {
                type: 'checkbox',
                value: label,
                checked: excluded.has(label),
                onchange: (event) => {
                  const next = new Set(excluded);
                  if (event.target.checked) next.add(label);
                  else next.delete(label);
                  choose({ exclude: [...next] });
                },
              }),
              ' ',
              label,
            ),
          ),
        ),
      )
    : null;

  const chosenSomething = Object.values(choices).some((value) => value !== undefined && !(Array.isArray(value) && value.length === 0));
  const form = h(
    'form',
    { class: 'check-form', 'aria-label': 'How to read the file', onsubmit: (event) => event.preventDefault(), 'aria-busy': busy ? 'true' : null },
    field('Layout', layoutSelect),
    field('Header row', headerSelect),
    periodControl,
    layout === 'wide_columns' ? null : field('KPI names are in column', nameSelect),
    field('Entity (region, store …) in column', entitySelect),
    leaveOut,
    h(
      'div',
      { class: 'check-actions' },
      chosenSomething ? h('button', { type: 'button', class: 'secondary small', id: 'map-reset', onclick: () => onChoose({}) }, 'Back to what was detected') : null,
      report && confidence !== 'high' ? h('button', { type: 'button', class: 'primary small', id: 'check-accept', onclick: onAccept }, 'The reading is right') : null,
      report && confidence === 'high' ? h('button', { type: 'button', class: 'secondary small', id: 'check-close', onclick: onClose }, 'Close') : null,
    ),
  );

  return h(
    'div',
    { class: ['check', `confidence-${confidence}`] },
    h(
      'div',
      { class: 'check-head' },
      h('h2', { id: 'check-title', tabindex: '-1' }, h('span', { class: 'check-icon', 'aria-hidden': 'true' }, confidence === 'high' ? 'i' : '!'), ' Check how we read your file'),
      report && confidence === 'high' ? h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close the check', onclick: onClose }, '✕') : null,
    ),
    h('p', { class: 'check-lede' }, lede),
    failure ? h('p', { class: 'check-failure', role: 'alert' }, failure) : null,
    doubts.length ? h('ul', { class: 'doubts' }, doubts.map((doubt) => h('li', {}, doubt))) : null,
    h(
      'div',
      { class: 'check-layout' },
      form,
      h(
        'div',
        { class: 'check-preview' },
        preview ? legend() : null,
        preview ? previewTable(preview) : h('p', { class: 'muted' }, 'Loading the preview…'),
        preview && (preview.height > preview.rows.length || preview.width > (preview.columns?.length ?? 0))
          ? h('p', { class: 'sub' }, `Showing rows ${preview.rows[0]?.number ?? 1}–${preview.rows.at(-1)?.number ?? ''} and ${preview.columns.length} of ${preview.width} columns of ${preview.sheet ? `sheet ‘${preview.sheet}’` : 'the file'} (${preview.height} rows).`)
          : null,
      ),
    ),
  );
}
