// Time series drawn with uPlot: lines, areas, stacked areas or bars, a legend with the values under
// the cursor, and drag-to-zoom on the time axis.
import { useEffect, useRef } from 'preact/hooks';
import uPlot, { type AlignedData, type Options, type Series } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatValue, type Unit } from '../lib/format';
import { stack } from '../lib/series';
import { colorOf, cssVar } from '../theme';

export type DrawMode = 'line' | 'area' | 'stacked' | 'bar';

/** The draw modes as a picker offers them. */
export const DRAW_MODES: { value: DrawMode; label: string }[] = [
  { value: 'line', label: 'Lines' },
  { value: 'area', label: 'Area' },
  { value: 'stacked', label: 'Stacked area' },
  { value: 'bar', label: 'Bars' },
];

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface TimeChartProps {
  xs: number[];
  series: ChartSeries[];
  mode?: DrawMode;
  unit?: Unit;
  height: number;
  legend?: boolean;
  /** Called with the dragged range in epoch milliseconds. */
  onZoom?: (startMs: number, endMs: number) => void;
}

function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  return hex + a;
}

export function TimeChart({ xs, series, mode = 'line', unit = 'short', height, legend = true, onZoom }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    const build = () => {
      plot?.destroy();
      const raw = series.map((s) => s.values);
      const drawn = mode === 'stacked' ? stack(raw) : raw;
      const text = cssVar('--text-muted') || '#666';
      const grid = cssVar('--grid') || '#8882';
      const seriesOpts: Series[] = [
        {},
        ...series.map((s, i): Series => {
          const color = colorOf(i);
          const o: Series = {
            label: s.label,
            stroke: color,
            width: mode === 'bar' ? 0 : 1.5,
            spanGaps: false,
            points: { show: false },
            value: (_u, _v, _si, idx) => (idx === null ? '' : formatValue(raw[i][idx], unit)),
          };
          if (mode === 'area') o.fill = withAlpha(color, 0.15);
          if (mode === 'stacked') o.fill = withAlpha(color, 0.55);
          if (mode === 'bar') {
            o.fill = withAlpha(color, 0.8);
            o.paths = uPlot.paths.bars!({ size: [0.7, 60], align: 0 });
          }
          return o;
        }),
      ];
      const opts: Options = {
        width: Math.max(100, el.clientWidth),
        height,
        series: seriesOpts,
        legend: { show: legend, live: true },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: mode !== 'bar' } },
        scales: { x: { time: true } },
        axes: [
          { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          {
            stroke: text,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            size: 64,
            values: (_u, splits) => splits.map((v) => formatValue(v, unit)),
          },
        ],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width > 4 && zoom.current) {
                const a = u.posToVal(u.select.left, 'x');
                const b = u.posToVal(u.select.left + u.select.width, 'x');
                u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
                zoom.current(Math.round(a * 1000), Math.round(b * 1000));
              }
            },
          ],
        },
      };
      if (mode === 'stacked') {
        // Fill each band between a series and the one below it.
        opts.bands = series.slice(1).map((_s, i) => ({ series: [i + 2, i + 1] as [number, number], fill: withAlpha(colorOf(i + 1), 0.55) }));
        seriesOpts.slice(2).forEach((s) => (s.fill = undefined));
      }
      plot = new uPlot(opts, [xs, ...drawn] as AlignedData, el);
    };
    build();
    const resize = new ResizeObserver(() => {
      if (plot && Math.abs(plot.width - el.clientWidth) > 2) plot.setSize({ width: Math.max(100, el.clientWidth), height });
    });
    resize.observe(el);
    window.addEventListener('sightline-theme', build);
    return () => {
      resize.disconnect();
      window.removeEventListener('sightline-theme', build);
      plot?.destroy();
    };
  }, [xs, series, mode, unit, height, legend]);

  return <div class="chart" ref={box} data-series={series.length} data-points={xs.length} />;
}
