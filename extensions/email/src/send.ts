import nodemailer from 'nodemailer';
import type { RenderedMail } from './render';

export interface SmtpSettings {
  smtpUrl: string;
  from: string;
}

export interface OutgoingAlertMail extends RenderedMail {
  to: string[];
  /** The notification's id: the same on every retry of one notification. */
  alertId: string;
}

/** Header naming the notification, so receivers and filters can drop a retried duplicate. */
export const ALERT_ID_HEADER = 'X-Faultline-Alert-Id';

/**
 * Time limits well inside the host's default 5 s budget for an alert action (PLUGIN_HOOK_BUDGET_MS).
 * When a call overruns its budget the host stops the plugin's thread, failing every other call in
 * flight on it; a server that does not answer must fail the send here first, with a reason, instead
 * (nodemailer's defaults are minutes). The three timeouts are 4.5 s together, but the socket timeout
 * counts from the last answer: a server answering each command just in time would outlast it, so
 * the whole send also has a deadline (`SEND_DEADLINE_MS`).
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 1500, greetingTimeout: 1500, socketTimeout: 1500 };

/** The longest one send may take, whatever the server's pace. */
export const SEND_DEADLINE_MS = 3500;

/** The mail's Message-ID, derived from the notification id, so a retried send carries the same one. */
export function messageIdFor(alertId: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'faultline.invalid';
  return `<alert.${alertId.replace(/[^A-Za-z0-9._-]/g, '-')}@${domain}>`;
}

export class SmtpSendError extends Error {
  override readonly name = 'SmtpSendError';
}

/** Sends one mail through one SMTP connection; throws `SmtpSendError` when the server did not take it. */
export async function sendAlertMail(settings: SmtpSettings, mail: OutgoingAlertMail): Promise<void> {
  const transport = nodemailer.createTransport({ url: settings.smtpUrl, ...SMTP_TIMEOUTS });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const sending = transport.sendMail({
      from: settings.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: messageIdFor(mail.alertId, settings.from),
      headers: {
        [ALERT_ID_HEADER]: mail.alertId,
        // RFC 3834: machine-made, so auto-responders stay quiet.
        'Auto-Submitted': 'auto-generated',
      },
    });
    // Past the deadline its outcome no longer matters, but must not be an unhandled rejection.
    sending.catch(() => undefined);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no complete answer within ${SEND_DEADLINE_MS} ms`)),
        SEND_DEADLINE_MS,
      );
    });
    await Promise.race([sending, deadline]);
  } catch (error) {
    // The SMTP URL holds credentials: name the server by host only.
    const host = new URL(settings.smtpUrl).host;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SmtpSendError(`sending the alert mail through ${host} failed: ${reason}`);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
