import { useServerUnreachable } from '../api/connectivity';

/** Shown while the server does not answer; goes away by itself when it does again. */
export function ServerBanner() {
  const unreachable = useServerUnreachable();
  if (!unreachable) return null;
  return (
    <div className="banner" role="status" aria-live="polite">
      The Faultline server cannot be reached. Retrying… this page updates by itself when it is back.
    </div>
  );
}
