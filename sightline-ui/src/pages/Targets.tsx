// Scrape targets: health, last scrape, duration and error, by scrape pool.
import { useEffect, useState } from 'preact/hooks';
import { prom } from '../lib/api';
import { formatValue } from '../lib/format';
import { Messages } from '../components/Messages';
import { TableHead } from '../components/TableHead';

interface Target {
  scrapePool: string;
  scrapeUrl: string;
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
}

export function Targets() {
  const [targets, setTargets] = useState<Target[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyDown, setOnlyDown] = useState(false);
  useEffect(() => {
    const load = () =>
      prom<{ activeTargets: Target[] }>('/api/v1/targets', { state: 'active' }).then(
        (a) => {
          setTargets(a.data.activeTargets);
          setError(null);
        },
        (e) => setError(e.message),
      );
    void load();
    const id = setInterval(load, 10_000);
    return () => clearInterval(id);
  }, []);
  const pools = new Map<string, Target[]>();
  for (const t of targets ?? []) {
    if (onlyDown && t.health === 'up') continue;
    if (!pools.has(t.scrapePool)) pools.set(t.scrapePool, []);
    pools.get(t.scrapePool)!.push(t);
  }
  return (
    <section class="page" aria-labelledby="tg-title">
      <h1 id="tg-title">Targets</h1>
      <Messages error={error} />
      <label class="check">
        <input type="checkbox" checked={onlyDown} onChange={(e) => setOnlyDown(e.currentTarget.checked)} /> Only unhealthy
      </label>
      {targets === null ? (
        <p class="empty">Loading…</p>
      ) : targets.length === 0 ? (
        <p class="empty">No scrape targets are configured (scrape_configs in the config file).</p>
      ) : (
        [...pools.entries()].map(([pool, ts]) => (
          <section aria-label={pool}>
            <h2>
              {pool} <span class="count">({ts.filter((t) => t.health === 'up').length}/{ts.length} up)</span>
            </h2>
            <table class="data targets">
              <TableHead columns={['Endpoint', 'State', 'Labels', 'Last scrape', 'Duration', 'Error']} />
              <tbody>
                {ts.map((t) => (
                  <tr>
                    <td class="series">{t.scrapeUrl}</td>
                    <td>
                      <span class={'badge ' + t.health}>{t.health}</span>
                    </td>
                    <td>{Object.entries(t.labels).map(([k, v]) => <span class="label">{k}="{v}"</span>)}</td>
                    <td>{t.lastScrape && !t.lastScrape.startsWith('0001') ? `${Math.max(0, Math.round((Date.now() - Date.parse(t.lastScrape)) / 1000))} s ago` : 'never'}</td>
                    <td class="num">{formatValue(t.lastScrapeDuration, 'seconds')}</td>
                    <td class="error-text">{t.lastError}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))
      )}
    </section>
  );
}
