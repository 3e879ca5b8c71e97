import { describe, expect, it } from 'vitest';
import { formatValue, legendFor, parseSampleValue, seriesName } from './format';

describe('formatValue', () => {
  it('formats in each unit', () => {
    expect(formatValue(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatValue(3 * 1024 ** 3, 'bytes')).toBe('3 GiB');
    expect(formatValue(0.25, 'seconds')).toBe('250 ms');
    expect(formatValue(5400, 'seconds')).toBe('1.5 h');
    expect(formatValue(0.0000021, 'seconds')).toBe('2.1 µs');
    expect(formatValue(42.5, 'percent')).toBe('42.5%');
    expect(formatValue(0.425, 'percentunit')).toBe('42.5%');
    expect(formatValue(1234567, 'short')).toBe('1.23 M');
    expect(formatValue(12, 'short')).toBe('12');
    expect(formatValue(1500, 'reqps')).toBe('1.5 kreq/s');
    expect(formatValue(0.5, 'none')).toBe('0.5');
    expect(formatValue(1.23456, 'short', 1)).toBe('1.2');
  });

  it('prints what Prometheus prints for special values', () => {
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
    expect(formatValue(null)).toBe('–');
    expect(parseSampleValue('+Inf')).toBe(Infinity);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
    expect(Number.isNaN(parseSampleValue('NaN'))).toBe(true);
    expect(parseSampleValue('1e3')).toBe(1000);
  });
});

describe('names', () => {
  it('prints label sets as PromQL selectors', () => {
    expect(seriesName({ __name__: 'up', job: 'a', instance: 'x' })).toBe('up{instance="x", job="a"}');
    expect(seriesName({ job: 'a' })).toBe('{job="a"}');
    expect(seriesName({})).toBe('{}');
  });

  it('fills legend templates', () => {
    expect(legendFor('{{instance}} / {{ mode }}', { instance: 'h1', mode: 'idle' })).toBe('h1 / idle');
    expect(legendFor('{{missing}}x', {})).toBe('x');
    expect(legendFor('', { __name__: 'up' })).toBe('up');
  });
});
