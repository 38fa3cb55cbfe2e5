/** ECharts, bundled and tree-shaken: only the charts and components the dashboard draws. */
import * as echarts from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { h } from '../shared/dom.js';

echarts.use([BarChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const charts = new Set<echarts.ECharts>();
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));

const CJK_FONT = "'Shuangsui Sans SC'";
const FONT_STACK = `'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', ${CJK_FONT}, sans-serif`;

const PALETTE = ['#1d4e89', '#2e90fa', '#12b76a', '#f79009', '#f04438', '#7a5af8', '#667085', '#06aed4'];

function mount(name: string, option: echarts.EChartsCoreOption): HTMLElement {
  const el = h('div', { class: 'chart', 'data-chart': name });
  // ECharts measures its container: draw once the element is in the document.
  // Canvas text needs the CJK font loaded first (a local font resolves at once, nothing is fetched).
  void document.fonts
    .load(`12px ${CJK_FONT}`, '中文')
    .catch(() => undefined)
    .then(() => {
      const chart = echarts.init(el, undefined, { renderer: 'canvas' });
      chart.setOption({ color: PALETTE, animation: false, textStyle: { fontFamily: FONT_STACK }, ...option });
      charts.add(chart);
    });
  return el;
}

/** A bar chart of one or more series over labelled categories. */
export function barChart(
  name: string,
  labels: string[],
  series: { name: string; values: number[] }[],
  opts: { horizontal?: boolean } = {},
): HTMLElement {
  const category = {
    type: 'category',
    data: labels,
    axisLabel: { interval: 0, rotate: opts.horizontal ? 0 : 30 },
  };
  const value = { type: 'value', minInterval: 1 };
  return mount(name, {
    tooltip: { trigger: 'axis' },
    legend: series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: 16, top: series.length > 1 ? 28 : 12, bottom: 8, containLabel: true },
    xAxis: opts.horizontal ? value : category,
    yAxis: opts.horizontal ? category : value,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values })),
  });
}

/** A ring chart of shares. */
export function pieChart(name: string, slices: { name: string; value: number }[]): HTMLElement {
  return mount(name, {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        data: slices,
        label: { formatter: '{b}\n{c}' },
      },
    ],
  });
}
