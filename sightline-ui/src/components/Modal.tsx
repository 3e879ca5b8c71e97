// A modal dialog on the platform's <dialog>: showModal() makes the rest of the page inert, keeps
// the focus inside and moves it to the first field (or the one marked autofocus); Escape asks to
// close. The dialog is open while the component is mounted: the caller closes it by unmounting.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export interface ModalProps {
  /** The id of the dialog's heading. */
  labelledBy: string;
  /** Escape or the browser closing the dialog; without it the dialog cannot be dismissed. */
  onClose?: () => void;
  small?: boolean;
  children: ComponentChildren;
}

export function Modal({ labelledBy, onClose, small, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    // Escape fires "cancel"; the owner decides. A browser may still close the dialog (repeated
    // Escape without a user gesture in between): then it is the owner's close, or it reopens.
    const onCancel = (e: Event) => {
      e.preventDefault();
      close.current?.();
    };
    const onClosed = () => {
      if (!d.isConnected) return;
      if (close.current) close.current();
      else d.showModal();
    };
    d.addEventListener('cancel', onCancel);
    d.addEventListener('close', onClosed);
    return () => {
      d.removeEventListener('cancel', onCancel);
      d.removeEventListener('close', onClosed);
      if (d.open) d.close();
      // Back to where the user was, when that is still on the page.
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} class={small ? 'modal small' : 'modal'} aria-labelledby={labelledBy}>
      {children}
    </dialog>
  );
}
