// Query results reshaped for drawing: aligned columns for uPlot, stacks, and heatmap cells from
// histogram buckets.
import { parseSampleValue } from './format';

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Range-query series on one time axis: `start`, `start + step`, ... `end` (seconds for uPlot), each
 * series a column with null where it has no sample. Range queries return samples on exactly
 * these steps; a sample off the grid (a misbehaving peer) goes to the nearest step.
 */
export function align(series: MatrixSeries[], startMs: number, endMs: number, stepMs: number): { xs: number[]; ys: (number | null)[][] } {
  const n = Math.floor((endMs - startMs) / stepMs) + 1;
  const xs = new Array<number>(n);
  for (let i = 0; i < n; i++) xs[i] = (startMs + i * stepMs) / 1000;
  const ys = series.map((s) => {
    const col = new Array<number | null>(n).fill(null);
    for (const [t, v] of s.values) {
      const i = Math.round((t * 1000 - startMs) / stepMs);
      if (i >= 0 && i < n) {
        const x = parseSampleValue(v);
        col[i] = Number.isFinite(x) ? x : null;
      }
    }
    return col;
  });
  return { xs, ys };
}

/** Running sums across series at each point (a missing sample counts as 0; an all-missing point stays null). */
export function stack(ys: (number | null)[][]): (number | null)[][] {
  const out: (number | null)[][] = [];
  const n = ys[0]?.length ?? 0;
  const acc = new Array<number>(n).fill(0);
  for (const col of ys) {
    const s = new Array<number | null>(n);
    for (let i = 0; i < n; i++) {
      const v = col[i];
      if (v !== null) acc[i] += v;
      s[i] = v === null ? (out.length === 0 ? null : acc[i]) : acc[i];
    }
    out.push(s);
  }
  return out;
}

/** The last sample of a series that is a number, or null. */
export function lastValue(col: (number | null)[]): number | null {
  for (let i = col.length - 1; i >= 0; i--) {
    if (col[i] !== null) return col[i];
  }
  return null;
}

export type Reducer = 'last' | 'mean' | 'max' | 'min' | 'sum' | 'first';

export function reduce(col: (number | null)[], how: Reducer): number | null {
  const vals = col.filter((v): v is number => v !== null);
  if (vals.length === 0) return null;
  switch (how) {
    case 'first':
      return vals[0];
    case 'mean':
      return vals.reduce((a, b) => a + b, 0) / vals.length;
    case 'max':
      return Math.max(...vals);
    case 'min':
      return Math.min(...vals);
    case 'sum':
      return vals.reduce((a, b) => a + b, 0);
    default:
      return vals[vals.length - 1];
  }
}

export interface Heatmap {
  /** Upper bounds, ascending; the last may be +Inf. */
  bounds: number[];
  /** cells[bucket][time]: what fell into (bounds[b-1], bounds[b]] at each step, or null. */
  cells: (number | null)[][];
  max: number;
}

/**
 * Classic histogram buckets (series with an `le` label, cumulative) as per-bucket counts: series
 * with the same `le` are added up (a heatmap shows the distribution of everything selected), then
 * each bucket minus the one below it. Negative differences (buckets scraped at different moments)
 * are shown as 0.
 */
export function heatmap(series: MatrixSeries[], startMs: number, endMs: number, stepMs: number): Heatmap | { error: string } {
  const byLe = new Map<number, MatrixSeries[]>();
  for (const s of series) {
    const le = s.metric.le;
    if (le === undefined) return { error: 'a heatmap needs histogram buckets: every series must have an "le" label' };
    const b = parseSampleValue(le);
    if (Number.isNaN(b)) return { error: `bucket bound le="${le}" is not a number` };
    if (!byLe.has(b)) byLe.set(b, []);
    byLe.get(b)!.push(s);
  }
  const bounds = [...byLe.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => {
    const { ys } = align(byLe.get(b)!, startMs, endMs, stepMs);
    const n = ys[0].length;
    const sum = new Array<number | null>(n).fill(null);
    for (const col of ys) {
      for (let i = 0; i < n; i++) {
        if (col[i] !== null) sum[i] = (sum[i] ?? 0) + col[i]!;
      }
    }
    return sum;
  });
  let max = 0;
  const cells = cumulative.map((col, k) =>
    col.map((v, i) => {
      if (v === null) return null;
      const below = k === 0 ? 0 : cumulative[k - 1][i] ?? 0;
      const c = Math.max(0, v - below);
      if (c > max) max = c;
      return c;
    }),
  );
  return { bounds, cells, max };
}
