// A PromQL editor: highlighting under a transparent textarea, and completion of metric names,
// functions, label names and values from the API (ARIA combobox; arrows, Enter/Tab, Escape).
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { labelNames, labelValues, metricNames } from '../lib/api';
import { apply, contextAt, suggest, type Context, type Suggestion } from '../promql/complete';
import { tokenize } from '../promql/lexer';

let nextId = 0;

export interface QueryEditorProps {
  value: string;
  onInput: (v: string) => void;
  /** Enter (without Shift) runs the query. */
  onRun?: () => void;
  placeholder?: string;
  label?: string;
}

export function Highlighted({ src }: { src: string }) {
  return (
    <>
      {tokenize(src).map((t) => (t.kind === 'space' ? t.text : <span class={'tok-' + t.kind}>{t.text}</span>))}
      {'\n'}
    </>
  );
}

export function QueryEditor({ value, onInput, onRun, placeholder, label = 'PromQL expression' }: QueryEditorProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [ctx, setCtx] = useState<Context>({ kind: 'none' });
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const id = useMemo(() => 'qe' + nextId++, []);
  const request = useRef(0);

  const refresh = async (src: string, cursor: number, explicit: boolean) => {
    const c = contextAt(src, cursor);
    setCtx(c);
    if (c.kind === 'none' || (c.kind === 'name' && c.prefix === '' && !explicit)) {
      setOpen(false);
      return;
    }
    const mine = ++request.current;
    try {
      const names: { metrics?: string[]; labels?: string[]; values?: string[] } = {};
      if (c.kind === 'name') names.metrics = await metricNames();
      if (c.kind === 'labelName') names.labels = await labelNames(c.metric);
      if (c.kind === 'labelValue') names.values = await labelValues(c.label, c.metric);
      if (mine !== request.current) return;
      const s = suggest(c, names);
      setItems(s);
      setActive(0);
      setOpen(s.length > 0);
    } catch {
      if (mine === request.current) setOpen(false);
    }
  };

  const accept = (s: Suggestion) => {
    const el = area.current!;
    const r = apply(value, el.selectionStart, ctx, s);
    onInput(r.text);
    setOpen(false);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(r.cursor, r.cursor);
      if (s.kind === 'label') void refresh(r.text, r.cursor, false);
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (open && items.length > 0) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        setActive((active + 1) % items.length);
        return;
      }
      if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((active - 1 + items.length) % items.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        accept(items[active]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setOpen(false);
        return;
      }
    }
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      const el = area.current!;
      void refresh(value, el.selectionStart, true);
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      onRun?.();
    }
  };

  // Keep the list in view of the active item.
  useEffect(() => {
    document.getElementById(`${id}-opt-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, open]);

  const rows = Math.min(10, value.split('\n').length);
  return (
    <div class="editor">
      <pre class="editor-highlight" aria-hidden="true">
        <Highlighted src={value} />
      </pre>
      <textarea
        ref={area}
        class="editor-input"
        rows={rows}
        spellcheck={false}
        autocomplete="off"
        autocapitalize="off"
        placeholder={placeholder}
        aria-label={label}
        aria-controls={open ? id + '-list' : undefined}
        aria-autocomplete="list"
        aria-activedescendant={open ? `${id}-opt-${active}` : undefined}
        value={value}
        onInput={(e) => {
          const el = e.currentTarget;
          onInput(el.value);
          void refresh(el.value, el.selectionStart, false);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onScroll={(e) => {
          const pre = e.currentTarget.previousElementSibling as HTMLElement;
          pre.scrollTop = e.currentTarget.scrollTop;
          pre.scrollLeft = e.currentTarget.scrollLeft;
        }}
      />
      {/* A textarea keeps its textbox role (no combobox in HTML's rules): the count is announced instead. */}
      <span class="sr-only" aria-live="polite">
        {open && items.length > 0 ? `${items.length} suggestion${items.length === 1 ? '' : 's'}, arrow keys to choose, Enter to insert` : ''}
      </span>
      {open && (
        <ul class="completions" role="listbox" id={id + '-list'} aria-label="Completions">
          {items.map((s, i) => (
            <li
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : ''}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(s);
              }}
            >
              <span class={'kind kind-' + s.kind}>{s.kind}</span> {s.text}
              {s.detail && <span class="detail">{s.detail}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
