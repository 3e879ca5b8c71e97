// Numbers as people read them on a chart: units, prefixes and a sensible number of digits.

export type Unit = 'short' | 'none' | 'bytes' | 'bits' | 'seconds' | 'ms' | 'percent' | 'percentunit' | 'reqps' | 'ops' | 'bytesps';

export const UNITS: { value: Unit; label: string }[] = [
  { value: 'short', label: 'Number (k, M, G)' },
  { value: 'none', label: 'Number (plain)' },
  { value: 'bytes', label: 'Bytes (KiB, MiB)' },
  { value: 'bits', label: 'Bits (kb, Mb)' },
  { value: 'seconds', label: 'Seconds' },
  { value: 'ms', label: 'Milliseconds' },
  { value: 'percent', label: 'Percent (0-100)' },
  { value: 'percentunit', label: 'Percent (0.0-1.0)' },
  { value: 'reqps', label: 'Requests/s' },
  { value: 'ops', label: 'Operations/s' },
  { value: 'bytesps', label: 'Bytes/s' },
];

function digits(v: number, decimals?: number): string {
  if (decimals !== undefined) return v.toFixed(decimals);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return trim(v.toFixed(1));
  if (a >= 1) return trim(v.toFixed(2));
  return trim(v.toPrecision(3));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

function scaled(v: number, base: number, prefixes: string[], suffix: string, decimals?: number): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < prefixes.length - 1) {
    x /= base;
    i++;
  }
  return digits(x, decimals) + (prefixes[i] || suffix ? ' ' : '') + prefixes[i] + suffix;
}

function seconds(v: number, decimals?: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0 s';
  if (a < 1e-6) return digits(v * 1e9, decimals) + ' ns';
  if (a < 1e-3) return digits(v * 1e6, decimals) + ' µs';
  if (a < 1) return digits(v * 1e3, decimals) + ' ms';
  if (a < 60) return digits(v, decimals) + ' s';
  if (a < 3600) return digits(v / 60, decimals) + ' min';
  if (a < 86400) return digits(v / 3600, decimals) + ' h';
  return digits(v / 86400, decimals) + ' d';
}

/** Formats a sample value in a unit; NaN and infinities as Prometheus prints them. */
export function formatValue(v: number | null | undefined, unit: Unit = 'short', decimals?: number): string {
  if (v === null || v === undefined) return '–';
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  switch (unit) {
    case 'none':
      return decimals !== undefined ? v.toFixed(decimals) : String(v);
    case 'bytes':
      return scaled(v, 1024, ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'], 'B', decimals);
    case 'bytesps':
      return scaled(v, 1024, ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'], 'B/s', decimals);
    case 'bits':
      return scaled(v, 1000, ['', 'k', 'M', 'G', 'T', 'P', 'E'], 'b', decimals);
    case 'seconds':
      return seconds(v, decimals);
    case 'ms':
      return seconds(v / 1000, decimals);
    case 'percent':
      return digits(v, decimals) + '%';
    case 'percentunit':
      return digits(v * 100, decimals) + '%';
    case 'reqps':
      return scaled(v, 1000, ['', 'k', 'M', 'G', 'T'], 'req/s', decimals);
    case 'ops':
      return scaled(v, 1000, ['', 'k', 'M', 'G', 'T'], 'ops/s', decimals);
    case 'short':
    default:
      return scaled(v, 1000, ['', 'k', 'M', 'G', 'T', 'P', 'E'], '', decimals).trim();
  }
}

/** A Prometheus sample value string ("1.5", "NaN", "+Inf") as a number. */
export function parseSampleValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** `{a="1", b="2"}`-style text for a label set, with the metric name in front when present. */
export function seriesName(metric: Record<string, string>): string {
  const name = metric.__name__ ?? '';
  const rest = Object.keys(metric)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${metric[k]}"`);
  if (rest.length === 0) return name || '{}';
  return `${name}{${rest.join(', ')}}`;
}

/** A legend template as Grafana's: `{{instance}} {{mode}}` filled from the labels; empty means the series name. */
export function legendFor(template: string | undefined, metric: Record<string, string>): string {
  if (!template) return seriesName(metric);
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, k: string) => metric[k] ?? '');
}
