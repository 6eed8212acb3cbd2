// Loads ECharts (charts.ts) once, on its own, so that a page shows its
// figures and tables first and draws its charts when ECharts has arrived.
import type { ChartOption } from './chart-options';

type Charts = typeof import('./charts');
let module: Promise<Charts> | null = null;
let loaded: Charts | null = null;

export function loadCharts(): Promise<Charts> {
  module ??= import('./charts').then((m) => (loaded = m));
  return module;
}

// Draws `option` in `container` (see charts.ts); resolves once drawn.
export async function chart(
  container: HTMLElement,
  option: ChartOption,
  label: string,
  onClick?: (params: { dataIndex: number; seriesIndex: number; name: string }) => void,
): Promise<void> {
  const charts = await loadCharts();
  if (!container.isConnected) return;
  await charts.chart(container, option, label, onClick);
}

export function disposeDetached(): void {
  loaded?.disposeDetached();
}
