// The public HTTP API, as the UI uses it: Prometheus's shapes, errors as the API states them, and
// the token the user gave when auth is on.
import type { MatrixSeries, VectorSample } from './series';
import type { Variable } from './variables';

const TOKEN_KEY = 'sightline.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Answer<T> {
  data: T;
  warnings: string[];
  infos: string[];
}

export function token(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(t: string | null): void {
  if (t) localStorage.setItem(TOKEN_KEY, t);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Listeners told when the server refuses the request for want of a valid token. */
const authListeners = new Set<() => void>();
export function onAuthNeeded(f: () => void): () => void {
  authListeners.add(f);
  return () => authListeners.delete(f);
}

async function send(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const t = token();
  if (t) headers.set('Authorization', 'Bearer ' + t);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'unavailable', 'cannot reach the server: ' + (e as Error).message);
  }
  if (res.status === 401) authListeners.forEach((f) => f());
  return res;
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object' && typeof body.error === 'string') {
      return new ApiError(res.status, body.errorType ?? 'error', body.error);
    }
    if (typeof body === 'string') return new ApiError(res.status, 'error', body);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, 'error', `${res.status} ${res.statusText}${text ? ': ' + text.slice(0, 300) : ''}`);
}

/** A Prometheus-shaped endpoint: `{"status":"success","data":...,"warnings":[...]}`. */
export async function prom<T>(path: string, params?: Record<string, string | string[]>, init: RequestInit = {}): Promise<Answer<T>> {
  let url = path;
  let body: BodyInit | undefined = init.body ?? undefined;
  const headers = new Headers(init.headers);
  if (params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    }
    // Long expressions go in a form body, as Prometheus accepts them.
    if ((init.method ?? 'GET') === 'POST' && body === undefined) {
      body = q;
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
    } else {
      url += (url.includes('?') ? '&' : '?') + q.toString();
    }
  }
  const res = await send(url, { ...init, headers, body });
  if (!res.ok) throw await errorOf(res);
  const json = await res.json();
  if (json.status !== 'success') throw new ApiError(res.status, json.errorType ?? 'error', json.error ?? 'request failed');
  return { data: json.data as T, warnings: json.warnings ?? [], infos: json.infos ?? [] };
}

/** An Alertmanager-shaped endpoint (plain JSON body). */
export async function plain<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await send(path, init);
  if (!res.ok) throw await errorOf(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export interface MatrixData {
  resultType: 'matrix';
  result: MatrixSeries[];
}
export type InstantData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar' | 'string'; result: [number, string] }
  | MatrixData;

export function queryRange(expr: string, startMs: number, endMs: number, stepMs: number, signal?: AbortSignal): Promise<Answer<MatrixData>> {
  return prom<MatrixData>(
    '/api/v1/query_range',
    { query: expr, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000) },
    { method: 'POST', signal },
  );
}

export function queryInstant(expr: string, timeMs: number, signal?: AbortSignal): Promise<Answer<InstantData>> {
  return prom<InstantData>('/api/v1/query', { query: expr, time: String(timeMs / 1000) }, { method: 'POST', signal });
}

// Names for completion, cached for a minute: typing must not send a request per key.
const cache = new Map<string, { at: number; value: Promise<string[]> }>();
function cached(key: string, load: () => Promise<string[]>): Promise<string[]> {
  const hit = cache.get(key);
  const now = Date.now();
  if (hit && now - hit.at < 60_000) return hit.value;
  const value = load().catch((e) => {
    cache.delete(key);
    throw e;
  });
  cache.set(key, { at: now, value });
  return value;
}

export function metricNames(): Promise<string[]> {
  return cached('metrics', async () => (await prom<string[]>('/api/v1/label/__name__/values')).data);
}

export function labelNames(metric?: string): Promise<string[]> {
  return cached('labels:' + (metric ?? ''), async () =>
    (await prom<string[]>('/api/v1/labels', metric ? { 'match[]': metric } : undefined)).data.filter((l) => l !== '__name__'),
  );
}

export function labelValues(label: string, match?: string): Promise<string[]> {
  return cached('values:' + label + ':' + (match ?? ''), async () =>
    (await prom<string[]>('/api/v1/label/' + encodeURIComponent(label) + '/values', match ? { 'match[]': match } : undefined)).data,
  );
}

// Dashboards (docs/ui.md).
export type PanelType = 'timeseries' | 'stat' | 'toplist' | 'heatmap' | 'table' | 'change';

export interface PanelQuery {
  expr: string;
  legend?: string;
  refId?: string;
}

export interface Panel {
  id: string;
  title: string;
  type: PanelType;
  queries: PanelQuery[];
  gridPos: { x: number; y: number; w: number; h: number };
  options?: Record<string, unknown>;
}

export interface Dashboard {
  id: string;
  title: string;
  description?: string;
  tags?: string[];
  version?: number;
  updated?: string;
  time?: { from: string; to: string };
  refresh?: string;
  variables?: Variable[];
  panels: Panel[];
  shareToken?: string;
  [extra: string]: unknown;
}

export interface DashboardSummary {
  id: string;
  title: string;
  tags: string[];
  updated: string;
  version: number;
  panels: number;
}

export const dashboards = {
  list: async () => (await prom<DashboardSummary[]>('/api/v1/dashboards')).data,
  get: async (id: string) => (await prom<Dashboard>('/api/v1/dashboards/' + encodeURIComponent(id))).data,
  create: async (d: Partial<Dashboard>) =>
    (await prom<Dashboard>('/api/v1/dashboards', undefined, { method: 'POST', body: JSON.stringify(d), headers: { 'Content-Type': 'application/json' } })).data,
  save: async (d: Dashboard) =>
    (await prom<Dashboard>('/api/v1/dashboards/' + encodeURIComponent(d.id), undefined, {
      method: 'PUT',
      body: JSON.stringify(d),
      headers: { 'Content-Type': 'application/json' },
    })).data,
  remove: async (id: string) => {
    await prom<null>('/api/v1/dashboards/' + encodeURIComponent(id), undefined, { method: 'DELETE' });
  },
  duplicate: async (id: string, title?: string) =>
    (await prom<Dashboard>('/api/v1/dashboards/' + encodeURIComponent(id) + '/duplicate', undefined, {
      method: 'POST',
      body: JSON.stringify(title ? { title } : {}),
      headers: { 'Content-Type': 'application/json' },
    })).data,
  share: async (id: string) =>
    (await prom<{ token: string } | Dashboard>('/api/v1/dashboards/' + encodeURIComponent(id) + '/share', undefined, { method: 'POST' })).data,
};
