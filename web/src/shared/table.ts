/** A data table with 导出 (CSV / XLSX) buttons. */
import { download, toCsv, toXlsx, type CellValue } from './export.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/** One column: its title, the exported value, and optionally how to show it. */
export interface Column<Row> {
  title: string;
  value: (row: Row) => CellValue;
  render?: (row: Row) => Node | string;
}

/**
 * Renders rows as a table preceded by export buttons. `name` names the exported file
 * (`<name>.csv`, `<name>.xlsx`) and the table's `data-table` attribute.
 */
export function dataTable<Row>(name: string, columns: Column<Row>[], rows: Row[]): HTMLElement {
  const table = h(
    'table',
    { class: 'data', 'data-table': name },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', {}, c.title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0
        ? h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, t('common.empty')))
        : rows.map((row) =>
            h(
              'tr',
              {},
              columns.map((c) => {
                const shown = c.render ? c.render(row) : c.value(row);
                return h('td', {}, shown === null ? '' : typeof shown === 'object' ? shown : String(shown));
              }),
            ),
          ),
    ),
  );
  const exportTable = () => ({
    name,
    headers: columns.map((c) => c.title),
    rows: rows.map((r) => columns.map((c) => c.value(r))),
  });
  const xlsxButton = h('button', { class: 'btn small', 'data-export': 'xlsx' }, t('export.xlsx'));
  xlsxButton.addEventListener('click', () => {
    xlsxButton.disabled = true;
    xlsxButton.textContent = t('export.working');
    toXlsx(exportTable())
      .then((bytes) =>
        download(`${name}.xlsx`, bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
      )
      .finally(() => {
        xlsxButton.disabled = false;
        xlsxButton.textContent = t('export.xlsx');
      })
      .catch(() => undefined);
  });
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('span', { class: 'muted' }, t('common.total', { n: rows.length })),
    h(
      'button',
      {
        class: 'btn small',
        'data-export': 'csv',
        onclick: () => download(`${name}.csv`, toCsv(exportTable()), 'text/csv;charset=utf-8'),
      },
      t('export.csv'),
    ),
    xlsxButton,
  );
  return h('div', { class: 'table-wrap' }, toolbar, h('div', { class: 'scroll' }, table));
}
