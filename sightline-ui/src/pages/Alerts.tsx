// Alerts (firing and pending, with labels and annotations), silencing one, and the silences.
import { useEffect, useState } from 'preact/hooks';
import { plain, prom } from '../lib/api';
import { parseDuration } from '../lib/time';
import { Messages } from '../components/Messages';
import { TableHead } from '../components/TableHead';
import { Modal } from '../components/Modal';

interface RuleAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'firing' | 'pending' | 'inactive';
  activeAt?: string;
  value?: string;
}

interface NotifiedAlert {
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[] };
}

export interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

const key = (labels: Record<string, string>) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000');

export function Alerts() {
  const [alerts, setAlerts] = useState<RuleAlert[] | null>(null);
  const [silenced, setSilenced] = useState<Map<string, string[]>>(new Map());
  const [silences, setSilences] = useState<Silence[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [silencing, setSilencing] = useState<RuleAlert | null>(null);
  const [showExpired, setShowExpired] = useState(false);

  const load = async () => {
    try {
      const [a, n, s] = await Promise.all([
        prom<{ alerts: RuleAlert[] }>('/api/v1/alerts'),
        plain<NotifiedAlert[]>('/api/v2/alerts').catch(() => [] as NotifiedAlert[]),
        plain<Silence[]>('/api/v2/silences').catch(() => [] as Silence[]),
      ]);
      setAlerts(a.data.alerts);
      setSilenced(new Map(n.filter((x) => x.status.silencedBy.length > 0).map((x) => [key(x.labels), x.status.silencedBy])));
      setSilences(s);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => {
    void load();
    const id = setInterval(load, 15_000);
    return () => clearInterval(id);
  }, []);

  const expire = async (id: string) => {
    try {
      await plain('/api/v2/silence/' + encodeURIComponent(id), { method: 'DELETE' });
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const order = { firing: 0, pending: 1, inactive: 2 };
  const sorted = [...(alerts ?? [])].sort((a, b) => order[a.state] - order[b.state] || (a.labels.alertname ?? '').localeCompare(b.labels.alertname ?? ''));
  const visibleSilences = silences.filter((s) => showExpired || s.status.state !== 'expired');
  return (
    <section class="page" aria-labelledby="al-title">
      <h1 id="al-title">Alerts</h1>
      <Messages error={error} />
      {alerts === null ? (
        <p class="empty">Loading…</p>
      ) : sorted.length === 0 ? (
        <p class="empty">No alert is firing or pending.</p>
      ) : (
        <ul class="alerts">
          {sorted.map((a) => {
            const by = silenced.get(key(a.labels));
            return (
              <li class={'alert ' + a.state} data-alertname={a.labels.alertname}>
                <div class="alert-head">
                  <span class={'badge ' + a.state}>{a.state}</span>
                  {by && <span class="badge silenced">silenced</span>}
                  <strong>{a.labels.alertname}</strong>
                  {a.activeAt && <span class="since">since {new Date(a.activeAt).toLocaleString()}</span>}
                  {a.value !== undefined && <span class="since">value {a.value}</span>}
                  <div class="spacer" />
                  <button type="button" class="secondary small" onClick={() => setSilencing(a)}>
                    Silence
                  </button>
                </div>
                <div class="labels">
                  {Object.entries(a.labels)
                    .filter(([k]) => k !== 'alertname')
                    .map(([k, v]) => (
                      <span class="label">
                        {k}="{v}"
                      </span>
                    ))}
                </div>
                {Object.keys(a.annotations ?? {}).length > 0 && (
                  <dl class="annotations">
                    {Object.entries(a.annotations).map(([k, v]) => (
                      <>
                        <dt>{k}</dt>
                        <dd>{v}</dd>
                      </>
                    ))}
                  </dl>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {silencing && <SilenceForm alert={silencing} onDone={() => { setSilencing(null); void load(); }} onCancel={() => setSilencing(null)} />}
      <h2>Silences</h2>
      <label class="check">
        <input type="checkbox" checked={showExpired} onChange={(e) => setShowExpired(e.currentTarget.checked)} /> Show expired
      </label>
      {visibleSilences.length === 0 ? (
        <p class="empty">No silences.</p>
      ) : (
        <table class="data silences">
          <TableHead columns={['State', 'Matchers', 'Ends', 'By', 'Comment', null]} />
          <tbody>
            {visibleSilences.map((s) => (
              <tr data-silence={s.id}>
                <td>
                  <span class={'badge ' + s.status.state}>{s.status.state}</span>
                </td>
                <td>{s.matchers.map((m) => <span class="label">{`${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}"${m.value}"`}</span>)}</td>
                <td>{new Date(s.endsAt).toLocaleString()}</td>
                <td>{s.createdBy}</td>
                <td>{s.comment}</td>
                <td>
                  {s.status.state !== 'expired' && (
                    <button type="button" class="danger small" onClick={() => expire(s.id)}>
                      Expire
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SilenceForm({ alert, onDone, onCancel }: { alert: RuleAlert; onDone: () => void; onCancel: () => void }) {
  const [duration, setDuration] = useState('2h');
  const [createdBy, setCreatedBy] = useState(() => localStorage.getItem('sightline.user') ?? '');
  const [comment, setComment] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set(Object.keys(alert.labels)));
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const ms = parseDuration(duration);
    if (ms === null) return setError(`duration: "${duration}" is not a duration such as 2h or 30m`);
    if (chosen.size === 0) return setError('choose at least one label to match');
    const now = Date.now();
    try {
      localStorage.setItem('sightline.user', createdBy);
      await plain('/api/v2/silences', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          matchers: [...chosen].map((k) => ({ name: k, value: alert.labels[k], isRegex: false, isEqual: true })),
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + ms).toISOString(),
          createdBy,
          comment,
        }),
      });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Modal labelledBy="sf-title" onClose={onCancel} small>
      <form onSubmit={submit}>
        <h2 id="sf-title">Silence {alert.labels.alertname}</h2>
        <Messages error={error} />
        <fieldset>
          <legend>Match alerts with</legend>
          {Object.entries(alert.labels).map(([k, v]) => (
            <label class="check">
              <input
                type="checkbox"
                checked={chosen.has(k)}
                onChange={(e) => {
                  const n = new Set(chosen);
                  if (e.currentTarget.checked) n.add(k);
                  else n.delete(k);
                  setChosen(n);
                }}
              />{' '}
              {k}="{v}"
            </label>
          ))}
        </fieldset>
        <label>
          For <input name="duration" value={duration} onInput={(e) => setDuration(e.currentTarget.value)} />
        </label>
        <label>
          Your name <input name="createdBy" required value={createdBy} onInput={(e) => setCreatedBy(e.currentTarget.value)} />
        </label>
        <label>
          Comment <input name="comment" required value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        <div class="modal-actions">
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Create silence
          </button>
        </div>
      </form>
    </Modal>
  );
}
