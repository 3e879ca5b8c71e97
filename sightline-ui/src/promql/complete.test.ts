import { describe, expect, it } from 'vitest';
import { apply, contextAt, suggest } from './complete';
import { tokenize } from './lexer';

const at = (src: string) => contextAt(src.replace('|', ''), src.indexOf('|'));

describe('tokenize', () => {
  it('covers every character, even unfinished input (seeded random)', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pieces = ['rate', '(', ')', '{', '}', '[5m]', '"a', '"', '=~', '!=', 'by', ' ', 'x_total', '1e3', ',', '#c\n', '`', '@', 'offset 1h', '\\'];
    for (let i = 0; i < 2000; i++) {
      let src = '';
      for (let k = 0; k < 12; k++) src += pieces[Math.floor(rnd() * pieces.length)];
      const toks = tokenize(src);
      expect(toks.map((t) => t.text).join('')).toBe(src);
      for (let k = 1; k < toks.length; k++) expect(toks[k].start).toBe(toks[k - 1].end);
    }
  });

  it('classifies what the highlighter colours', () => {
    const kinds = tokenize('sum by (job) (rate(http_requests_total{code=~"5.."}[5m] offset 1h)) > 0.5')
      .filter((t) => t.kind !== 'space')
      .map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual([
      'aggregation:sum', 'keyword:by', 'paren:(', 'ident:job', 'paren:)', 'paren:(', 'function:rate', 'paren:(',
      'ident:http_requests_total', 'brace:{', 'labelName:code', 'matchOp:=~', 'string:"5.."', 'brace:}', 'bracket:[',
      'duration:5m', 'bracket:]', 'keyword:offset', 'duration:1h', 'paren:)', 'paren:)', 'op:>', 'number:0.5',
    ]);
  });
});

describe('contextAt', () => {
  it('finds names, label names and label values', () => {
    expect(at('ra|')).toEqual({ kind: 'name', prefix: 'ra', from: 0 });
    expect(at('sum(rate(http_re|')).toEqual({ kind: 'name', prefix: 'http_re', from: 9 });
    expect(at('up{|')).toEqual({ kind: 'labelName', prefix: '', from: 3, metric: 'up' });
    expect(at('up{job="a", ins|')).toEqual({ kind: 'labelName', prefix: 'ins', from: 12, metric: 'up' });
    expect(at('up{job=~"no|')).toEqual({ kind: 'labelValue', prefix: 'no', from: 9, label: 'job', metric: 'up', quote: '"', regex: true });
    expect(at('{job!="|')).toEqual({ kind: 'labelValue', prefix: '', from: 7, label: 'job', metric: undefined, quote: '"', regex: false });
    expect(at('sum by (inst|')).toEqual({ kind: 'labelName', prefix: 'inst', from: 8 });
    expect(at('a / on(job, |')).toEqual({ kind: 'labelName', prefix: '', from: 12 });
    expect(at('up{job="a"}|')).toEqual({ kind: 'none' });
    expect(at('rate(x[5|')).toEqual({ kind: 'none' });
    expect(at('|')).toEqual({ kind: 'none' });
  });
});

describe('suggest and apply', () => {
  it('ranks prefix matches first and completes functions with a parenthesis', () => {
    const ctx = contextAt('rat', 3);
    const s = suggest(ctx, { metrics: ['grpc_rate_total', 'rat_count'] });
    expect(s.map((x) => x.text).slice(0, 3)).toEqual(['rat_count', 'rate', 'grpc_rate_total']);
    const fn = s.find((x) => x.text === 'rate')!;
    expect(apply('rat', 3, ctx, fn)).toEqual({ text: 'rate(', cursor: 5 });
  });

  it('inserts label values escaped and closes the string', () => {
    const src = 'up{path="/a';
    const ctx = contextAt(src, src.length);
    expect(apply(src, src.length, ctx, { text: '/a"b\\c', kind: 'value' })).toEqual({ text: 'up{path="/a\\"b\\\\c"', cursor: 18 });
    const src2 = 'up{job="pro"}';
    const ctx2 = contextAt(src2, 10);
    expect(apply(src2, 10, ctx2, { text: 'prometheus', kind: 'value' })).toEqual({ text: 'up{job="prometheus"}', cursor: 19 });
  });

  it('escapes a value completed after a regex matcher so that it matches only itself', () => {
    const src = 'up{instance=~"10';
    const ctx = contextAt(src, src.length);
    // 10.0.0.1:9100 as a regex: the dots escaped for RE2, the backslashes for the string.
    expect(apply(src, src.length, ctx, { text: '10.0.0.1:9100', kind: 'value' }).text).toBe('up{instance=~"10\\\\.0\\\\.0\\\\.1:9100"');
    const raw = 'up{path!~`';
    expect(apply(raw, raw.length, contextAt(raw, raw.length), { text: '/a(b)', kind: 'value' }).text).toBe('up{path!~`/a\\(b\\)`');
  });
});
