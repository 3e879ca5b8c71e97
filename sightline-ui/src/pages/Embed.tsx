// One panel alone, read-only, for an <iframe>: no navigation, its data from the embed endpoint.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { prom, type Panel } from '../lib/api';
import { parseDuration } from '../lib/time';
import { Messages } from '../components/Messages';
import { useRefreshingRange } from '../components/TimePicker';
import { PanelView } from '../panels/PanelView';
import type { Source } from '../panels/data';
import { useLocation } from '../router';

export function Embed({ dashboard, panelId }: { dashboard: string; panelId: string }) {
  const { params } = useLocation();
  const token = params.get('token') ?? undefined;
  const from = params.get('from') ?? 'now-6h';
  const to = params.get('to') ?? 'now';
  const refresh = parseDuration(params.get('refresh') ?? '');
  const [panel, setPanel] = useState<{ panel: Panel; title: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [height, setHeight] = useState(window.innerHeight);

  useEffect(() => {
    // The panel's definition comes with its data: ask for one point to read it.
    const now = Date.now() / 1000;
    const q: Record<string, string> = { start: String(Math.floor(now)), end: String(Math.floor(now)), step: '60' };
    if (token) q.token = token;
    prom<{ panel: Panel; title: string }>(`/api/v1/embed/${encodeURIComponent(dashboard)}/${encodeURIComponent(panelId)}/query_range`, q).then(
      (a) => setPanel({ panel: a.data.panel, title: a.data.title }),
      (e) => setError(e.message),
    );
    const onResize = () => setHeight(window.innerHeight);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, [dashboard, panelId, token]);

  const { range, tick } = useRefreshingRange(from, to, refresh);
  const source: Source = useMemo(() => ({ kind: 'embed', dashboard, token }), [dashboard, token]);

  if (error) return <main class="embed"><Messages error={error} /></main>;
  if (!panel) return <main class="embed"><p class="empty">Loading…</p></main>;
  if ('error' in range) return <main class="embed"><Messages error={range.error} /></main>;
  return (
    <main class="embed" aria-labelledby="embed-title">
      <h1 id="embed-title" class="embed-title">{panel.panel.title}</h1>
      <PanelView panel={panel.panel} source={source} start={range.start} end={range.end} tick={tick} height={Math.max(80, height - 70)} />
    </main>
  );
}
