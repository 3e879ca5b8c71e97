// The time range (relative or absolute), auto-refresh and a refresh button.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { parseTime, resolveRange } from '../lib/time';

export const PRESETS = ['5m', '15m', '1h', '3h', '6h', '12h', '24h', '2d', '7d', '30d'];
export const REFRESH = ['', '5s', '10s', '30s', '1m', '5m', '15m'];

export interface TimePickerProps {
  from: string;
  to: string;
  refresh?: string;
  onChange: (from: string, to: string) => void;
  onRefreshChange?: (r: string) => void;
  onRefresh: () => void;
}

export function TimePicker({ from, to, refresh, onChange, onRefreshChange, onRefresh }: TimePickerProps) {
  const [f, setF] = useState(from);
  const [t, setT] = useState(to);
  useEffect(() => {
    setF(from);
    setT(to);
  }, [from, to]);
  const preset = to === 'now' && from.startsWith('now-') ? from.slice(4) : '';
  const valid = (s: string) => parseTime(s, Date.now()) !== null;
  return (
    <div class="timepicker" role="group" aria-label="Time range">
      <label>
        <span class="sr-only">Quick range</span>
        <select value={PRESETS.includes(preset) ? preset : ''} onChange={(e) => e.currentTarget.value && onChange('now-' + e.currentTarget.value, 'now')}>
          <option value="">Custom</option>
          {PRESETS.map((p) => (
            <option value={p}>Last {p}</option>
          ))}
        </select>
      </label>
      <form
        class="range-inputs"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid(f) && valid(t)) onChange(f.trim(), t.trim());
        }}
      >
        <label>
          From <input value={f} size={12} aria-invalid={!valid(f)} onInput={(e) => setF(e.currentTarget.value)} name="from" />
        </label>
        <label>
          To <input value={t} size={12} aria-invalid={!valid(t)} onInput={(e) => setT(e.currentTarget.value)} name="to" />
        </label>
        <button type="submit" class="secondary">Apply</button>
      </form>
      {onRefreshChange && (
        <label>
          <span class="sr-only">Auto-refresh</span>
          <select value={refresh ?? ''} onChange={(e) => onRefreshChange(e.currentTarget.value)} title="Auto-refresh">
            {REFRESH.map((r) => (
              <option value={r}>{r ? 'Every ' + r : 'Auto-refresh off'}</option>
            ))}
          </select>
        </label>
      )}
      <button type="button" onClick={onRefresh} title="Refresh now" aria-label="Refresh now">
        ↻
      </button>
    </div>
  );
}

/** Calls `f` every `period` (a duration such as `30s`) while the page is visible. */
export function useInterval(f: () => void, periodMs: number | null): void {
  useEffect(() => {
    if (!periodMs) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') f();
    }, periodMs);
    return () => clearInterval(id);
  }, [f, periodMs]);
}

/**
 * The absolute range of a picker's `from`/`to` (or the reason it has none), resolved again at each
 * refresh: every `refreshMs` while the page is visible, and when the returned function is called.
 */
export function useRefreshingRange(from: string, to: string, refreshMs: number | null) {
  const [tick, setTick] = useState(0);
  const range = useMemo(() => {
    try {
      return resolveRange(from, to, Date.now());
    } catch (e) {
      return { error: (e as Error).message };
    }
  }, [from, to, tick]);
  const bump = useCallback(() => setTick((t) => t + 1), []);
  useInterval(bump, refreshMs);
  return { range, tick, refresh: bump };
}
