import { describe, expect, it } from 'vitest';
import { align, heatmap, lastValue, reduce, stack } from './series';

describe('align', () => {
  it('puts samples on the step grid with gaps as null', () => {
    const { xs, ys } = align(
      [
        { metric: { a: '1' }, values: [[100, '1'], [130, '3']] },
        { metric: { a: '2' }, values: [[115, 'NaN'], [130, '+Inf']] },
      ],
      100_000,
      130_000,
      15_000,
    );
    expect(xs).toEqual([100, 115, 130]);
    expect(ys).toEqual([
      [1, null, 3],
      [null, null, null],
    ]);
  });
});

describe('stack', () => {
  it('adds series up, missing points count as zero', () => {
    expect(stack([[1, null, 2], [3, 4, null], [null, 1, 1]])).toEqual([
      [1, null, 2],
      [4, 4, 2],
      [4, 5, 3],
    ]);
  });

  it('ends on the total of each point (seeded random)', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const cols = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () =>
        Array.from({ length: 20 }, () => (rnd() < 0.2 ? null : Math.floor(rnd() * 100))),
      );
      const top = stack(cols)[cols.length - 1];
      for (let i = 0; i < 20; i++) {
        const total = cols.reduce((a, c) => a + (c[i] ?? 0), 0);
        const any = cols.some((c) => c[i] !== null);
        if (any) expect(top[i]).toBe(total);
      }
    }
  });
});

describe('reducers', () => {
  it('reduce a column', () => {
    const col = [null, 2, 5, null, 3, null];
    expect(lastValue(col)).toBe(3);
    expect(reduce(col, 'first')).toBe(2);
    expect(reduce(col, 'max')).toBe(5);
    expect(reduce(col, 'min')).toBe(2);
    expect(reduce(col, 'mean')).toBeCloseTo(10 / 3);
    expect(reduce(col, 'sum')).toBe(10);
    expect(reduce([null], 'last')).toBeNull();
  });
});

describe('heatmap', () => {
  it('turns cumulative buckets into per-bucket counts, summing equal bounds', () => {
    const s = (le: string, inst: string, vs: number[]) => ({
      metric: { le, instance: inst },
      values: vs.map((v, i) => [i * 15, String(v)] as [number, string]),
    });
    const h = heatmap([s('+Inf', 'a', [10, 12]), s('0.1', 'a', [2, 3]), s('1', 'a', [7, 9]), s('0.1', 'b', [1, 1]), s('1', 'b', [1, 1]), s('+Inf', 'b', [1, 2])], 0, 15_000, 15_000);
    if ('error' in h) throw new Error(h.error);
    expect(h.bounds).toEqual([0.1, 1, Infinity]);
    expect(h.cells).toEqual([
      [3, 4],
      [5, 6],
      [3, 4],
    ]);
    expect(h.max).toBe(6);
  });

  it('refuses series without le', () => {
    expect(heatmap([{ metric: { a: 'x' }, values: [] }], 0, 0, 1000)).toEqual({ error: 'a heatmap needs histogram buckets: every series must have an "le" label' });
  });
});
