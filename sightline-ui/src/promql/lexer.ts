// A forgiving PromQL tokenizer for highlighting and completion: it never fails, unfinished input
// (an open string, a lone `=`) still yields tokens that cover every character.
import { AGGREGATIONS, FUNCTIONS, KEYWORDS } from './lang';

export type TokenKind =
  | 'space'
  | 'comment'
  | 'number'
  | 'duration'
  | 'string'
  | 'ident'
  | 'function'
  | 'aggregation'
  | 'keyword'
  | 'labelName'
  | 'matchOp'
  | 'op'
  | 'paren'
  | 'brace'
  | 'bracket'
  | 'comma'
  | 'error';

export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  /** Exclusive. */
  end: number;
  /** A string token whose closing quote is missing. */
  open?: boolean;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+/;
const NUMBER = /^(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?|[Nn][Aa][Nn]|[Ii][Nn][Ff])/;
const IDENT = /^[A-Za-z_:][A-Za-z0-9_:.]*/;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let braceDepth = 0;
  let bracketDepth = 0;
  const push = (kind: TokenKind, end: number, open?: boolean) => {
    out.push({ kind, text: src.slice(i, end), start: i, end, open });
    i = end;
  };
  while (i < src.length) {
    const c = src[i];
    const rest = src.slice(i);
    if (/\s/.test(c)) {
      let j = i;
      while (j < src.length && /\s/.test(src[j])) j++;
      push('space', j);
    } else if (c === '#') {
      const nl = src.indexOf('\n', i);
      push('comment', nl < 0 ? src.length : nl);
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && c !== '`') j++;
        j++;
      }
      if (j >= src.length) push('string', src.length, true);
      else push('string', j + 1);
    } else if (c === '{') {
      braceDepth++;
      push('brace', i + 1);
    } else if (c === '}') {
      braceDepth = Math.max(0, braceDepth - 1);
      push('brace', i + 1);
    } else if (c === '[') {
      bracketDepth++;
      push('bracket', i + 1);
    } else if (c === ']') {
      bracketDepth = Math.max(0, bracketDepth - 1);
      push('bracket', i + 1);
    } else if (c === '(' || c === ')') {
      push('paren', i + 1);
    } else if (c === ',') {
      push('comma', i + 1);
    } else if (braceDepth > 0 && /^(=~|!~|!=|=)/.test(rest)) {
      push('matchOp', i + (/^(=~|!~|!=)/.test(rest) ? 2 : 1));
    } else if (/^(==|!=|>=|<=|[-+*/%^<>=:@])/.test(rest)) {
      push('op', i + (/^(==|!=|>=|<=)/.test(rest) ? 2 : 1));
    } else if ((bracketDepth > 0 || lastSignificant(out)?.text === 'offset') && DURATION.test(rest)) {
      push('duration', i + DURATION.exec(rest)![0].length);
    } else if (/[0-9.]/.test(c) && NUMBER.test(rest)) {
      const d = DURATION.exec(rest);
      const n = NUMBER.exec(rest)![0];
      if (d && d[0].length > n.length) push('duration', i + d[0].length);
      else push('number', i + n.length);
    } else if (IDENT.test(rest)) {
      const word = IDENT.exec(rest)![0];
      let kind: TokenKind = 'ident';
      if (braceDepth > 0) kind = 'labelName';
      else if (KEYWORDS.includes(word.toLowerCase())) kind = 'keyword';
      else if (/^(nan|inf)$/i.test(word)) kind = 'number';
      else if (word in AGGREGATIONS && nextNonSpace(src, i + word.length) !== '{') kind = 'aggregation';
      else if (word in FUNCTIONS && nextNonSpace(src, i + word.length) === '(') kind = 'function';
      push(kind, i + word.length);
    } else {
      push('error', i + 1);
    }
  }
  return out;
}

function lastSignificant(tokens: Token[]): Token | undefined {
  for (let k = tokens.length - 1; k >= 0; k--) {
    if (tokens[k].kind !== 'space' && tokens[k].kind !== 'comment') return tokens[k];
  }
  return undefined;
}

function nextNonSpace(src: string, from: number): string {
  let j = from;
  while (j < src.length && /\s/.test(src[j])) j++;
  return src[j] ?? '';
}
