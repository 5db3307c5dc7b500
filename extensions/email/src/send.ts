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
 * Time limits inside the host's default 5 s budget for an alert action (PLUGIN_HOOK_BUDGET_MS): a
 * server that does not answer fails the send here, with a reason, instead of being cut off by the
 * host while nodemailer's minutes-long defaults keep the connection open.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 3000, greetingTimeout: 3000, socketTimeout: 4000 };

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
  try {
    await transport.sendMail({
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
  } catch (error) {
    // The SMTP URL holds credentials: name the server by host only.
    const host = new URL(settings.smtpUrl).host;
    const reason = error instanceof Error ? error.message : String(error);
    throw new SmtpSendError(`sending the alert mail through ${host} failed: ${reason}`);
  } finally {
    transport.close();
  }
}
