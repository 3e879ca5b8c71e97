// Fetching a panel's data: through the query API with the dashboard's variables substituted here, or
// through the embed endpoint (which substitutes them on the server and checks the share token).
import { ApiError, prom, queryRange, type Panel } from '../lib/api';
import type { MatrixSeries } from '../lib/series';
import { autoStep, parseDuration } from '../lib/time';
import { substitute, type Variable } from '../lib/variables';

export interface QueryResult {
  refId: string;
  expr: string;
  legend?: string;
  series: MatrixSeries[];
  error?: string;
}

export interface PanelData {
  start: number;
  end: number;
  step: number;
  results: QueryResult[];
  warnings: string[];
  infos: string[];
}

/** Where a panel's data comes from. */
export type Source =
  | { kind: 'api'; variables: Variable[]; overrides: Record<string, string[]> }
  | { kind: 'embed'; dashboard: string; token?: string };

/**
 * The range a panel asks for. A "change" panel compares the last value with the one a period
 * earlier: two points, `end - period` and `end`, one step apart.
 */
export function panelRange(panel: Panel, startMs: number, endMs: number, widthPx: number): { start: number; end: number; step: number } {
  if (panel.type === 'change') {
    const period = parseDuration(String(panel.options?.compareTo ?? '1d')) ?? 86_400_000;
    return { start: endMs - period, end: endMs, step: period };
  }
  const minStep = parseDuration(String(panel.options?.minStep ?? '')) ?? 0;
  const step = autoStep(endMs - startMs, widthPx, minStep);
  return { start: Math.floor(startMs / step) * step, end: Math.floor(endMs / step) * step, step };
}

export async function fetchPanel(panel: Panel, source: Source, range: { start: number; end: number; step: number }, signal: AbortSignal): Promise<PanelData> {
  if (source.kind === 'embed') {
    const params: Record<string, string> = { start: String(range.start / 1000), end: String(range.end / 1000), step: String(range.step / 1000) };
    if (source.token) params.token = source.token;
    const a = await prom<{ results: { refId?: string; expr: string; legend?: string; result?: MatrixSeries[]; error?: string; warnings?: string[]; infos?: string[] }[] }>(
      `/api/v1/embed/${encodeURIComponent(source.dashboard)}/${encodeURIComponent(panel.id)}/query_range`,
      params,
      { signal },
    );
    // Each query's warnings and infos come with its result; the panel shows them all together.
    return {
      ...range,
      warnings: [...a.warnings, ...a.data.results.flatMap((r) => r.warnings ?? [])],
      infos: [...a.infos, ...a.data.results.flatMap((r) => r.infos ?? [])],
      results: a.data.results.map((r, i) => ({ refId: r.refId ?? String.fromCharCode(65 + i), expr: r.expr, legend: r.legend, series: r.result ?? [], error: r.error })),
    };
  }
  const warnings: string[] = [];
  const infos: string[] = [];
  const results = await Promise.all(
    panel.queries.map(async (q, i): Promise<QueryResult> => {
      const expr = substitute(q.expr, source.variables, range.step, source.overrides);
      const refId = q.refId || String.fromCharCode(65 + i);
      try {
        const a = await queryRange(expr, range.start, range.end, range.step, signal);
        warnings.push(...a.warnings);
        infos.push(...a.infos);
        return { refId, expr, legend: q.legend, series: a.data.result };
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        return { refId, expr, legend: q.legend, series: [], error: e instanceof ApiError ? e.message : String(e) };
      }
    }),
  );
  return { ...range, results, warnings, infos };
}
