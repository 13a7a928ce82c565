/**
 * Every migration, in order. Kysely applies them by name; names sort as NNNN_slug.
 * Adding a migration: a new file here and a new line below — never edit an applied one.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_signing_keys.ts';
import * as m0003 from './0003_time_ordered_eligible_ids.ts';
import * as m0004 from './0004_user_access.ts';
import * as m0005 from './0005_unproven_passwords.ts';
import * as m0006 from './0006_signing_key_publish_first.ts';
import * as m0007 from './0007_membership_expiry.ts';
import * as m0008 from './0008_eligibility_rules.ts';
import * as m0009 from './0009_invitations.ts';
import * as m0010 from './0010_webhooks.ts';

export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_signing_keys': m0002,
  '0003_time_ordered_eligible_ids': m0003,
  '0004_user_access': m0004,
  '0005_unproven_passwords': m0005,
  '0006_signing_key_publish_first': m0006,
  '0007_membership_expiry': m0007,
  '0008_eligibility_rules': m0008,
  '0009_invitations': m0009,
  '0010_webhooks': m0010,
};
