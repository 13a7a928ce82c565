/**
 * Eligibility by domain, and eligible-list entries that expire (docs/lifecycle.md):
 * - eligibility_rules: a registrable domain (never a bare public suffix: the service checks that
 *   with a public-suffix list), optionally with its subdomains, optionally until a date;
 * - eligible_emails gains expires_at and note.
 * An email is eligible when its list entry has not expired, or an unexpired rule matches its
 * domain (queries/eligibility.ts, the one rule every sign-up path uses).
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `create table eligibility_rules (
     id uuid primary key default gatehouse_uuid_v7(),
     domain text not null check (domain = lower(domain) and length(domain) between 3 and 253),
     include_subdomains boolean not null default false,
     expires_at timestamptz,
     note text check (length(note) <= 500),
     created_at timestamptz not null default now(),
     constraint eligibility_rules_domain_key unique (domain)
   )`,
  `alter table eligible_emails add column expires_at timestamptz`,
  `alter table eligible_emails add column note text check (length(note) <= 500)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}
