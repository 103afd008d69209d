import { describe, expect, it } from 'vitest';
import { niceTicks, renderLineChart } from './svg-plot.ts';

describe('the SVG line chart', () => {
  it('picks round ticks that cover the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 300)).toEqual([0, 100, 200, 300]);
    expect(niceTicks(0, 0.5)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('draws one polyline per series with the names escaped in the legend', () => {
    const svg = renderLineChart({
      title: 'reward <per> step',
      xLabel: 'step',
      yLabel: 'reward',
      series: [
        {
          name: 'train & mean',
          points: [
            [0, 0.1],
            [1, 0.3],
            [2, 0.5],
          ],
        },
        {
          name: 'test',
          points: [
            [0, 0.2],
            [2, Number.NaN],
          ],
        },
      ],
      yRange: [0, 1],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('train &amp; mean');
    expect(svg).toContain('reward &lt;per&gt; step');
    expect(svg).not.toContain('NaN');
  });
});
