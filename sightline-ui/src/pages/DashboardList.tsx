// Dashboards: list, create, import, export, duplicate, delete.
import { useEffect, useState } from 'preact/hooks';
import { dashboards, type DashboardSummary } from '../lib/api';
import { Messages } from '../components/Messages';
import { navigate, onLinkClick } from '../router';
import { TableHead } from '../components/TableHead';

export function DashboardList() {
  const [list, setList] = useState<DashboardSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useState('');
  const [importText, setImportText] = useState('');
  const [showImport, setShowImport] = useState(false);
  const [filter, setFilter] = useState('');

  const load = () => dashboards.list().then(setList, (e) => setError(e.message));
  useEffect(() => {
    void load();
  }, []);

  const act = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const shown = (list ?? []).filter((d) => !filter || d.title.toLowerCase().includes(filter.toLowerCase()) || d.tags.some((t) => t.includes(filter)));
  return (
    <section class="page" aria-labelledby="dl-title">
      <h1 id="dl-title">Dashboards</h1>
      <Messages error={error} />
      <div class="toolbar">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!title.trim()) return;
            void act(async () => {
              const d = await dashboards.create({ title: title.trim(), panels: [] });
              navigate(`/d/${d.id}?edit=1`);
            });
          }}
        >
          <label>
            New dashboard <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} placeholder="Title" name="title" />
          </label>{' '}
          <button type="submit" class="primary">Create</button>
        </form>
        <button type="button" class="secondary" aria-expanded={showImport} onClick={() => setShowImport(!showImport)}>
          Import JSON
        </button>
        <label>
          Filter <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
      </div>
      {showImport && (
        <form
          class="import"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              let body: unknown;
              try {
                body = JSON.parse(importText);
              } catch (err) {
                throw new Error('not JSON: ' + (err as Error).message);
              }
              const d = await dashboards.create(body as never);
              navigate(`/d/${d.id}`);
            });
          }}
        >
          <label>
            Dashboard JSON (as exported)
            <textarea rows={8} value={importText} onInput={(e) => setImportText(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">Import</button>
        </form>
      )}
      {list === null ? (
        <p class="empty">Loading…</p>
      ) : shown.length === 0 ? (
        <p class="empty">No dashboards yet. Create one above, or import one exported from another Sightline.</p>
      ) : (
        <table class="data list">
          <TableHead columns={['Title', 'Tags', 'Panels', 'Updated', null]} />
          <tbody>
            {shown.map((d) => (
              <tr>
                <td>
                  <a href={`/d/${d.id}`} onClick={onLinkClick}>
                    {d.title}
                  </a>
                </td>
                <td>{d.tags.map((t) => <span class="tag">{t}</span>)}</td>
                <td class="num">{d.panels}</td>
                <td>{new Date(d.updated).toLocaleString()}</td>
                <td class="actions">
                  <a class="button secondary" href={`/api/v1/dashboards/${d.id}`} download={`${d.id}.json`} onClick={(e) => exportDashboard(e, d.id, setError)}>
                    Export
                  </a>
                  <button type="button" class="secondary" onClick={() => act(async () => { await dashboards.duplicate(d.id); await load(); })}>
                    Duplicate
                  </button>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => {
                      if (confirm(`Delete dashboard "${d.title}"?`)) void act(async () => { await dashboards.remove(d.id); await load(); });
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Downloads the dashboard as JSON, without server-managed fields, ready to import elsewhere. */
function exportDashboard(e: MouseEvent, id: string, onError: (message: string) => void) {
  e.preventDefault();
  dashboards.get(id).then((d) => {
    const { version: _v, updated: _u, shareToken: _s, ...rest } = d;
    const blob = new Blob([JSON.stringify(rest, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = id + '.json';
    a.click();
    // Revoked once the download has started with it.
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }, (err: Error) => onError(`Export of ${id} failed: ${err.message}`));
}
