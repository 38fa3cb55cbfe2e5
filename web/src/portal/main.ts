/**
 * The public portal (no login): the published item list (一单), published results with filters,
 * and draw verification recomputed in the browser.
 */
import { gql } from '../shared/api.js';
import { h, replace, formatTime } from '../shared/dom.js';
import { CATEGORY_CODES, categoryName, t } from '../shared/i18n.js';
import { errorBox, pageFrame, panel, runPanel } from '../shared/layout.js';
import {
  DRAW_LOCKED,
  PUBLISHED_DRAW_RECORD,
  PUBLISHED_ITEMS,
  PUBLISHED_RESULTS,
  type PublishedDrawRecordData,
  type LiveEvent,
  type PublishedItemsData,
  type PublishedResultsData,
} from '../shared/queries.js';
import { dataTable } from '../shared/table.js';
import type { VerifyMessage, VerifyRequest } from './verify-protocol.js';
import { followSubscription } from '../dashboard/live.js';

const main = pageFrame('portal');

function categorySelect(id: string): HTMLSelectElement {
  return h(
    'select',
    { id, 'aria-label': t('portal.items.category') },
    h('option', { value: '' }, t('portal.items.all')),
    CATEGORY_CODES.map((c) => h('option', { value: c }, categoryName(c))),
  );
}

// 一单
type Item = PublishedItemsData['publishedItems']['nodes'][number];
const items = panel('items', t('portal.items'), true);
const itemSearch = h('input', { id: 'item-search', placeholder: t('portal.items.search') });
const itemCategory = categorySelect('item-category');
items.tools.append(
  itemSearch,
  itemCategory,
  h('button', { class: 'btn', onclick: () => void loadItems() }, t('common.search')),
);
main.append(items.root);

async function loadItems(): Promise<void> {
  const filter: Record<string, string> = {};
  if (itemSearch.value.trim()) filter.search = itemSearch.value.trim();
  if (itemCategory.value) filter.category = itemCategory.value;
  const rows: Item[] = [];
  let after: string | null = null;
  // The list is short (dozens of items); page through it so export covers every row.
  await runPanel(
    items,
    async () => {
      for (;;) {
        const data: PublishedItemsData = await gql<PublishedItemsData>(PUBLISHED_ITEMS, {
          first: 100,
          after,
          filter,
        });
        rows.push(...data.publishedItems.nodes);
        if (!data.publishedItems.pageInfo.hasNextPage || rows.length >= 1000) return rows;
        after = data.publishedItems.pageInfo.endCursor;
      }
    },
    (list) =>
      dataTable<Item>(
        'published-items',
        [
          { title: t('col.code'), value: (r) => r.code },
          { title: t('col.name'), value: (r) => r.published?.name ?? '' },
          { title: t('col.department'), value: (r) => r.published?.departmentCode ?? '' },
          {
            title: t('col.categories'),
            value: (r) => (r.published?.categories ?? []).map(categoryName).join('、'),
          },
          { title: t('col.method'), value: (r) => r.published?.method ?? '' },
          { title: t('col.frequency'), value: (r) => r.published?.frequencyText ?? '' },
          { title: t('col.ratio'), value: (r) => r.published?.ratioPercent ?? '' },
          { title: t('col.legalBasis'), value: (r) => (r.published?.legalBasis ?? []).join('；') },
          { title: t('col.version'), value: (r) => r.publishedVersion },
        ],
        list,
      ),
  );
}

// 一公开
type Result = PublishedResultsData['publishedResults']['nodes'][number];
const results = panel('results', t('portal.results'), true);
const resultCategory = categorySelect('result-category');
const resultFrom = h('input', { type: 'date', id: 'result-from', 'aria-label': t('portal.results.from') });
const resultTo = h('input', { type: 'date', id: 'result-to', 'aria-label': t('portal.results.to') });
results.tools.append(
  resultCategory,
  resultFrom,
  resultTo,
  h('button', { class: 'btn', onclick: () => void loadResults() }, t('common.search')),
);
main.append(results.root);

async function loadResults(): Promise<void> {
  const filter: Record<string, unknown> = {};
  if (resultCategory.value) filter.categories = [resultCategory.value];
  if (resultFrom.value) filter.inspectedFrom = resultFrom.value;
  if (resultTo.value) filter.inspectedTo = resultTo.value;
  await runPanel(
    results,
    () => gql<PublishedResultsData>(PUBLISHED_RESULTS, { first: 100, filter }),
    (data) =>
      dataTable<Result>(
        'published-results',
        [
          { title: t('col.name'), value: (r) => r.title },
          { title: t('col.target'), value: (r) => r.targetName },
          { title: t('col.category'), value: (r) => categoryName(r.category) },
          { title: t('col.department'), value: (r) => r.departmentCode },
          { title: t('col.date'), value: (r) => r.inspectedOn },
          { title: t('col.outcome'), value: (r) => r.outcome },
          { title: t('col.time'), value: (r) => r.publishedOn },
        ],
        data.publishedResults.nodes,
      ),
  );
}

