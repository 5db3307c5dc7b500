import { CopyButton } from '../../components/CopyButton';

/** Recovery codes the API just gave: shown this once, with a Copy button. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <>
      <p>
        Keep these recovery codes somewhere safe: each signs you in once without your authenticator app. They
        are not shown again.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <CopyButton text={codes.join('\n')} label="Copy the recovery codes" />
    </>
  );
}
