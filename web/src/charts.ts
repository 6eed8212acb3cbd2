// Charts with Apache ECharts: only the parts the dashboard uses, drawn as
// SVG (crisp text in every script, and readable by assistive technology
// through ECharts' aria description). Every chart has a table of the same
// figures beside it, so that nothing is only in a picture. This module is
// loaded on its own (chart-loader.ts), so that figures show before it arrives.
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

import { kFont, kPalette, kTextColor, type ChartOption } from './chart-options';

const live = new Set<echarts.ECharts>();
let resizeObserver: ResizeObserver | null = null;

// Draws `option` in `container`; `onClick` gets the clicked item's data.
// Resolves once the chart has been drawn.
export function chart(
  container: HTMLElement,
  option: ChartOption,
  label: string,
  onClick?: (params: { dataIndex: number; seriesIndex: number; name: string }) => void,
): Promise<echarts.ECharts> {
  container.setAttribute('role', 'img');
  container.setAttribute('aria-label', label);
  const instance = echarts.init(container, undefined, { renderer: 'svg' });
  live.add(instance);
  if (!resizeObserver) {
    resizeObserver = new ResizeObserver((items) => {
      for (const item of items) echarts.getInstanceByDom(item.target as HTMLElement)?.resize();
    });
  }
  resizeObserver.observe(container);
  const finished = new Promise<echarts.ECharts>((resolve) => instance.on('finished', () => resolve(instance)));
  instance.setOption({
    animation: false,
    textStyle: { fontFamily: kFont, color: kTextColor },
    color: kPalette,
    aria: { enabled: true, label: { description: label } },
    tooltip: { confine: true },
    ...option,
  });
  if (onClick) {
    instance.on('click', (params: any) => onClick(params));
    container.classList.add('clickable');
  }
  return finished;
}

// Disposes every chart that is no longer in the document (after a page change).
export function disposeDetached(): void {
  for (const instance of live) {
    const dom = instance.getDom();
    if (!dom.isConnected) {
      resizeObserver?.unobserve(dom);
      instance.dispose();
      live.delete(instance);
    }
  }
}

