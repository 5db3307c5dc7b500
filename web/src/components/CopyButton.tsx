import { useState } from 'react';

/**
 * Copies `text` to the clipboard and says so. Where the browser refuses the clipboard, it says to
 * copy by hand: every copied value is also shown in a field the person can select.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'refused'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('refused');
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={() => void copy()} aria-label={label}>
        Copy
      </button>
      <span role="status" className="muted copy-status">
        {state === 'copied' ? 'Copied.' : state === 'refused' ? 'Select the text and copy it.' : ''}
      </span>
    </>
  );
}
