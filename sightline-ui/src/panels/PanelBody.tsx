// A panel's picture for each panel type, from its data.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Panel } from '../lib/api';
import { formatValue, legendFor, type Unit } from '../lib/format';
import { align, heatmap, reduce, type Reducer } from '../lib/series';
import { formatDuration } from '../lib/time';
import { colorOf, cssVar } from '../theme';
import { TimeChart, type DrawMode } from '../components/TimeChart';
import type { PanelData } from './data';
import { TableHead } from '../components/TableHead';

export interface Threshold {
  value: number;
  color: string;
}

/** The color of the highest threshold at or below the value. */
export function thresholdColor(v: number | null, thresholds: Threshold[] | undefined): string | undefined {
  if (v === null || !thresholds) return undefined;
  let c: string | undefined;
  for (const t of [...thresholds].sort((a, b) => a.value - b.value)) {
    if (v >= t.value) c = t.color;
  }
  return c;
}

function flatSeries(data: PanelData) {
  const all = data.results.flatMap((r) => r.series.map((s) => ({ s, legend: legendFor(r.legend, s.metric) })));
  const { xs, ys } = align(
    all.map((a) => a.s),
    data.start,
    data.end,
    data.step,
  );
  return { xs, cols: all.map((a, i) => ({ label: a.legend, values: ys[i] })) };
}

