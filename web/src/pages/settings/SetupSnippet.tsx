import { useState } from 'react';
import { buildSnippet, SDKS, type Sdk } from '../../settings/snippets';
import { CopyButton } from '../../components/CopyButton';

/** How to start a Sentry SDK with this DSN, for the SDK the person picks. */
export function SetupSnippet({ dsn, keyId }: { dsn: string; keyId: string }) {
  const [sdk, setSdk] = useState<Sdk>('browser');
  const snippet = buildSnippet(sdk, dsn);
  const pickerId = `sdk-${keyId}`;
  return (
    <details className="snippet">
      <summary>Set up an SDK with this key</summary>
      <label htmlFor={pickerId}>SDK</label>
      <select id={pickerId} value={sdk} onChange={(event) => setSdk(event.target.value as Sdk)}>
        {SDKS.map((choice) => (
          <option key={choice} value={choice}>
            {buildSnippet(choice, dsn).label}
          </option>
        ))}
      </select>
      <p>Install:</p>
      <pre>
        <code>{snippet.install}</code>
      </pre>
      <p>Then start it, early in your program:</p>
      <pre>
        <code>{snippet.code}</code>
      </pre>
      <CopyButton text={snippet.code} label={`Copy the ${snippet.label} setup code`} />
    </details>
  );
}
