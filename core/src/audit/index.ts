/** The per-organization audit log: who did what, when, to what, from where. */
export {
  AUDIT_EVENTS,
  listAuditLog,
  listAuditOfTarget,
  recordAudit,
  type AuditActor,
  type AuditEntry,
  type AuditEvent,
  type AuditRow,
} from './audit-log';
