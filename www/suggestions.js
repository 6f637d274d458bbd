// The suggestions panel: the engine's ranked key results with their reasons,
// lifecycle advice, copy buttons and the Markdown / CSV / JSON exports (the
// engine writes the exports; this module only hands them to the browser).

import { h, pendingNote } from './dom.js';
import { formatNumber } from './format.js';

const KIND = {
  primary: 'Key result',
  supporting: 'Supporting KR',
  watch: 'Watch',
  return_to_kpi: 'Return to KPI',
  keep_as_kpi: 'Keep as KPI',
};

const FEASIBILITY = {
  committed: ['Committed', 'the forecast already gets there'],
  stretch: ['Stretch', 'the trend must change to get there'],
};

/** The facts a suggestion may carry beyond its text (each only when the engine sent it). */
function suggestionFacts(suggestion) {
  const facts = [];
  const feasibility = FEASIBILITY[suggestion.feasibility];
  if (feasibility) facts.push(h('span', { class: ['feasibility', `feasibility-${suggestion.feasibility}`] }, h('strong', {}, feasibility[0]), `: ${feasibility[1]}`));
  if (typeof suggestion.owner === 'string' && suggestion.owner) facts.push(h('span', {}, `Owner: ${suggestion.owner}`));
  if (Number.isFinite(suggestion.change_per_period)) facts.push(h('span', {}, `Needs ${formatNumber(suggestion.change_per_period, { signed: true })} per period`));
  if (typeof suggestion.target_basis === 'string' && suggestion.target_basis) facts.push(h('span', {}, `Target: ${suggestion.target_basis}`));
  if (Number.isFinite(suggestion.new_kpi_target)) facts.push(h('span', {}, `New KPI target: ${formatNumber(suggestion.new_kpi_target)}`));
  if (Array.isArray(suggestion.add_kpis) && suggestion.add_kpis.length) facts.push(h('span', {}, `Add to the dashboard: ${suggestion.add_kpis.join(', ')}`));
  return facts.length ? h('p', { class: 'kr-facts' }, facts.flatMap((fact, index) => (index ? [' · ', fact] : [fact]))) : null;
}

/** Copies text, falling back to a selected textarea where the Clipboard API is refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

/** Offers `text` as a file download through a Blob URL. */
export function download(text, fileName, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: fileName, class: 'visually-hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

function copyButton(label, getText, announce) {
  const button = h('button', { type: 'button', class: 'secondary small copy' }, label);
  button.addEventListener('click', async () => {
    const copied = await copyText(await getText());
    button.textContent = copied ? 'Copied ✓' : 'Copy failed';
    announce(copied ? 'Copied to the clipboard.' : 'The browser did not allow copying.');
    setTimeout(() => {
      button.textContent = label;
    }, 1600);
  });
  return button;
}

function guardrails(suggestion) {
  const names = Array.isArray(suggestion.guardrails) ? suggestion.guardrails : suggestion.guardrail ? [suggestion.guardrail] : [];
  return names.map((entry) => (typeof entry === 'string' ? entry : entry?.kpi ?? '')).filter(Boolean);
}

function krCard(suggestion, rank, { onOpen, announce }) {
  const watch = guardrails(suggestion);
  return h(
    'li',
    { class: ['kr', `kind-${suggestion.kind}`] },
    h('span', { class: 'kr-rank', 'aria-label': `Rank ${rank}` }, String(rank)),
    h(
      'div',
      { class: 'kr-body' },
      h(
        'p',
        { class: 'kr-eyebrow' },
        h('span', { class: ['kind', `kind-${suggestion.kind}`] }, KIND[suggestion.kind] ?? suggestion.kind),
        suggestion.objective ? h('span', { class: 'objective' }, `Objective: ${suggestion.objective}`) : null,
        suggestion.supports ? h('span', { class: 'supports' }, `supports ${suggestion.supports}`) : null,
      ),
      h('p', { class: 'kr-text' }, suggestion.key_result),
      suggestion.because ? h('p', { class: 'kr-because' }, suggestion.because) : null,
      suggestionFacts(suggestion),
      watch.length ? h('p', { class: 'kr-guardrail' }, h('span', { 'aria-hidden': 'true' }, '⚑ '), `Guardrail — watch ${watch.join(', ')}, which has moved the wrong way when this improved.`) : null,
      h(
        'div',
        { class: 'kr-actions' },
        copyButton('Copy', () => suggestion.key_result, announce),
        suggestion.kpi
          ? h('button', { type: 'button', class: 'link-button', onclick: () => onOpen(suggestion.kpi) }, `Open ${suggestion.kpi}`)
          : null,
      ),
    ),
  );
}

/**
 * Builds the panel. options: onOpen(name), exportAs(format) → Promise<string>,
 * baseName (for download file names), announce(text) for the live region.
 */
export function renderSuggestions(report, { onOpen, exportAs, baseName, announce }) {
  const all = Array.isArray(report.suggestions) ? report.suggestions : [];
  const keyResults = all.filter((suggestion) => suggestion.kind === 'primary' || suggestion.kind === 'supporting');
  const lifecycle = all.filter((suggestion) => !keyResults.includes(suggestion));

  const exportButton = (format, label, type) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary small',
        dataset: { export: format },
        onclick: async () => {
          try {
            download(await exportAs(format), `${baseName}-kpilot.${format}`, type);
            announce(`${label} download started.`);
          } catch (failure) {
            announce(`Export failed: ${failure.message}`);
          }
        },
      },
      label,
    );

  const toolbar = h(
    'div',
    { class: 'toolbar' },
    copyButton('Copy all (Markdown)', () => exportAs('md'), announce),
    h(
      'div',
      { class: 'toolbar-group', role: 'group', 'aria-label': 'Download' },
      h('span', { class: 'muted' }, 'Download:'),
      exportButton('md', 'Markdown', 'text/markdown;charset=utf-8'),
      exportButton('csv', 'CSV', 'text/csv;charset=utf-8'),
      exportButton('json', 'JSON', 'application/json'),
    ),
  );

  const context = { onOpen, announce };
  return h(
    'div',
    { class: 'suggestions' },
    toolbar,
    report.lead_lag_pending
      ? pendingNote('Still looking for KPIs that lead others: key results for the KPIs that drive these may be added in a moment.')
      : null,
    keyResults.length
      ? h('ol', { class: 'kr-list' }, keyResults.map((suggestion, index) => krCard(suggestion, index + 1, context)))
      : h('p', { class: 'empty-state' }, 'Nothing needs a key result now: every KPI with a target is healthy and not heading for a breach.'),
    lifecycle.length
      ? h(
          'section',
          { class: 'lifecycle' },
          h('h3', {}, lifecycle.some((suggestion) => suggestion.kind === 'watch') ? 'Watch and lifecycle' : 'Lifecycle'),
          h(
            'ul',
            {},
            lifecycle.map((suggestion) =>
              h(
                'li',
                { class: `kind-${suggestion.kind}` },
                h('span', { class: ['kind', `kind-${suggestion.kind}`] }, KIND[suggestion.kind] ?? suggestion.kind),
                ' ',
                h('strong', {}, suggestion.key_result || suggestion.kpi),
                suggestion.because ? h('span', { class: 'muted' }, ` — ${suggestion.because}`) : null,
                suggestionFacts(suggestion),
              ),
            ),
          ),
        )
      : null,
  );
}
