/** An invitation as the API (and a webhook event) shows it: no token, no message body. */
import type { OrganizerRole } from '../db/schema.ts';
import type { InvitationRow } from '../queries/invitations.ts';

export interface InvitationView {
  readonly id: string;
  readonly email: string;
  readonly kind: 'club' | 'organizer';
  readonly organizer_uuid: string | null;
  readonly role_names: string[];
  readonly organizer_role: OrganizerRole | null;
  readonly status: InvitationRow['status'];
  readonly invited_by: string;
  readonly batch_id: string | null;
  readonly expires_at: string;
  readonly created_at: string;
  readonly accepted_at: string | null;
  readonly last_sent_at: string | null;
  readonly send_count: number;
}

export function invitationView(row: InvitationRow): InvitationView {
  return {
    id: row.id,
    email: row.email,
    kind: row.kind,
    organizer_uuid: row.organizer_uuid,
    role_names: row.role_names,
    organizer_role: row.organizer_role,
    status: row.status,
    invited_by: row.invited_by,
    batch_id: row.batch_id,
    expires_at: row.expires_at.toISOString(),
    created_at: row.created_at.toISOString(),
    accepted_at: row.accepted_at?.toISOString() ?? null,
    last_sent_at: row.last_sent_at?.toISOString() ?? null,
    send_count: row.send_count,
  };
}
