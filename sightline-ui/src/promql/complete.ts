// Where the cursor is in a PromQL expression, for completion: a metric or function name, a label
// name inside `{}` or `by (...)`, or a label value inside the quotes after a matcher.
import { AGGREGATIONS, FUNCTIONS, KEYWORDS, LABEL_LIST_KEYWORDS } from './lang';
import { tokenize, type Token } from './lexer';

export type Context =
  | { kind: 'none' }
  | { kind: 'name'; prefix: string; from: number }
  | { kind: 'labelName'; prefix: string; from: number; metric?: string }
  /** `regex`: the matcher is `=~` or `!~`, so a completed value is a regex that matches it alone. */
  | { kind: 'labelValue'; prefix: string; from: number; label: string; metric?: string; quote: string; regex: boolean };

export function contextAt(src: string, cursor: number): Context {
  const tokens = tokenize(src.slice(0, cursor)).filter((t) => t.kind !== 'comment');
  const last = tokens[tokens.length - 1];
  if (!last) return { kind: 'none' };
  const sig = tokens.filter((t) => t.kind !== 'space');
  const lastSig = sig[sig.length - 1];

  const brace = openBrace(tokens);
  if (brace >= 0) {
    const metric = metricBefore(tokens, brace);
    if (last.kind === 'string' && last.open) {
      const op = sig[sig.length - 2];
      const label = sig[sig.length - 3];
      if (op?.kind === 'matchOp' && label?.kind === 'labelName') {
        return { kind: 'labelValue', prefix: unescape(last.text.slice(1)), from: last.start + 1, label: label.text, metric, quote: last.text[0], regex: op.text === '=~' || op.text === '!~' };
      }
      return { kind: 'none' };
    }
    if (last.kind === 'labelName') {
      const before = sig[sig.length - 2];
      if (before && (before.text === '{' || before.kind === 'comma')) {
        return { kind: 'labelName', prefix: last.text, from: last.start, metric };
      }
      return { kind: 'none' };
    }
    if (lastSig.text === '{' || lastSig.kind === 'comma') {
      return { kind: 'labelName', prefix: '', from: cursor, metric };
    }
    return { kind: 'none' };
  }

  const paren = openParen(tokens);
  if (paren >= 0) {
    const kw = previousSignificant(tokens, paren);
    if (kw && LABEL_LIST_KEYWORDS.has(kw.text.toLowerCase())) {
      if (last.kind === 'ident' || last.kind === 'keyword' || last.kind === 'aggregation' || last.kind === 'function') {
        return { kind: 'labelName', prefix: last.text, from: last.start };
      }
      if (lastSig.text === '(' || lastSig.kind === 'comma') return { kind: 'labelName', prefix: '', from: cursor };
      return { kind: 'none' };
    }
  }
  if (last.kind === 'ident' || last.kind === 'function' || last.kind === 'aggregation' || last.kind === 'keyword') {
    return { kind: 'name', prefix: last.text, from: last.start };
  }
  return { kind: 'none' };
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Index of the `{` still open at the end, or -1. */
function openBrace(tokens: Token[]): number {
  for (let k = tokens.length - 1; k >= 0; k--) {
    if (tokens[k].text === '}') return -1;
    if (tokens[k].text === '{') return k;
  }
  return -1;
}

/** Index of the innermost `(` still open at the end, or -1. */
function openParen(tokens: Token[]): number {
  let depth = 0;
  for (let k = tokens.length - 1; k >= 0; k--) {
    if (tokens[k].text === ')') depth++;
    else if (tokens[k].text === '(') {
      if (depth === 0) return k;
      depth--;
    }
  }
  return -1;
}

function previousSignificant(tokens: Token[], index: number): Token | undefined {
  for (let k = index - 1; k >= 0; k--) {
    if (tokens[k].kind !== 'space') return tokens[k];
  }
  return undefined;
}

function metricBefore(tokens: Token[], brace: number): string | undefined {
  const t = previousSignificant(tokens, brace);
  return t && (t.kind === 'ident' || t.kind === 'aggregation' || t.kind === 'function') ? t.text : undefined;
}

export interface Suggestion {
  /** What is inserted. */
  text: string;
  /** What kind of thing it is: metric, function, aggregation, keyword, label, value. */
  kind: string;
  detail?: string;
}

/**
 * Candidates for a context, best first: those starting with the prefix, then those containing it.
 * `metrics`, `labels` and `values` are what the API answered for the context.
 */
export function suggest(ctx: Context, names: { metrics?: string[]; labels?: string[]; values?: string[] }, limit = 50): Suggestion[] {
  const all: Suggestion[] = [];
  if (ctx.kind === 'name') {
    for (const m of names.metrics ?? []) all.push({ text: m, kind: 'metric' });
    for (const [f, sig] of Object.entries(FUNCTIONS)) all.push({ text: f, kind: 'function', detail: sig });
    for (const [a, sig] of Object.entries(AGGREGATIONS)) all.push({ text: a, kind: 'aggregation', detail: sig });
    for (const k of KEYWORDS) all.push({ text: k, kind: 'keyword' });
  } else if (ctx.kind === 'labelName') {
    for (const l of names.labels ?? []) all.push({ text: l, kind: 'label' });
  } else if (ctx.kind === 'labelValue') {
    for (const v of names.values ?? []) all.push({ text: v, kind: 'value' });
  } else {
    return [];
  }
  const p = ctx.prefix.toLowerCase();
  const starts = all.filter((s) => s.text.toLowerCase().startsWith(p));
  const contains = p === '' ? [] : all.filter((s) => !s.text.toLowerCase().startsWith(p) && s.text.toLowerCase().includes(p));
  const out = [...starts, ...contains];
  if (out.length === 1 && out[0].text === ctx.prefix) return [];
  return out.slice(0, limit);
}

/**
 * Applies a suggestion: the new text and cursor position. Values are escaped for a regex after
 * `=~`/`!~` (RE2 metacharacters), then for their quotes.
 */
export function apply(src: string, cursor: number, ctx: Context, s: Suggestion): { text: string; cursor: number } {
  if (ctx.kind === 'none') return { text: src, cursor };
  let insert = s.text;
  let end = cursor;
  if (ctx.kind === 'labelValue') {
    const value = ctx.regex ? s.text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&') : s.text;
    insert = ctx.quote === '`' ? value : value.replace(/\\/g, '\\\\').replace(new RegExp(ctx.quote, 'g'), '\\' + ctx.quote);
    // Replace up to the closing quote when there is one right after the cursor's word.
    const close = src.indexOf(ctx.quote, cursor);
    const nl = src.indexOf('\n', cursor);
    if (close >= 0 && (nl < 0 || close < nl) && !/[,}]/.test(src.slice(cursor, close))) end = close;
    else insert += ctx.quote;
  } else {
    const m = /^[A-Za-z0-9_:]*/.exec(src.slice(cursor));
    end = cursor + (m ? m[0].length : 0);
    if (s.kind === 'function' || s.kind === 'aggregation') {
      if (src[end] !== '(') insert += '(';
    }
  }
  const text = src.slice(0, ctx.from) + insert + src.slice(end);
  let pos = ctx.from + insert.length;
  if (ctx.kind === 'labelValue' && end !== cursor) pos += 1;
  return { text, cursor: pos };
}
