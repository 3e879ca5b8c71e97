import { describe, expect, it } from 'vitest';
import { autoStep, formatDuration, parseDuration, parseTime, resolveRange } from './time';

describe('durations', () => {
  it('parses Prometheus durations and refuses the rest', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2d')).toBe(172_800_000);
    for (const bad of ['', '5', 'm', '5x', '1h 30m', '-5m', '0s']) expect(parseDuration(bad)).toBeNull();
  });

  it('formats the shortest form and round-trips (seeded random)', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(86_400_000)).toBe('1d');
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(rnd() * 1e11) + 1;
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('times', () => {
  const now = Date.UTC(2026, 11, 4, 12, 0, 0);
  it('reads relative, RFC 3339 and Unix times', () => {
    expect(parseTime('now', now)).toBe(now);
    expect(parseTime('now-6h', now)).toBe(now - 6 * 3_600_000);
    expect(parseTime('now+5m', now)).toBe(now + 300_000);
    expect(parseTime('2026-12-04T11:00:00Z', now)).toBe(now - 3_600_000);
    expect(parseTime('1764849600', now)).toBe(1_764_849_600_000);
    expect(parseTime('yesterday', now)).toBeNull();
    expect(parseTime('now-6x', now)).toBeNull();
  });

  it('refuses inverted ranges naming the field', () => {
    expect(() => resolveRange('now', 'now-1h', now)).toThrow('from must be before to');
    expect(() => resolveRange('soon', 'now', now)).toThrow(/^from:/);
    expect(() => resolveRange('now-1h', 'later', now)).toThrow(/^to:/);
  });
});

describe('steps', () => {
  it('picks recognisable steps for the width', () => {
    expect(autoStep(3_600_000, 1200)).toBe(10_000);
    expect(autoStep(86_400_000, 1200)).toBe(300_000);
    expect(autoStep(300_000, 1200)).toBe(1000);
    expect(autoStep(86_400_000, 1200, 600_000)).toBe(600_000);
  });

  it('never asks for more than 11,000 points', () => {
    for (const range of [1e3, 1e6, 1e8, 1e10, 1e12]) {
      for (const width of [100, 1000, 50_000]) {
        expect(range / autoStep(range, width)).toBeLessThanOrEqual(11_000);
      }
    }
  });
});
