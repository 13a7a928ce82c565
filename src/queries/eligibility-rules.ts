/** SQL for eligibility rules (domains whose addresses may sign up). */
import type { Db } from '../db/connect.ts';
import { isUniqueViolation } from '../db/errors.ts';

export interface EligibilityRuleRow {
  readonly id: string;
  readonly domain: string;
  readonly include_subdomains: boolean;
  readonly expires_at: Date | null;
  readonly note: string | null;
  readonly created_at: Date;
}

const COLUMNS = ['id', 'domain', 'include_subdomains', 'expires_at', 'note', 'created_at'] as const;

/** The new rule, or null when the domain has one already. */
export async function insertEligibilityRule(db: Db, rule: Omit<EligibilityRuleRow, 'id' | 'created_at'>): Promise<EligibilityRuleRow | null> {
  try {
    return await db.insertInto('eligibility_rules').values(rule).returning(COLUMNS).executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error, 'eligibility_rules_domain_key')) return null;
    throw error;
  }
}

/** Rules in creation order (ids are time-ordered), after the cursor's id. */
export async function listEligibilityRules(db: Db, afterId: string | null, limit: number): Promise<EligibilityRuleRow[]> {
  let query = db.selectFrom('eligibility_rules').select(COLUMNS).orderBy('id').limit(limit);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.execute();
}

export async function deleteEligibilityRule(db: Db, id: string): Promise<EligibilityRuleRow | null> {
  return (await db.deleteFrom('eligibility_rules').where('id', '=', id).returning(COLUMNS).executeTakeFirst()) ?? null;
}
