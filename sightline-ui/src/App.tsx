// The page frame: navigation, theme switch, the token prompt when auth is on, and the routes.
import { useEffect, useState } from 'preact/hooks';
import { onAuthNeeded, setToken, token } from './lib/api';
import { onLinkClick, useLocation } from './router';
import { applyTheme, initialTheme, type Theme } from './theme';
import { Alerts } from './pages/Alerts';
import { DashboardList } from './pages/DashboardList';
import { DashboardPage } from './pages/DashboardPage';
import { Embed } from './pages/Embed';
import { Explore } from './pages/Explore';
import { Status } from './pages/Status';
import { Targets } from './pages/Targets';
import { Modal } from './components/Modal';

const NAV = [
  { href: '/explore', label: 'Explore' },
  { href: '/dashboards', label: 'Dashboards' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/targets', label: 'Targets' },
  { href: '/status', label: 'Status' },
];

/** A path segment decoded, or null where it is not valid percent-encoding (a mistyped link). */
function segment(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function route(path: string) {
  const d = /^\/d\/([^/]+)\/?$/.exec(path);
  const id = d && segment(d[1]);
  if (id) return <DashboardPage id={id} />;
  if (path === '/' || path.startsWith('/explore')) return <Explore />;
  if (path.startsWith('/dashboards')) return <DashboardList />;
  if (path.startsWith('/alerts')) return <Alerts />;
  if (path.startsWith('/targets')) return <Targets />;
  if (path.startsWith('/status')) return <Status />;
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        Nothing here. <a href="/explore" onClick={onLinkClick}>Explore</a>
      </p>
    </section>
  );
}

export function App() {
  const { path } = useLocation();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [needToken, setNeedToken] = useState(false);
  useEffect(() => onAuthNeeded(() => setNeedToken(true)), []);

  const embed = /^\/embed\/([^/]+)\/([^/]+)\/?$/.exec(path);
  const embedIds = embed && [segment(embed[1]), segment(embed[2])];
  if (embedIds && embedIds[0] !== null && embedIds[1] !== null) return <Embed dashboard={embedIds[0]} panelId={embedIds[1]} />;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/explore" onClick={onLinkClick}>
          <svg viewBox="0 0 16 16" width="20" height="20" aria-hidden="true">
            <path d="M1 12l4-5 3 3 3-6 4 8" fill="none" stroke="currentColor" stroke-width="2" />
          </svg>
          Sightline
        </a>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a href={n.href} onClick={onLinkClick} aria-current={path.startsWith(n.href) || (n.href === '/explore' && path === '/') || (n.href === '/dashboards' && path.startsWith('/d/')) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <div class="spacer" />
        <button
          type="button"
          class="icon"
          aria-label={theme === 'dark' ? 'Use the light theme' : 'Use the dark theme'}
          title={theme === 'dark' ? 'Light theme' : 'Dark theme'}
          onClick={() => {
            const t = theme === 'dark' ? 'light' : 'dark';
            setTheme(t);
            applyTheme(t, true);
          }}
        >
          {theme === 'dark' ? '☀' : '☾'}
        </button>
        {token() && (
          <button
            type="button"
            class="secondary small"
            onClick={() => {
              setToken(null);
              setNeedToken(true);
            }}
          >
            Sign out
          </button>
        )}
      </header>
      <main id="main">{route(path)}</main>
      {needToken && <TokenPrompt onDone={() => window.location.reload()} />}
    </>
  );
}

function TokenPrompt({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <Modal labelledBy="tp-title" small>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim() || null);
          onDone();
        }}
      >
        <h2 id="tp-title">Sign in</h2>
        <p>This server requires a token. Create one with <code>sightline token generate --scopes read</code> (<code>admin</code> to edit dashboards, <code>write</code> to silence alerts).</p>
        <label>
          Token <input type="password" name="token" autoFocus value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <div class="modal-actions">
          <button type="submit" class="primary">
            Sign in
          </button>
        </div>
      </form>
    </Modal>
  );
}
