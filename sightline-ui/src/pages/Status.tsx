// Status: build, runtime, the config in force and TSDB statistics.
import { useEffect, useState } from 'preact/hooks';
import { prom } from '../lib/api';
import { formatValue } from '../lib/format';
import { Messages } from '../components/Messages';

type Dict = Record<string, unknown>;

function KeyValues({ data }: { data: Dict }) {
  return (
    <table class="data kv">
      <tbody>
        {Object.entries(data).map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface Tsdb {
  headStats?: Dict;
  seriesCountByMetricName?: { name: string; value: number }[];
  labelValueCountByLabelName?: { name: string; value: number }[];
  memoryInBytesByLabelName?: { name: string; value: number }[];
  seriesCountByLabelValuePair?: { name: string; value: number }[];
}

function Top({ title, rows, unit }: { title: string; rows?: { name: string; value: number }[]; unit?: 'bytes' }) {
  if (!rows || rows.length === 0) return null;
  return (
    <section>
      <h3>{title}</h3>
      <table class="data">
        <tbody>
          {rows.map((r) => (
            <tr>
              <td class="series">{r.name}</td>
              <td class="num">{formatValue(r.value, unit ?? 'none')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Status() {
  const [build, setBuild] = useState<Dict | null>(null);
  const [runtime, setRuntime] = useState<Dict | null>(null);
  const [tsdb, setTsdb] = useState<Tsdb | null>(null);
  const [config, setConfig] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const fail = (e: Error) => setError(e.message);
    prom<Dict>('/api/v1/status/buildinfo').then((a) => setBuild(a.data), fail);
    prom<Dict>('/api/v1/status/runtimeinfo').then((a) => setRuntime(a.data), fail);
    prom<Tsdb>('/api/v1/status/tsdb').then((a) => setTsdb(a.data), fail);
    prom<{ yaml: string }>('/api/v1/status/config').then((a) => setConfig(a.data.yaml), fail);
  }, []);
  return (
    <section class="page" aria-labelledby="st-title">
      <h1 id="st-title">Status</h1>
      <Messages error={error} />
      <div class="columns">
        <section>
          <h2>Build</h2>
          {build && <KeyValues data={build} />}
        </section>
        <section>
          <h2>Runtime</h2>
          {runtime && <KeyValues data={runtime} />}
        </section>
      </div>
      <h2>TSDB</h2>
      {tsdb?.headStats && <KeyValues data={tsdb.headStats} />}
      <div class="columns">
        <Top title="Series by metric" rows={tsdb?.seriesCountByMetricName} />
        <Top title="Values by label" rows={tsdb?.labelValueCountByLabelName} />
        <Top title="Series by label pair" rows={tsdb?.seriesCountByLabelValuePair} />
        <Top title="Label memory" rows={tsdb?.memoryInBytesByLabelName} unit="bytes" />
      </div>
      <h2>Configuration</h2>
      {config !== null && <pre class="config">{config}</pre>}
    </section>
  );
}