// Draw verification
const verify = panel('verify', t('portal.verify'), true);
main.append(verify.root);
const drawSelect = h(
  'select',
  { id: 'draw-select', disabled: true },
  h('option', { value: '' }, t('common.loading')),
);
const fileInput = h('input', { type: 'file', id: 'record-file', accept: 'application/json,.json' });
const pasteArea = h('textarea', { id: 'record-text', placeholder: '{ "algorithm": "shuangsui-draw/1", … }' });
const runButton = h('button', { class: 'btn', id: 'verify-run' }, t('portal.verify.run'));
const progressBox = h('div', { class: 'progress', id: 'verify-progress', hidden: true });
const verdictBox = h('div', { id: 'verify-verdict' });
const drawsNote = h('span', { class: 'muted', id: 'draws-note' });
verify.setState(
  'ready',
  h(
    'div',
    {},
    h('p', { class: 'muted' }, t('portal.verify.intro')),
    h('div', { class: 'filters' }, h('label', {}, t('portal.verify.pick'), ' ', drawSelect), drawsNote),
    h('div', { class: 'filters' }, h('label', {}, t('portal.verify.file'), ' ', fileInput)),
    h('label', {}, t('portal.verify.paste')),
    pasteArea,
    h('div', { class: 'filters' }, runButton, progressBox),
    verdictBox,
  ),
);

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void file.text().then((text) => (pasteArea.value = text));
});

drawSelect.addEventListener('change', () => {
  const id = drawSelect.value;
  if (!id) return;
  replace(verdictBox);
  gql<PublishedDrawRecordData>(PUBLISHED_DRAW_RECORD, { id })
    .then((data) => {
      pasteArea.value = JSON.stringify(data.publishedDrawRecord, null, 2);
      startVerification();
    })
    .catch((e: unknown) => replace(verdictBox, errorBox(e)));
});

/** Locked draws arrive through the public `drawLocked` subscription, replayed from the first one. */
function followLockedDraws(): void {
  const seen = new Set<string>();
  let first = true;
  followSubscription(
    null,
    DRAW_LOCKED,
    (since) => ({ since: since ?? '0' }),
    (data) => (data as { drawLocked?: LiveEvent }).drawLocked,
    {
      onEvent: (event) => {
        const p = event.payload ?? {};
        const id = String(p.drawId ?? event.entityId);
        if (seen.has(id)) return;
        seen.add(id);
        if (first) {
          replace(drawSelect, h('option', { value: '' }, t('portal.verify.pickNone')));
          drawSelect.disabled = false;
          first = false;
        }
        const label = [p.periodLabel, p.planId, formatTime(event.at)].filter(Boolean).join(' · ');
        drawSelect.append(h('option', { value: id }, label));
      },
      onStatus: (up) => {
        if (up && first) replace(drawSelect, h('option', { value: '' }, t('common.empty')));
        if (!up && first) replace(drawSelect, h('option', { value: '' }, t('common.unavailable')));
      },
    },
  );
}

let worker: Worker | null = null;

function startVerification(): void {
  const text = pasteArea.value.trim();
  if (!text) return;
  worker?.terminate();
  worker = new Worker(new URL('./verify.worker.ts', import.meta.url), { type: 'module' });
  runButton.disabled = true;
  replace(verdictBox);
  const bar = h('progress', { max: 2, value: 0 });
  const started = performance.now();
  const elapsed = h('span', {}, '');
  const timer = window.setInterval(() => {
    elapsed.textContent = t('portal.verify.elapsed', { ms: Math.round(performance.now() - started) });
  }, 200);
  replace(progressBox, bar, t('portal.verify.running'), elapsed);
  progressBox.hidden = false;
  const finish = (content: Node) => {
    window.clearInterval(timer);
    progressBox.hidden = true;
    runButton.disabled = false;
    replace(verdictBox, content);
    worker?.terminate();
    worker = null;
  };
  worker.addEventListener('message', (event: MessageEvent<VerifyMessage>) => {
    const m = event.data;
    if (m.kind === 'stage') bar.value = m.done;
    else if (m.kind === 'badJson')
      finish(
        h(
          'div',
          { class: 'verdict mismatch', 'data-verdict': 'invalid' },
          t('portal.verify.badJson'),
          m.detail,
        ),
      );
    else if (m.kind === 'badRecord')
      finish(
        h(
          'div',
          { class: 'verdict mismatch', 'data-verdict': 'invalid' },
          t('portal.verify.badRecord'),
          m.detail,
        ),
      );
    else {
      const summary = t('portal.verify.summary', {
        plan: m.summary.planId,
        date: m.summary.plannedDate,
        targets: m.summary.targets,
        inspectors: m.summary.inspectors,
        selected: m.summary.selected,
      });
      finish(
        h(
          'div',
          {
            class: m.match ? 'verdict match' : 'verdict mismatch',
            'data-verdict': m.match ? 'MATCH' : 'MISMATCH',
          },
          h('strong', {}, m.match ? t('portal.verify.match') : t('portal.verify.mismatch')),
          m.match ? null : h('code', { class: 'difference' }, m.firstDifference ?? ''),
          h('div', { class: 'muted' }, summary, ' · ', t('portal.verify.elapsed', { ms: m.ms })),
        ),
      );
    }
  });
  worker.addEventListener('error', (event) => finish(errorBox(event.message)));
  worker.postMessage({ text } satisfies VerifyRequest);
}

runButton.addEventListener('click', startVerification);

void loadItems();
void loadResults();
followLockedDraws();
