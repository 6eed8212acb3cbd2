// What the charts look like, without ECharts itself (which chart-loader.ts
// fetches on its own): colours, fonts, and options shared by several charts.
import { isRtl, moneyShort } from './i18n';

export type ChartOption = Record<string, unknown>;

// Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics),
// told apart by more than hue where it matters (labels, legends, tables).
export const kPalette = ['#0b5394', '#b45f06', '#38761d', '#741b47', '#5b5b5b', '#1c7c7c', '#a61c00', '#4a3c8c', '#7f6000'];
export const kTextColor = '#1a1a1a';
// The page's fonts, named: ECharts measures text with them to lay labels out.
export const kFont = "'Noto Sans', 'Noto Sans Arabic', 'Noto Sans CJK SC', 'Segoe UI', system-ui, sans-serif";

// Horizontal bars: categories down the side, amounts along. In a right-to-left
// language the amounts grow to the left and the names stand on the right.
export function horizontalBars(categories: string[], series: any[], legend = true): ChartOption {
  const rtl = isRtl();
  return {
    legend: legend ? { top: 0, [rtl ? 'right' : 'left']: 0, textStyle: { color: kTextColor } } : undefined,
    grid: { top: legend ? 36 : 8, bottom: 24, left: 8, right: 16, containLabel: true },
    xAxis: {
      type: 'value',
      inverse: rtl,
      axisLabel: { formatter: (value: number) => moneyShort(value), color: kTextColor, hideOverlap: true },
      splitLine: { lineStyle: { color: '#d0d0d0' } },
    },
    yAxis: {
      type: 'category',
      data: categories,
      inverse: true,
      position: rtl ? 'right' : 'left',
      axisLabel: { color: kTextColor, width: 170, overflow: 'break' },
    },
    series,
  };
}
