import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../logging';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface MailSettings {
  /** smtp:// or smtps:// URL, credentials included; undefined: mail is logged as not sent. */
  smtpUrl: string | undefined;
  from: string;
}

/** Sends plain-text mail through the configured SMTP server (nodemailer). */
export class Mailer {
  private readonly transport: Transporter | undefined;

  constructor(
    private readonly settings: MailSettings,
    private readonly log: Logger,
  ) {
    this.transport = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : undefined;
  }

  get enabled(): boolean {
    return this.transport !== undefined;
  }

  async send(message: MailMessage): Promise<void> {
    if (!this.transport) {
      // The body may hold a secret link, so only the fact is logged.
      this.log.warn({ subject: message.subject }, 'SMTP_URL is not set; mail was not sent');
      return;
    }
    await this.transport.sendMail({ from: this.settings.from, ...message });
  }

  close(): void {
    this.transport?.close();
  }
}
