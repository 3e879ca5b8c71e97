// Light and dark themes: the system's choice until the user picks one.
const KEY = 'sightline.theme';

export type Theme = 'light' | 'dark';

export function initialTheme(): Theme {
  const forced = new URLSearchParams(window.location.search).get('theme');
  if (forced === 'light' || forced === 'dark') return forced;
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // storage off: follow the system
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme, save: boolean): void {
  document.documentElement.dataset.theme = t;
  if (save) {
    try {
      localStorage.setItem(KEY, t);
    } catch {
      // not saved: still applied
    }
  }
  window.dispatchEvent(new Event('sightline-theme'));
}

/** A CSS variable's value, for canvases that cannot use CSS. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export const PALETTE = [
  '#2f7be5', '#e5702f', '#2fa84f', '#d6336c', '#8a5cd1', '#c99a06', '#12a4b3', '#7d8a99',
  '#a3492d', '#5c9e2f', '#b044b5', '#3e5bd6', '#d14848', '#1d8a78', '#9c7a3c', '#6b6fd6',
];

export function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length];
}
