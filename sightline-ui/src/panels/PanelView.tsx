// One panel: fetches its data for the range and draws it, with its own loading and error state.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Panel } from '../lib/api';
import { Messages } from '../components/Messages';
import { fetchPanel, panelRange, type PanelData, type Source } from './data';
import { PanelBody } from './PanelBody';

export interface PanelViewProps {
  panel: Panel;
  source: Source;
  start: number;
  end: number;
  /** Bumped to refetch with the same range. */
  tick: number;
  height: number;
  onZoom?: (a: number, b: number) => void;
}

/**
 * User Timing entries per panel (visible in the browser's performance tools and read by
 * scripts/ui-dashboard-bench.mjs): `sightline:render:<panel>` spans from its data's arrival to the
 * first frame after it was drawn. Only the latest pair per panel is kept.
 */
function markData(id: string): void {
  performance.clearMarks('sightline:data:' + id);
  performance.mark('sightline:data:' + id);
}

function measureRender(id: string): void {
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.clearMeasures('sightline:render:' + id);
      try {
        performance.measure('sightline:render:' + id, 'sightline:data:' + id);
      } catch {
        // the mark was cleared by a newer fetch: that one measures itself
      }
    }),
  );
}

export function PanelView({ panel, source, start, end, tick, height, onZoom }: PanelViewProps) {
  const box = useRef<HTMLDivElement>(null);
  const [data, setData] = useState<PanelData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const key = JSON.stringify([panel.type, panel.queries, panel.options?.compareTo, panel.options?.minStep, source]);

  useEffect(() => {
    const ctl = new AbortController();
    const width = box.current?.clientWidth || 600;
    setLoading(true);
    fetchPanel(panel, source, panelRange(panel, start, end, width), ctl.signal).then(
      (d) => {
        markData(panel.id);
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e) => {
        if ((e as Error).name === 'AbortError') return;
        setError((e as Error).message);
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [key, start, end, tick]);

  useEffect(() => {
    if (data) measureRender(panel.id);
  }, [data]);

  const queryErrors = data?.results.filter((r) => r.error).map((r) => `${r.refId}: ${r.error}`) ?? [];
  return (
    <div class="panel-body" ref={box} aria-busy={loading} data-loaded={!loading && data !== null ? 'true' : 'false'}>
      <Messages error={error ?? (queryErrors.length ? queryErrors.join('; ') : null)} warnings={[...new Set(data?.warnings ?? [])]} infos={[...new Set(data?.infos ?? [])]} />
      {data && <PanelBody panel={panel} data={data} height={height} onZoom={onZoom} />}
      {!data && loading && <p class="empty">Loading…</p>}
    </div>
  );
}
