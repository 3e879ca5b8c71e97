// A dashboard: time range, variables and a grid of panels; in edit mode panels are added, edited,
// moved and resized (buttons, so the keyboard can do all of it) and the dashboard is saved.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, dashboards, labelValues, type Dashboard, type Panel } from '../lib/api';
import { parseDuration } from '../lib/time';
import { ALL, nextSelection, type Variable } from '../lib/variables';
import { Messages } from '../components/Messages';
import { TimePicker, useRefreshingRange } from '../components/TimePicker';
import { PanelView } from '../panels/PanelView';
import type { Source } from '../panels/data';
import { setParams, useLocation } from '../router';
import { PanelEditor } from './PanelEditor';
import { Modal } from '../components/Modal';

export const ROW_PX = 30;

export function DashboardPage({ id }: { id: string }) {
  const { params } = useLocation();
  const [saved, setSaved] = useState<Dashboard | null>(null);
  const [draft, setDraft] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Panel | null>(null);
  const [settings, setSettings] = useState(false);
  const [embed, setEmbed] = useState<Panel | null>(null);
  const edit = params.get('edit') === '1';

  useEffect(() => {
    // Another dashboard: nothing of the previous one stays, and a late answer for it is ignored.
    let current = true;
    setSaved(null);
    setDraft(null);
    setError(null);
    setEditing(null);
    setSettings(false);
    setEmbed(null);
    dashboards.get(id).then(
      (d) => {
        if (!current) return;
        setSaved(d);
        setDraft(structuredClone(d));
      },
      (e) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [id]);

  const d = edit ? draft : saved;
  const from = params.get('from') ?? d?.time?.from ?? 'now-6h';
  const to = params.get('to') ?? d?.time?.to ?? 'now';
  const refresh = params.get('refresh') ?? d?.refresh ?? '';
  const overrides = useMemo(() => {
    const o: Record<string, string[]> = {};
    // `var-name=` alone is an explicit empty choice (see VariablePicker).
    params.forEach((_v, k) => {
      if (k.startsWith('var-')) o[k.slice(4)] = params.getAll(k).filter((v) => v !== '');
    });
    return o;
  }, [params.toString()]);

  const update = (p: Record<string, string | string[] | undefined>) => {
    const cur: Record<string, string | string[] | undefined> = {};
    params.forEach((_v, k) => (cur[k] = params.getAll(k)));
    setParams({ ...cur, ...p });
  };

  const { range, tick, refresh: bump } = useRefreshingRange(from, to, edit ? null : parseDuration(refresh));

  const source: Source = useMemo(() => ({ kind: 'api', variables: d?.variables ?? [], overrides }), [d?.variables, overrides]);

  if (error && !d) return <section class="page"><Messages error={error} /></section>;
  if (!d) return <section class="page"><p class="empty">Loading…</p></section>;

  const change = (f: (x: Dashboard) => void) => {
    const x = structuredClone(draft!);
    f(x);
    setDraft(x);
  };
  const movePanel = (pid: string, f: (g: Panel['gridPos']) => void) =>
    change((x) => {
      const p = x.panels.find((q) => q.id === pid)!;
      f(p.gridPos);
      p.gridPos.w = Math.max(1, Math.min(24, p.gridPos.w));
      p.gridPos.x = Math.max(0, Math.min(24 - p.gridPos.w, p.gridPos.x));
      p.gridPos.y = Math.max(0, p.gridPos.y);
      p.gridPos.h = Math.max(2, Math.min(100, p.gridPos.h));
    });

  const save = async () => {
    setError(null);
    try {
      const s = await dashboards.save(draft!);
      setSaved(s);
      setDraft(structuredClone(s));
      update({ edit: undefined });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? `${e.message}. Reload the page to see the other change; your edits are still here until you leave.` : (e as Error).message);
    }
  };

  const addPanel = () => {
    const bottom = Math.max(0, ...draft!.panels.map((p) => p.gridPos.y + p.gridPos.h));
    const p: Panel = { id: 'p' + Math.random().toString(36).slice(2, 8), title: 'New panel', type: 'timeseries', queries: [{ expr: '' }], gridPos: { x: 0, y: bottom, w: 12, h: 8 } };
    setEditing(p);
  };

  return (
    <section class="page dashboard" aria-labelledby="db-title">
      <div class="dash-head">
        <h1 id="db-title">{d.title}</h1>
        {d.tags?.map((t) => <span class="tag">{t}</span>)}
        <div class="spacer" />
        {!edit ? (
          <button type="button" class="secondary" onClick={() => update({ edit: '1' })}>
            Edit
          </button>
        ) : (
          <>
            <button type="button" class="secondary" onClick={addPanel}>
              Add panel
            </button>
            <button type="button" class="secondary" onClick={() => setSettings(true)}>
              Settings
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setDraft(structuredClone(saved!));
                update({ edit: undefined });
              }}
            >
              Discard
            </button>
            <button type="button" class="primary" onClick={save}>
              Save
            </button>
          </>
        )}
      </div>
      {d.description && <p class="description">{d.description}</p>}
      <div class="toolbar">
        <TimePicker from={from} to={to} refresh={refresh} onChange={(f, t) => update({ from: f, to: t })} onRefreshChange={(r) => update({ refresh: r || undefined })} onRefresh={bump} />
        {(d.variables ?? []).map((v) => (
          <VariablePicker variable={v} selected={overrides[v.name] ?? v.current ?? []} onChange={(vals) => update({ ['var-' + v.name]: vals })} />
        ))}
      </div>
      <Messages error={error ?? ('error' in range ? range.error : null)} />
      {'error' in range ? null : d.panels.length === 0 ? (
        <p class="empty">This dashboard has no panels yet{edit ? ': add one.' : '. Choose Edit to add some.'}</p>
      ) : (
        <div class="grid">
          {d.panels.map((p) => (
            <article
              class="panel"
              aria-labelledby={'pt-' + p.id}
              data-panel={p.id}
              style={{ gridColumn: `${p.gridPos.x + 1} / span ${p.gridPos.w}`, gridRow: `${p.gridPos.y + 1} / span ${p.gridPos.h}`, '--panel-h': `${p.gridPos.h * ROW_PX}px` }}
            >
              <header>
                <h2 id={'pt-' + p.id}>{p.title}</h2>
                <div class="panel-actions">
                  {edit ? (
                    <>
                      <button type="button" class="icon" title="Edit panel" aria-label={`Edit ${p.title}`} onClick={() => setEditing(p)}>✎</button>
                      <button type="button" class="icon" title="Move left" aria-label="Move left" onClick={() => movePanel(p.id, (g) => (g.x -= 1))}>←</button>
                      <button type="button" class="icon" title="Move right" aria-label="Move right" onClick={() => movePanel(p.id, (g) => (g.x += 1))}>→</button>
                      <button type="button" class="icon" title="Move up" aria-label="Move up" onClick={() => movePanel(p.id, (g) => (g.y -= 1))}>↑</button>
                      <button type="button" class="icon" title="Move down" aria-label="Move down" onClick={() => movePanel(p.id, (g) => (g.y += 1))}>↓</button>
                      <button type="button" class="icon" title="Narrower" aria-label="Narrower" onClick={() => movePanel(p.id, (g) => (g.w -= 2))}>⇤</button>
                      <button type="button" class="icon" title="Wider" aria-label="Wider" onClick={() => movePanel(p.id, (g) => (g.w += 2))}>⇥</button>
                      <button type="button" class="icon" title="Shorter" aria-label="Shorter" onClick={() => movePanel(p.id, (g) => (g.h -= 1))}>⤒</button>
                      <button type="button" class="icon" title="Taller" aria-label="Taller" onClick={() => movePanel(p.id, (g) => (g.h += 1))}>⤓</button>
                      <button
                        type="button"
                        class="icon"
                        title="Duplicate panel"
                        aria-label="Duplicate panel"
                        onClick={() => change((x) => x.panels.push({ ...structuredClone(p), id: 'p' + Math.random().toString(36).slice(2, 8), gridPos: { ...p.gridPos, y: p.gridPos.y + p.gridPos.h } }))}
                      >
                        ⧉
                      </button>
                      <button type="button" class="icon danger" title="Remove panel" aria-label={`Remove ${p.title}`} onClick={() => change((x) => (x.panels = x.panels.filter((q) => q.id !== p.id)))}>✕</button>
                    </>
                  ) : (
                    <button type="button" class="icon" title="Embed or share" aria-label={`Embed ${p.title}`} onClick={() => setEmbed(p)}>⤴</button>
                  )}
                </div>
              </header>
              <PanelView panel={p} source={source} start={range.start} end={range.end} tick={tick} height={Math.max(60, p.gridPos.h * ROW_PX - 48)} onZoom={(a, b) => update({ from: new Date(a).toISOString(), to: new Date(b).toISOString() })} />
            </article>
          ))}
        </div>
      )}
      {editing && !('error' in range) && (
        <PanelEditor
          panel={editing}
          source={source}
          start={range.start}
          end={range.end}
          onCancel={() => setEditing(null)}
          onSave={(p) => {
            change((x) => {
              const i = x.panels.findIndex((q) => q.id === p.id);
              if (i >= 0) x.panels[i] = p;
              else x.panels.push(p);
            });
            setEditing(null);
          }}
        />
      )}
      {settings && draft && <SettingsEditor dashboard={draft} onCancel={() => setSettings(false)} onSave={(x) => { setDraft(x); setSettings(false); }} />}
      {embed && <EmbedDialog dashboard={d} panel={embed} from={from} to={to} overrides={overrides} onClose={() => setEmbed(null)} onShared={(t) => setSaved({ ...d, shareToken: t })} />}
    </section>
  );
}

