// Editing one panel: type, queries, units and the type's options, with a live preview.
import { useState } from 'preact/hooks';
import type { Panel, PanelType } from '../lib/api';
import { UNITS } from '../lib/format';
import { QueryEditor } from '../components/QueryEditor';
import { PanelView } from '../panels/PanelView';
import type { Source } from '../panels/data';
import type { Threshold } from '../panels/PanelBody';
import { Modal } from '../components/Modal';
import { DRAW_MODES } from '../components/TimeChart';

export const PANEL_TYPES: { value: PanelType; label: string }[] = [
  { value: 'timeseries', label: 'Time series' },
  { value: 'stat', label: 'Stat' },
  { value: 'toplist', label: 'Top list' },
  { value: 'table', label: 'Table' },
  { value: 'heatmap', label: 'Heatmap (histogram buckets)' },
  { value: 'change', label: 'Change (vs. earlier)' },
];

/** `80:orange, 90:#d00` as thresholds, or an error naming the bad part. */
export function parseThresholds(text: string): Threshold[] | string {
  const out: Threshold[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(-?[0-9.eE+-]+)\s*:\s*(#[0-9a-fA-F]{3,8}|[a-z]+)$/.exec(part);
    if (!m || Number.isNaN(Number(m[1]))) return `"${part}" is not value:color (e.g. 90:red or 90:#d00)`;
    out.push({ value: Number(m[1]), color: m[2] });
  }
  return out;
}

export function formatThresholds(t: unknown): string {
  return Array.isArray(t) ? (t as Threshold[]).map((x) => `${x.value}:${x.color}`).join(', ') : '';
}

export function PanelEditor({ panel, source, start, end, onSave, onCancel }: { panel: Panel; source: Source; start: number; end: number; onSave: (p: Panel) => void; onCancel: () => void }) {
  const [p, setP] = useState<Panel>(structuredClone(panel));
  const [preview, setPreview] = useState<Panel>(panel);
  const [thresholds, setThresholds] = useState(formatThresholds(panel.options?.thresholds));
  const o = p.options ?? {};
  const setOpt = (k: string, v: unknown) => setP({ ...p, options: { ...o, [k]: v } });
  const thr = parseThresholds(thresholds);
  const withThresholds = (x: Panel): Panel => (typeof thr === 'string' ? x : { ...x, options: { ...x.options, thresholds: thr.length ? thr : undefined } });
  return (
    <Modal labelledBy="pe-title" onClose={onCancel}>
      <h2 id="pe-title">Edit panel</h2>
      <div class="editor-grid">
        <div class="fields">
          <label>
            Title <input name="panel-title" value={p.title} onInput={(e) => setP({ ...p, title: e.currentTarget.value })} />
          </label>
          <label>
            Type{' '}
            <select name="panel-type" value={p.type} onChange={(e) => setP({ ...p, type: e.currentTarget.value as PanelType })}>
              {PANEL_TYPES.map((t) => (
                <option value={t.value}>{t.label}</option>
              ))}
            </select>
          </label>
          {p.queries.map((q, i) => (
            <fieldset class="query">
              <legend>Query {q.refId || String.fromCharCode(65 + i)}</legend>
              <QueryEditor
                value={q.expr}
                label={`Query ${i + 1}`}
                onInput={(v) => setP({ ...p, queries: p.queries.map((x, k) => (k === i ? { ...x, expr: v } : x)) })}
                onRun={() => setPreview(withThresholds(p))}
              />
              <label>
                Legend <input value={q.legend ?? ''} placeholder="{{instance}}" onInput={(e) => setP({ ...p, queries: p.queries.map((x, k) => (k === i ? { ...x, legend: e.currentTarget.value || undefined } : x)) })} />
              </label>
              {p.queries.length > 1 && (
                <button type="button" class="danger small" onClick={() => setP({ ...p, queries: p.queries.filter((_x, k) => k !== i) })}>
                  Remove query
                </button>
              )}
            </fieldset>
          ))}
          {p.queries.length < 10 && (
            <button type="button" class="secondary" onClick={() => setP({ ...p, queries: [...p.queries, { expr: '' }] })}>
              Add query
            </button>
          )}
          <label>
            Unit{' '}
            <select name="unit" value={(o.unit as string) ?? 'short'} onChange={(e) => setOpt('unit', e.currentTarget.value)}>
              {UNITS.map((u) => (
                <option value={u.value}>{u.label}</option>
              ))}
            </select>
          </label>
          <label>
            Decimals <input type="number" min={0} max={10} value={typeof o.decimals === 'number' ? o.decimals : ''} onInput={(e) => setOpt('decimals', e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))} />
          </label>
          {p.type === 'timeseries' && (
            <>
              <label>
                Draw{' '}
                <select name="draw" value={(o.draw as string) ?? 'line'} onChange={(e) => setOpt('draw', e.currentTarget.value)}>
                  {DRAW_MODES.map((m) => (
                    <option value={m.value}>{m.label}</option>
                  ))}
                </select>
              </label>
              <label class="check">
                <input type="checkbox" checked={o.legend !== false} onChange={(e) => setOpt('legend', e.currentTarget.checked)} /> Legend
              </label>
            </>
          )}
          {(p.type === 'stat' || p.type === 'toplist') && (
            <label>
              Value{' '}
              <select value={(o.reducer as string) ?? 'last'} onChange={(e) => setOpt('reducer', e.currentTarget.value)}>
                {['last', 'mean', 'max', 'min', 'sum', 'first'].map((r) => (
                  <option value={r}>{r}</option>
                ))}
              </select>
            </label>
          )}
          {p.type === 'stat' && (
            <>
              <label>
                Thresholds <input name="thresholds" value={thresholds} placeholder="80:orange, 90:red" aria-invalid={typeof thr === 'string'} onInput={(e) => setThresholds(e.currentTarget.value)} />
              </label>
              {typeof thr === 'string' && <p class="msg error">{thr}</p>}
              <label class="check">
                <input type="checkbox" checked={o.sparkline !== false} onChange={(e) => setOpt('sparkline', e.currentTarget.checked)} /> Sparkline
              </label>
            </>
          )}
          {p.type === 'toplist' && (
            <label>
              Show top <input type="number" min={1} max={100} value={typeof o.limit === 'number' ? o.limit : 10} onInput={(e) => setOpt('limit', Number(e.currentTarget.value) || 10)} />
            </label>
          )}
          {p.type === 'change' && (
            <>
              <label>
                Compare with <input name="compareTo" value={(o.compareTo as string) ?? '1d'} onInput={(e) => setOpt('compareTo', e.currentTarget.value)} /> earlier
              </label>
              <label class="check">
                <input type="checkbox" checked={o.increaseIsGood !== false} onChange={(e) => setOpt('increaseIsGood', e.currentTarget.checked)} /> An increase is good
              </label>
            </>
          )}
        </div>
        <div class="preview">
          <div class="toolbar">
            <strong>Preview</strong>
            <button type="button" class="secondary" onClick={() => setPreview(withThresholds(p))}>
              Update preview
            </button>
          </div>
          <PanelView panel={preview} source={source} start={start} end={end} tick={0} height={220} />
        </div>
      </div>
      <div class="modal-actions">
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          class="primary"
          disabled={typeof thr === 'string' || p.queries.some((q) => !q.expr.trim())}
          onClick={() => onSave(withThresholds({ ...p, queries: p.queries.filter((q) => q.expr.trim()) }))}
        >
          Apply
        </button>
      </div>
    </Modal>
  );
}