export function PanelBody({ panel, data, height, onZoom }: { panel: Panel; data: PanelData; height: number; onZoom?: (a: number, b: number) => void }) {
  const o = panel.options ?? {};
  const unit = (o.unit as Unit) ?? 'short';
  const decimals = typeof o.decimals === 'number' ? o.decimals : undefined;
  const reducer = (o.reducer as Reducer) ?? 'last';
  // The same arrays for the same data, so that the chart is only rebuilt when the data changes.
  const { xs, cols } = useMemo(() => flatSeries(data), [data]);
  if (cols.length === 0) return <p class="empty">No data</p>;
  switch (panel.type) {
    case 'stat': {
      const v = reduce(cols[0].values, reducer);
      const color = thresholdColor(v, o.thresholds as Threshold[] | undefined);
      return (
        <div class="stat" style={color ? { '--stat-color': color } : undefined} data-value={v ?? ''}>
          <div class="stat-value">{formatValue(v, unit, decimals)}</div>
          {cols.length > 1 && <div class="stat-note">{cols[0].label} (1 of {cols.length} series)</div>}
          {o.sparkline !== false && <Sparkline values={cols[0].values} />}
        </div>
      );
    }
    case 'toplist': {
      const limit = typeof o.limit === 'number' ? o.limit : 10;
      const rows = cols.map((c) => ({ label: c.label, v: reduce(c.values, reducer) })).filter((r) => r.v !== null) as { label: string; v: number }[];
      rows.sort((a, b) => b.v - a.v);
      const top = rows.slice(0, limit);
      const max = Math.max(...top.map((r) => Math.abs(r.v)), 1e-300);
      return (
        <ol class="toplist">
          {top.map((r, i) => (
            <li>
              <span class="toplist-label" title={r.label}>{r.label}</span>
              <span class="toplist-bar" style={{ width: `${(Math.abs(r.v) / max) * 100}%`, background: colorOf(i) }} />
              <span class="toplist-value">{formatValue(r.v, unit, decimals)}</span>
            </li>
          ))}
        </ol>
      );
    }
    case 'table': {
      return (
        <div class="table-wrap" style={{ maxHeight: height + 'px' }}>
          <table class="data">
            <TableHead columns={['Series', 'Last', 'Min', 'Max', 'Mean']} />
            <tbody>
              {cols.map((c) => (
                <tr>
                  <td class="series">{c.label}</td>
                  {(['last', 'min', 'max', 'mean'] as Reducer[]).map((r) => (
                    <td class="num">{formatValue(reduce(c.values, r), unit, decimals)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    case 'change': {
      const c = cols[0].values;
      const before = c[0];
      const now = c[c.length - 1];
      const delta = before !== null && now !== null ? now - before : null;
      const pct = delta !== null && before !== 0 && before !== null ? (delta / Math.abs(before)) * 100 : null;
      const good = delta === null || delta === 0 ? 'flat' : (delta > 0) === (o.increaseIsGood !== false) ? 'good' : 'bad';
      return (
        <div class={'change ' + good} data-delta={delta ?? ''}>
          <div class="stat-value">{formatValue(now, unit, decimals)}</div>
          <div class="change-delta">
            {delta === null ? 'no earlier value' : `${delta > 0 ? '▲' : delta < 0 ? '▼' : '='} ${formatValue(Math.abs(delta), unit, decimals)}${pct !== null ? ` (${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%)` : ''}`}
          </div>
          <div class="stat-note">vs. {formatDuration(data.step)} earlier: {formatValue(before, unit, decimals)}</div>
        </div>
      );
    }
    case 'heatmap':
      return <HeatmapView data={data} height={height} unit={unit} />;
    default:
      return <TimeChart xs={xs} series={cols} mode={(o.draw as DrawMode) ?? 'line'} unit={unit} height={height} legend={o.legend !== false} onZoom={onZoom} />;
  }
}

function Sparkline({ values }: { values: (number | null)[] }) {
  const pts = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  if (pts.length < 2) return null;
  const min = Math.min(...pts.map((p) => p[1]));
  const max = Math.max(...pts.map((p) => p[1]));
  const n = values.length - 1 || 1;
  const d = pts.map(([i, v]) => `${((i / n) * 100).toFixed(2)},${(30 - ((v - min) / (max - min || 1)) * 28 - 1).toFixed(2)}`).join(' ');
  return (
    <svg class="sparkline" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true">
      <polyline points={d} fill="none" vector-effect="non-scaling-stroke" />
    </svg>
  );
}

function HeatmapView({ data, height, unit }: { data: PanelData; height: number; unit: Unit }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [tip, setTip] = useState<string>('');
  const h = useMemo(() => heatmap(data.results.flatMap((r) => r.series), data.start, data.end, data.step), [data]);
  useEffect(() => {
    const c = canvas.current;
    if (!c || 'error' in h) return;
    const draw = () => {
      const w = c.clientWidth;
      const ratio = window.devicePixelRatio || 1;
      c.width = w * ratio;
      c.height = height * ratio;
      const g = c.getContext('2d');
      if (!g) return;
      g.scale(ratio, ratio);
      g.clearRect(0, 0, w, height);
      const rows = h.bounds.length;
      const cols = h.cells[0]?.length ?? 0;
      const cw = w / Math.max(1, cols);
      const rh = height / Math.max(1, rows);
      const hot = cssVar('--heat') || '#e5702f';
      for (let b = 0; b < rows; b++) {
        for (let i = 0; i < cols; i++) {
          const v = h.cells[b][i];
          if (v === null || v === 0 || h.max === 0) continue;
          g.globalAlpha = 0.08 + 0.92 * Math.sqrt(v / h.max);
          g.fillStyle = hot;
          g.fillRect(i * cw, height - (b + 1) * rh, Math.ceil(cw), Math.ceil(rh));
        }
      }
      g.globalAlpha = 1;
    };
    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(c);
    return () => ro.disconnect();
  }, [h, height]);
  if ('error' in h) return <p class="msg error">{h.error}</p>;
  return (
    <div class="heatmap">
      <canvas
        ref={canvas}
        style={{ height: height + 'px' }}
        role="img"
        aria-label={`Heatmap of ${h.bounds.length} buckets`}
        onMouseMove={(e) => {
          const c = e.currentTarget;
          const r = c.getBoundingClientRect();
          const cols = h.cells[0]?.length ?? 0;
          const i = Math.min(cols - 1, Math.floor(((e.clientX - r.left) / r.width) * cols));
          const b = Math.min(h.bounds.length - 1, Math.floor(((r.bottom - e.clientY) / r.height) * h.bounds.length));
          if (i < 0 || b < 0) return;
          const lo = b === 0 ? 0 : h.bounds[b - 1];
          const t = new Date(data.start + i * data.step).toLocaleTimeString();
          setTip(`${t}: (${formatValue(lo, unit)}, ${formatValue(h.bounds[b], unit)}] → ${formatValue(h.cells[b][i])}`);
        }}
        onMouseLeave={() => setTip('')}
      />
      <div class="heatmap-axis">
        <span>{formatValue(h.bounds[0], unit)}</span>
        <span>{tip || `${h.bounds.length} buckets, max ${formatValue(h.max)}`}</span>
        <span>{formatValue(h.bounds[h.bounds.length - 1], unit)}</span>
      </div>
    </div>
  );
}
