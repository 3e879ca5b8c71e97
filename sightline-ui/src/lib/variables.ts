// Dashboard variables in expressions, with the same rules as the server's embed endpoint
// (docs/ui.md): `$name` or `${name}`; one value is escaped for a regex matcher inside a
// double-quoted PromQL string; several become `(a|b)`; all of them `.*`.
import { formatDuration } from './time';

export const ALL = '$__all';

export interface Variable {
  name: string;
  label: string;
  match?: string;
  multi?: boolean;
  includeAll?: boolean;
  current?: string[];
}

/** RE2 metacharacters escaped, then backslashes and double quotes escaped for a PromQL string. */
export function escapeValue(v: string): string {
  const re = v.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
  return re.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export function variableValue(values: string[] | undefined): string {
  if (!values || values.length === 0 || values.includes(ALL)) return '.*';
  if (values.length === 1) return escapeValue(values[0]);
  return '(' + values.map(escapeValue).join('|') + ')';
}

/** `$__interval` and `$__rate_interval` for a step, as Grafana defines them for a 15 s scrape interval. */
export function builtins(stepMs: number): Record<string, string> {
  const step = Math.max(1000, Math.round(stepMs / 1000) * 1000);
  return {
    __interval: formatDuration(step),
    __rate_interval: formatDuration(Math.max(4 * 15_000, step + 15_000)),
  };
}

export function substitute(expr: string, vars: Variable[], stepMs: number, overrides: Record<string, string[]> = {}): string {
  const b = builtins(stepMs);
  const byName = new Map(vars.map((v) => [v.name, v]));
  return expr.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (name in b) return b[name];
    const v = byName.get(name);
    if (!v) return whole;
    return variableValue(overrides[name] ?? v.current);
  });
}
