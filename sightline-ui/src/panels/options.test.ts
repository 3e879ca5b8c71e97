import { describe, expect, it } from 'vitest';
import { formatThresholds, parseThresholds } from '../pages/PanelEditor';
import { thresholdColor } from './PanelBody';
import { panelRange } from './data';

describe('thresholds', () => {
  it('parse, print back and pick the highest reached', () => {
    const t = parseThresholds('80:orange, 90:#d00, -5:blue');
    expect(t).toEqual([
      { value: 80, color: 'orange' },
      { value: 90, color: '#d00' },
      { value: -5, color: 'blue' },
    ]);
    expect(formatThresholds(t)).toBe('80:orange, 90:#d00, -5:blue');
    expect(thresholdColor(85, t as never)).toBe('orange');
    expect(thresholdColor(90, t as never)).toBe('#d00');
    expect(thresholdColor(-10, t as never)).toBeUndefined();
    expect(thresholdColor(0, t as never)).toBe('blue');
    expect(thresholdColor(null, t as never)).toBeUndefined();
    expect(parseThresholds('')).toEqual([]);
  });

  it('name the part that is not value:color', () => {
    expect(parseThresholds('80:orange, 90 red')).toBe('"90 red" is not value:color (e.g. 90:red or 90:#d00)');
    expect(parseThresholds('x:red')).toBe('"x:red" is not value:color (e.g. 90:red or 90:#d00)');
  });
});

describe('panel ranges', () => {
  const panel = (type: string, options = {}) => ({ id: 'a', title: '', type, queries: [], gridPos: { x: 0, y: 0, w: 1, h: 1 }, options }) as never;
  it('ask a change panel for two points a period apart', () => {
    expect(panelRange(panel('change', { compareTo: '1h' }), 0, 10_000_000, 600)).toEqual({ start: 6_400_000, end: 10_000_000, step: 3_600_000 });
    expect(panelRange(panel('change'), 0, 100_000_000, 600).step).toBe(86_400_000);
  });

  it('align other panels to their step, honouring a minimum step', () => {
    const r = panelRange(panel('timeseries'), 1_000_123, 1_000_123 + 86_400_000, 1200);
    expect(r.step).toBe(300_000);
    expect(r.start % r.step).toBe(0);
    expect(r.end % r.step).toBe(0);
    expect(panelRange(panel('timeseries', { minStep: '10m' }), 0, 3_600_000, 1200).step).toBe(600_000);
  });
});
