// Dashboard variables in expressions, with the same rules as the server's embed endpoint
// (docs/ui.md): `$name` or `${name}`; one value is escaped for a regex matcher inside a
// double-quoted PromQL string; several become `(a|b)`; all of them `.*`.

export const ALL = '$__all';

export interface Variable {
  name: string;
  label: string;
  match?: string;
  multi?: boolean;
  includeAll?: boolean;
  current?: string[];
}

function regexEscape(v: string): string {
  return v.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/** Inside a double-quoted PromQL string, with Go's escapes. */
function promqlString(s: string): string {
  return s.replace(/[\\"\x00-\x1f\x7f]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
}

/** RE2 metacharacters escaped, then escaped for a double-quoted PromQL string. */
export function escapeValue(v: string): string {
  return promqlString(regexEscape(v));
}

/** What `$name` becomes: all (or nothing chosen where "All" is offered) is `.*`; nothing chosen otherwise is empty. */
export function variableValue(values: string[] | undefined, includeAll = false): string {
  const vs = values ?? [];
  if (vs.includes(ALL) || (vs.length === 0 && includeAll)) return '.*';
  if (vs.length === 0) return '';
  if (vs.length === 1) return escapeValue(vs[0]);
  return promqlString('(' + vs.map(regexEscape).join('|') + ')');
}

/**
 * `$__interval` (the step in whole seconds) and `$__rate_interval` (`max(4 × 15s, step + 15s)`, as
 * Grafana defines it for a 15 s scrape interval), written as the server writes them.
 */
export function builtins(stepMs: number): Record<string, string> {
  const rate = Math.max(60_000, stepMs + 15_000);
  return {
    __interval: Math.max(1, Math.round(stepMs / 1000)) + 's',
    __rate_interval: rate % 1000 === 0 ? rate / 1000 + 's' : rate + 'ms',
  };
}

export function substitute(expr: string, vars: Variable[], stepMs: number, overrides: Record<string, string[]> = {}): string {
  const b = builtins(stepMs);
  const byName = new Map(vars.map((v) => [v.name, v]));
  return expr.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (Object.prototype.hasOwnProperty.call(b, name)) return b[name];
    const v = byName.get(name);
    if (!v) return whole;
    return variableValue(overrides[name] ?? v.current, v.includeAll);
  });
}

/**
 * What a variable's picker selects after a change: choosing "All" replaces the values, choosing a
 * value while "All" was chosen replaces "All", and clearing every value is kept as an explicit empty
 * choice (`['']`, written as `var-name=`) rather than falling back to the saved one.
 */
export function nextSelection(before: string[], picked: string[]): string[] {
  const vals = picked.filter((v) => v !== '');
  if (vals.includes(ALL)) {
    const others = vals.filter((v) => v !== ALL);
    return before.includes(ALL) && others.length > 0 ? others : [ALL];
  }
  return vals.length ? vals : [''];
}
