import { PasswordForm } from './PasswordForm';
import { TwoFactorPanel } from './TwoFactorPanel';

/** Your password and second factor (they need a signed-in session; tokens can't change them). */
export function AccountSecurityPage() {
  return (
    <>
      <PasswordForm />
      <TwoFactorPanel />
    </>
  );
}
