// Explore: one expression, as a graph over a range or as a table at an instant; everything in the URL.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, queryInstant, queryRange, type InstantData } from '../lib/api';
import { formatValue, legendFor, parseSampleValue, seriesName } from '../lib/format';
import { align, type MatrixSeries } from '../lib/series';
import { autoStep, formatDuration, parseDuration, resolveRange } from '../lib/time';
import { Messages } from '../components/Messages';
import { QueryEditor } from '../components/QueryEditor';
import { DRAW_MODES, TimeChart, type ChartSeries, type DrawMode } from '../components/TimeChart';
import { TimePicker } from '../components/TimePicker';
import { setParams, useLocation } from '../router';
import { TableHead } from '../components/TableHead';

/** Series drawn at most; the rest are counted in a message (a legend of thousands helps nobody). */
export const MAX_DRAWN = 200;

interface GraphData {
  xs: number[];
  series: ChartSeries[];
  total: number;
  stepMs: number;
  tookMs: number;
}

export function Explore() {
  const { params } = useLocation();
  const q = params.get('q') ?? '';
  const tab = params.get('tab') === 'table' ? 'table' : 'graph';
  const from = params.get('from') ?? 'now-1h';
  const to = params.get('to') ?? 'now';
  const mode = (params.get('mode') as DrawMode) || 'line';
  const stepParam = params.get('step') ?? '';
  const [draft, setDraft] = useState(q);
  const [error, setError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [infos, setInfos] = useState<string[]>([]);
  const [graph, setGraph] = useState<GraphData | null>(null);
  const [table, setTable] = useState<{ data: InstantData; tookMs: number } | null>(null);
  const [loading, setLoading] = useState(false);
  const [runs, setRuns] = useState(0);
  const area = useRef<HTMLDivElement>(null);

  useEffect(() => setDraft(q), [q]);

  const update = (p: Record<string, string | undefined>) =>
    setParams({ q, tab, from, to, mode: mode === 'line' ? undefined : mode, step: stepParam || undefined, ...p });

  const run = useCallback(
    (signal: AbortSignal) => {
      if (!q.trim()) {
        setGraph(null);
        setTable(null);
        return;
      }
      setLoading(true);
      setError(null);
      const t0 = performance.now();
      let range: { start: number; end: number };
      try {
        range = resolveRange(from, to, Date.now());
      } catch (e) {
        setError((e as Error).message);
        setLoading(false);
        return;
      }
      const done = (w: string[], i: string[]) => {
        setWarnings(w);
        setInfos(i);
        setLoading(false);
      };
      const fail = (e: unknown) => {
        if ((e as Error).name === 'AbortError') return;
        setError(e instanceof ApiError ? `${e.message} (${e.errorType})` : String(e));
        setGraph(null);
        setTable(null);
        done([], []);
      };
      if (tab === 'graph') {
        const width = area.current?.clientWidth ?? 1000;
        const fixed = stepParam ? parseDuration(stepParam) : null;
        const stepMs = fixed ?? autoStep(range.end - range.start, width);
        const start = Math.floor(range.start / stepMs) * stepMs;
        const end = Math.floor(range.end / stepMs) * stepMs;
        queryRange(q, start, end, stepMs, signal).then((a) => {
          const shown = a.data.result.slice(0, MAX_DRAWN);
          const { xs, ys } = align(shown, start, end, stepMs);
          setGraph({
            xs,
            series: shown.map((s, i) => ({ label: legendFor(undefined, s.metric), values: ys[i] })),
            total: a.data.result.length,
            stepMs,
            tookMs: Math.round(performance.now() - t0),
          });
          done(a.warnings, a.infos);
        }, fail);
      } else {
        queryInstant(q, range.end, signal).then((a) => {
          setTable({ data: a.data, tookMs: Math.round(performance.now() - t0) });
          done(a.warnings, a.infos);
        }, fail);
      }
    },
    [q, tab, from, to, stepParam],
  );

  useEffect(() => {
    const ctl = new AbortController();
    run(ctl.signal);
    return () => ctl.abort();
  }, [run, runs]);

  const execute = () => {
    if (draft === q) setRuns((n) => n + 1);
    else update({ q: draft });
  };

  return (
    <section class="page explore" aria-labelledby="explore-title">
      <h1 id="explore-title">Explore</h1>
      <div class="query-row">
        <QueryEditor value={draft} onInput={setDraft} onRun={execute} placeholder="Expression (Enter to run, Shift+Enter for a new line, Ctrl+Space to complete)" />
        <button type="button" class="primary" onClick={execute} disabled={loading}>
          {loading ? 'Running…' : 'Run query'}
        </button>
      </div>
      <div class="toolbar">
        <div role="tablist" aria-label="View" class="tabs">
          <button role="tab" aria-selected={tab === 'graph'} onClick={() => update({ tab: 'graph' })}>
            Graph
          </button>
          <button role="tab" aria-selected={tab === 'table'} onClick={() => update({ tab: 'table' })}>
            Table
          </button>
        </div>
        <TimePicker from={from} to={to} onChange={(f, t) => update({ from: f, to: t })} onRefresh={() => setRuns((n) => n + 1)} />
        {tab === 'graph' && (
          <>
            <label>
              Draw{' '}
              <select value={mode} onChange={(e) => update({ mode: e.currentTarget.value })}>
                {DRAW_MODES.map((m) => (
                  <option value={m.value}>{m.label}</option>
                ))}
              </select>
            </label>
            <label>
              Step{' '}
              <input
                size={6}
                placeholder="auto"
                value={stepParam}
                aria-invalid={stepParam !== '' && parseDuration(stepParam) === null}
                onChange={(e) => {
                  const v = e.currentTarget.value.trim();
                  if (v === '' || parseDuration(v) !== null) update({ step: v || undefined });
                }}
              />
            </label>
          </>
        )}
      </div>
      <Messages error={error} warnings={warnings} infos={infos} />
      <div ref={area} class="result" aria-busy={loading}>
        {tab === 'graph' && graph && (
          <>
            <p class="stats">
              {graph.total} series{graph.total > MAX_DRAWN ? `, the first ${MAX_DRAWN} drawn` : ''} · step {formatDuration(graph.stepMs)} · {graph.tookMs} ms · drag on the chart to zoom
            </p>
            {graph.total === 0 ? (
              <p class="empty">No data in this range.</p>
            ) : (
              <TimeChart xs={graph.xs} series={graph.series} mode={mode} height={360} onZoom={(a, b) => update({ from: new Date(a).toISOString(), to: new Date(b).toISOString() })} />
            )}
          </>
        )}
        {tab === 'table' && table && <ResultTable data={table.data} tookMs={table.tookMs} />}
        {!q && <p class="empty">Type an expression, for example <code>rate(prometheus_http_requests_total[5m])</code> or <code>up</code>.</p>}
      </div>
    </section>
  );
}

function ResultTable({ data, tookMs }: { data: InstantData; tookMs: number }) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return (
      <>
        <p class="stats">{data.resultType} · {tookMs} ms</p>
        <table class="data">
          <tbody>
            <tr>
              <th scope="row">{data.resultType}</th>
              <td class="num">{data.result[1]}</td>
            </tr>
          </tbody>
        </table>
      </>
    );
  }
  const rows = data.resultType === 'vector' ? data.result.map((s) => ({ metric: s.metric, text: s.value[1], v: parseSampleValue(s.value[1]) })) : (data.result as MatrixSeries[]).map((s) => ({ metric: s.metric, text: s.values.map(([t, v]) => `${v} @${t}`).join('\n'), v: NaN }));
  return (
    <>
      <p class="stats">
        {rows.length} series ({data.resultType}) · {tookMs} ms
      </p>
      {rows.length === 0 ? (
        <p class="empty">Empty result.</p>
      ) : (
        <table class="data">
          <TableHead columns={['Series', 'Value']} />
          <tbody>
            {rows.slice(0, 10_000).map((r) => (
              <tr>
                <td class="series">{seriesName(r.metric)}</td>
                <td class="num" title={Number.isNaN(r.v) ? undefined : formatValue(r.v)}>
                  <pre>{r.text}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
