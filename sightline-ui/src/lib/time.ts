// Durations, relative times and query steps, as Prometheus and Grafana users write them.

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** Parses a Prometheus duration (`90s`, `1h30m`, `500ms`); null when it is not one. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < s.length && (m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  return pos === s.length && total > 0 ? total : null;
}

/** The shortest Prometheus duration for a whole number of milliseconds (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['y', 'w', 'd', 'h', 'm', 's', 'ms']) {
    const size = UNITS[unit];
    if (rest >= size) {
      const n = Math.floor(rest / size);
      out += n + unit;
      rest -= n * size;
    }
  }
  return out;
}

/**
 * Parses a time as the time pickers write it: `now`, `now-6h`, `now+5m`, an RFC 3339 date, or Unix
 * seconds. Returns epoch milliseconds, or null when the text is none of these.
 */
export function parseTime(text: string, now: number): number | null {
  const s = text.trim();
  if (s === 'now') return now;
  const rel = /^now([+-])(.+)$/.exec(s);
  if (rel) {
    const d = parseDuration(rel[2]);
    if (d === null) return null;
    return rel[1] === '-' ? now - d : now + d;
  }
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (/^\d{4}-\d{2}-\d{2}/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

const NICE_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((s) => s * 1000);

/**
 * The step for a range query drawn `widthPx` wide: about one point per two pixels, rounded up to a
 * step people recognise, and never more than Prometheus's 11,000 points per series.
 */
export function autoStep(rangeMs: number, widthPx: number, minStepMs = 0): number {
  const points = Math.max(10, Math.min(11_000, Math.floor(widthPx / 2)));
  const raw = Math.max(rangeMs / points, minStepMs, 1000);
  for (const s of NICE_STEPS) {
    if (s >= raw) return s;
  }
  return Math.ceil(raw / 86_400_000) * 86_400_000;
}

/** Resolves a picker's `from`/`to` to an absolute range; throws a message naming the bad field. */
export function resolveRange(from: string, to: string, now: number): { start: number; end: number } {
  const start = parseTime(from, now);
  if (start === null) throw new Error(`from: cannot read "${from}" as a time (try now-6h or 2026-01-31T12:00:00Z)`);
  const end = parseTime(to, now);
  if (end === null) throw new Error(`to: cannot read "${to}" as a time (try now)`);
  if (end <= start) throw new Error('from must be before to');
  return { start, end };
}
