import { describe, expect, it } from 'vitest';
import { ALL, builtins, escapeValue, nextSelection, substitute, type Variable } from './variables';

/** Undoes the PromQL string escaping, as the server's parser does for a double-quoted string. */
function unquote(s: string): string {
  return s.replace(/\\(x[0-9a-f]{2}|.)/g, (_m, e: string) =>
    e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e,
  );
}

describe('variables', () => {
  const vars: Variable[] = [
    { name: 'instance', label: 'instance', current: ['host:9100'] },
    { name: 'mode', label: 'mode', multi: true, current: ['user', 'system'] },
    { name: 'job', label: 'job', includeAll: true, current: [ALL] },
  ];

  it('substitutes $name and ${name}, single, multi and all', () => {
    expect(substitute('up{instance=~"$instance"}', vars, 15_000)).toBe('up{instance=~"host:9100"}');
    expect(substitute('x{mode=~"${mode}"}', vars, 15_000)).toBe('x{mode=~"(user|system)"}');
    expect(substitute('x{job=~"$job"}', vars, 15_000)).toBe('x{job=~".*"}');
    expect(substitute('x{a="$unknown"}', vars, 15_000)).toBe('x{a="$unknown"}');
    expect(substitute('x{a=~"$v"}', [{ name: 'v', label: 'a', current: [] }], 15_000)).toBe('x{a=~""}');
    expect(substitute('x{a=~"$v"}', [{ name: 'v', label: 'a', includeAll: true, current: [] }], 15_000)).toBe('x{a=~".*"}');
    expect(substitute('x{a=~"$v"}', [{ name: 'v', label: 'a', current: ['a\nb', 'c"d'] }], 15_000)).toBe('x{a=~"(a\\nb|c\\"d)"}');
    expect(substitute('x{instance=~"$instance"}', vars, 15_000, { instance: ['a', 'b'] })).toBe('x{instance=~"(a|b)"}');
  });

  it('gives Grafana-like intervals', () => {
    expect(builtins(15_000)).toEqual({ __interval: '15s', __rate_interval: '60s' });
    expect(builtins(300_000)).toEqual({ __interval: '300s', __rate_interval: '315s' });
    expect(builtins(400)).toEqual({ __interval: '1s', __rate_interval: '60s' });
    expect(builtins(90_500)).toEqual({ __interval: '91s', __rate_interval: '105500ms' });
    expect(substitute('rate(x[$__rate_interval])', [], 60_000)).toBe('rate(x[75s])');
  });

  it('escapes any value so that the regex matches exactly it (seeded random)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = 'ab.+*?()|[]{}^$\\"\' -_:/é\n\t\u0001';
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rnd() * 12);
      let v = '';
      for (let k = 0; k < len; k++) v += alphabet[Math.floor(rnd() * alphabet.length)];
      const re = new RegExp('^(?:' + unquote(escapeValue(v)) + ')$');
      expect(re.test(v)).toBe(true);
      if (v.length > 0) expect(re.test(v + 'x')).toBe(false);
    }
  });

  it('leaves unknown names alone, including names of Object.prototype', () => {
    expect(substitute('x{a="$constructor", b="${toString}", c="$__proto__"}', vars, 15_000)).toBe('x{a="$constructor", b="${toString}", c="$__proto__"}');
  });

  it('picks All over values, values over an earlier All, and keeps an empty choice explicit', () => {
    expect(nextSelection(['a'], [ALL, 'a'])).toEqual([ALL]);
    expect(nextSelection([ALL], [ALL, 'b'])).toEqual(['b']);
    expect(nextSelection([ALL], [ALL])).toEqual([ALL]);
    expect(nextSelection(['a'], ['a', 'b'])).toEqual(['a', 'b']);
    expect(nextSelection(['a'], [])).toEqual(['']);
    expect(nextSelection([], [''])).toEqual(['']);
  });
});
