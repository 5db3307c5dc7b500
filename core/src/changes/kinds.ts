import type { ChangeSurface } from '@faultline/plugin-sdk';

/** What happened to an issue. */
export const CHANGE_KINDS = [
  'created',
  'regressed',
  'state_changed',
  'assigned',
  'commented',
  'comment_edited',
  'comment_deleted',
  'events_counted',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Where a change came from: declared once, in the plugin SDK, which core and plugins both import. */
export { CHANGE_SURFACES, type ChangeSurface } from '@faultline/plugin-sdk';

/** One change to record; the issue's project and organization are looked up when it is written. */
export interface NewIssueChange {
  issueId: number;
  kind: ChangeKind;
  surface: ChangeSurface;
  /** The user who made it; null for the pipeline, service tokens and plugins. */
  actorUserId?: number | null;
  data?: Record<string, unknown>;
}

/** One recorded change, as the stream delivers it. */
export interface IssueChangeRecord {
  /** The row id (unique, allocated when written). */
  id: number;
  /** The stream position: (writing transaction id, row id), as `"<txid>-<id>"`. */
  cursor: string;
  organizationId: number;
  projectId: number;
  issueId: number;
  kind: ChangeKind;
  surface: ChangeSurface;
  actorUserId: number | null;
  data: Record<string, unknown>;
  createdAt: Date;
}
