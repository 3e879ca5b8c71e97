// The UI's dashboard benchmark (docs/benchmarks.md, "Web UI"): a dashboard of 12 panels over the
// benchmark dataset's 24 hours, opened in Debian's chromium (headless) several times; for each load,
// how long each panel takes from its data's arrival to the first frame after it was drawn (User
// Timing measures `sightline:render:<panel>`), and how long the whole page takes.
//
// Needs playwright-core (not a dependency of the project): npm install --prefix /tmp/pw playwright-core
// Usage: NODE_PATH=/tmp/pw/node_modules node scripts/ui-dashboard-bench.mjs http://127.0.0.1:8321 [runs] [end-unix-seconds]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

const base = process.argv[2] ?? 'http://127.0.0.1:8321';
const runs = Number(process.argv[3] ?? 5);
const end = process.argv[4] ?? null;

const panels = [
  ['CPU busy by host', 'timeseries', 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))', { draw: 'line' }],
  ['Network receive, top 5', 'timeseries', 'topk(5, sum by (instance) (rate(node_network_receive_bytes_total[5m])))', { unit: 'bytesps' }],
  ['Memory used', 'timeseries', '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', { unit: 'percentunit' }],
  ['HTTP p99 by route', 'timeseries', 'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))', { unit: 'seconds' }],
  ['HTTP requests by status', 'timeseries', 'sum by (status) (rate(http_request_duration_seconds_count[5m]))', { draw: 'stacked', unit: 'reqps' }],
  ['Load (15m average)', 'timeseries', 'avg_over_time(node_load1[15m])', { legend: false }],
  ['Requests per second', 'stat', 'sum(rate(http_request_duration_seconds_count[5m]))', { unit: 'reqps' }],
  ['Series per host', 'toplist', 'count by (instance) ({job="node"})', {}],
  ['Disk written in the last hour', 'table', 'sum by (instance) (increase(node_disk_written_bytes_total[1h]))', { unit: 'bytes' }],
  ['Request latency', 'heatmap', 'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))', { unit: 'seconds' }],
  ['Targets up', 'stat', 'sum(up)', {}],
  ['Requests vs. an hour earlier', 'change', 'sum(rate(http_request_duration_seconds_count[5m]))', { compareTo: '1h', unit: 'reqps' }],
].map(([title, type, expr, options], i) => ({
  id: 'p' + i,
  title,
  type,
  queries: [{ expr }],
  options,
  gridPos: { x: (i % 3) * 8, y: Math.floor(i / 3) * 8, w: 8, h: 8 },
}));

const res = await fetch(base + '/api/v1/dashboards/ui-bench', {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ id: 'ui-bench', title: 'UI benchmark: 12 panels', panels }),
});
if (!res.ok) throw new Error('cannot store the dashboard: ' + (await res.text()));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const to = end ?? 'now';
const from = end ? String(Number(end) - 86400) : 'now-24h';
const url = `${base}/d/ui-bench?from=${from}&to=${to}`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (let r = 0; r < runs + 1; r++) {
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByType('measure').filter((m) => m.name.startsWith('sightline:render:')).length === 12, null, { timeout: 300_000 });
  const t = await page.evaluate(() => {
    const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('sightline:render:'));
    const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('sightline:data:'));
    const lastData = Math.max(...marks.map((m) => m.startTime));
    const allDrawn = Math.max(...measures.map((m) => m.startTime + m.duration));
    return {
      maxPanelRender: Math.max(...measures.map((m) => m.duration)),
      lastDataArrived: lastData,
      allDrawn,
      afterLastData: allDrawn - lastData,
      points: [...document.querySelectorAll('.chart')].reduce((a, c) => a + Number(c.dataset.points) * Number(c.dataset.series), 0),
    };
  });
  if (r > 0) results.push(t); // the first load warms the server and the browser's caches
  console.log(`run ${r}${r === 0 ? ' (warm-up)' : ''}: ${JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])))}`);
}
await browser.close();
const summary = {};
for (const k of Object.keys(results[0])) summary[k] = Math.round(median(results.map((x) => x[k])));
console.log('median over ' + runs + ' loads (ms, points drawn): ' + JSON.stringify(summary));
