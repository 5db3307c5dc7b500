export { Mailer, type MailMessage, type MailSettings } from './mailer';
