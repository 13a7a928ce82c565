/**
 * Eligibility by domain: a partner school or a sponsor admits every address of its domain (and,
 * when asked, of its subdomains), optionally until a date. A rule must name a registrable domain
 * or a name under one, never a public suffix alone (`com`, `co.uk`, `github.io`): that would
 * admit the world. The public-suffix list is tldts's (ICANN and private sections).
 */
import { parse } from 'tldts';
import type { Db } from '../db/connect.ts';
import { AppError, fieldError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { deleteEligibilityRule, insertEligibilityRule, listEligibilityRules, type EligibilityRuleRow } from '../queries/eligibility-rules.ts';
import type { Actor } from './memberships.ts';

export interface NewEligibilityRule {
  readonly domain: string;
  readonly includeSubdomains: boolean;
  readonly expiresAt: Date | null;
  readonly note: string | null;
}

/** The domain, lower-cased and without a trailing dot, if it may carry a rule; else a 422 saying why. */
export function ruleDomain(raw: string): string {
  const domain = raw.trim().toLowerCase().replace(/\.$/, '');
  const parsed = parse(domain, { allowPrivateDomains: true });
  if (parsed.isIp === true || parsed.hostname !== domain || !/^[a-z0-9.-]+$/.test(domain)) throw fieldError(['domain'], `"${raw}" is not a domain name`);
  if (parsed.domain === null || parsed.publicSuffix === domain)
    throw fieldError(
      ['domain'],
      `"${domain}" is a public suffix: a rule must name a registrable domain such as school.example.org, not every domain under ${domain}`,
    );
  return domain;
}

export async function createEligibilityRule(db: Db, rule: NewEligibilityRule, by: Actor): Promise<EligibilityRuleRow> {
  const domain = ruleDomain(rule.domain);
  if (rule.expiresAt !== null && rule.expiresAt.getTime() <= Date.now()) throw fieldError(['expires_at'], 'expires_at must be in the future');
  return db.transaction().execute(async (trx) => {
    const created = await insertEligibilityRule(trx, { domain, include_subdomains: rule.includeSubdomains, expires_at: rule.expiresAt, note: rule.note });
    if (created === null) throw new AppError('eligibility_rule_exists');
    await insertAudit(trx, { ...by, action: 'eligibility_rule.create', target: created.id, after: { domain, include_subdomains: rule.includeSubdomains } });
    return created;
  });
}

export async function eligibilityRules(db: Db, afterId: string | null, limit: number): Promise<EligibilityRuleRow[]> {
  return listEligibilityRules(db, afterId, limit);
}

export async function removeEligibilityRule(db: Db, id: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await deleteEligibilityRule(trx, id);
    if (removed === null) throw new AppError('eligibility_rule_not_found');
    await insertAudit(trx, { ...by, action: 'eligibility_rule.delete', target: id, before: { domain: removed.domain } });
  });
}