function VariablePicker({ variable, selected, onChange }: { variable: Variable; selected: string[]; onChange: (v: string[]) => void }) {
  const [values, setValues] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    labelValues(variable.label, variable.match || undefined).then(setValues, (e) => setError(e.message));
  }, [variable.label, variable.match]);
  return (
    <label class="variable" title={error ?? undefined}>
      {variable.name}{' '}
      <select
        multiple={variable.multi}
        name={'var-' + variable.name}
        onChange={(e) => onChange(nextSelection(selected, [...e.currentTarget.selectedOptions].map((o) => o.value)))}
      >
        {variable.includeAll && (
          <option value={ALL} selected={selected.includes(ALL)}>
            All
          </option>
        )}
        {!variable.multi && !variable.includeAll && selected.length === 0 && <option value="">(none)</option>}
        {values.map((v) => (
          <option value={v} selected={selected.includes(v)}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

function SettingsEditor({ dashboard, onSave, onCancel }: { dashboard: Dashboard; onSave: (d: Dashboard) => void; onCancel: () => void }) {
  const [x, setX] = useState<Dashboard>(structuredClone(dashboard));
  const vars = x.variables ?? [];
  const setVar = (i: number, v: Partial<Variable>) => setX({ ...x, variables: vars.map((o, k) => (k === i ? { ...o, ...v } : o)) });
  return (
    <Modal labelledBy="ds-title" onClose={onCancel}>
      <h2 id="ds-title">Dashboard settings</h2>
      <div class="fields">
        <label>
          Title <input name="dash-title" value={x.title} onInput={(e) => setX({ ...x, title: e.currentTarget.value })} />
        </label>
        <label>
          Description <textarea rows={2} value={x.description ?? ''} onInput={(e) => setX({ ...x, description: e.currentTarget.value || undefined })} />
        </label>
        <label>
          Tags (comma-separated){' '}
          <input value={(x.tags ?? []).join(', ')} onInput={(e) => setX({ ...x, tags: e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean) })} />
        </label>
        <label>
          Default range from <input value={x.time?.from ?? 'now-6h'} onInput={(e) => setX({ ...x, time: { from: e.currentTarget.value, to: x.time?.to ?? 'now' } })} />
        </label>
        <label>
          Auto-refresh <input value={x.refresh ?? ''} placeholder="off, or e.g. 30s" onInput={(e) => setX({ ...x, refresh: e.currentTarget.value || undefined })} />
        </label>
        <h3>Variables</h3>
        <p class="hint">
          Use <code>$name</code> in queries, inside a regex matcher: <code>{'{instance=~"$instance"}'}</code>. Values come from a label.
        </p>
        {vars.map((v, i) => (
          <fieldset class="variable-def">
            <legend>${v.name || '…'}</legend>
            <label>
              Name <input value={v.name} onInput={(e) => setVar(i, { name: e.currentTarget.value })} />
            </label>
            <label>
              Label <input value={v.label} onInput={(e) => setVar(i, { label: e.currentTarget.value })} />
            </label>
            <label>
              Only series matching <input value={v.match ?? ''} placeholder='up{job="node"}' onInput={(e) => setVar(i, { match: e.currentTarget.value || undefined })} />
            </label>
            <label class="check">
              <input type="checkbox" checked={!!v.multi} onChange={(e) => setVar(i, { multi: e.currentTarget.checked })} /> Several values
            </label>
            <label class="check">
              <input type="checkbox" checked={!!v.includeAll} onChange={(e) => setVar(i, { includeAll: e.currentTarget.checked })} /> Offer "All"
            </label>
            <button type="button" class="danger small" onClick={() => setX({ ...x, variables: vars.filter((_o, k) => k !== i) })}>
              Remove
            </button>
          </fieldset>
        ))}
        <button type="button" class="secondary" onClick={() => setX({ ...x, variables: [...vars, { name: 'instance', label: 'instance', includeAll: true, current: [ALL] }] })}>
          Add variable
        </button>
      </div>
      <div class="modal-actions">
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class="primary" onClick={() => onSave(x)}>
          Apply
        </button>
      </div>
    </Modal>
  );
}

function EmbedDialog({ dashboard, panel, from, to, overrides, onClose, onShared }: { dashboard: Dashboard; panel: Panel; from: string; to: string; overrides: Record<string, string[]>; onClose: () => void; onShared: (t: string) => void }) {
  const [tokenValue, setTokenValue] = useState<string | undefined>(dashboard.shareToken);
  const [error, setError] = useState<string | null>(null);
  const q = new URLSearchParams({ from, to });
  if (tokenValue) q.set('token', tokenValue);
  const url = `${window.location.origin}/embed/${encodeURIComponent(dashboard.id)}/${encodeURIComponent(panel.id)}?${q}`;
  const iframe = `<iframe src="${url}" width="600" height="300" frameborder="0"></iframe>`;
  return (
    <Modal labelledBy="em-title" onClose={onClose} small>
      <h2 id="em-title">Embed “{panel.title}”</h2>
      <p class="hint">
        A read-only page with just this panel, for an <code>&lt;iframe&gt;</code>. It shows the dashboard's saved variable values
        {Object.keys(overrides).length ? ' (not the ones picked on this page)' : ''}. When auth is on, it needs the dashboard's share token, which lets anyone with the link see this dashboard's panels and nothing else.
      </p>
      <Messages error={error} />
      <label>
        Link <input readOnly value={url} name="embed-url" onFocus={(e) => e.currentTarget.select()} />
      </label>
      <label>
        HTML <input readOnly value={iframe} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="modal-actions">
        {!tokenValue && (
          <button
            type="button"
            class="secondary"
            onClick={() =>
              dashboards.share(dashboard.id).then(
                (r) => {
                  const t = (r as { token?: string; shareToken?: string }).token ?? (r as { shareToken?: string }).shareToken;
                  setTokenValue(t);
                  if (t) onShared(t);
                },
                (e) => setError(e.message),
              )
            }
          >
            Add a share token
          </button>
        )}
        <a class="button secondary" href={url} target="_blank" rel="noopener">
          Open
        </a>
        <button type="button" class="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
