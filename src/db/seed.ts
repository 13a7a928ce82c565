/** Seeding: the default roles (idempotent), then the bootstrap admin when one is configured. */
import type { Config } from '../config.ts';
import { seedDefaultRoles } from '../queries/roles.ts';
import { ensureAdmin } from '../services/bootstrap.ts';
import type { Db } from './connect.ts';

export interface SeedOutcome {
  readonly rolesAdded: number;
  readonly bootstrapAdmin: { readonly email: string; readonly created: boolean } | null;
}

export async function seed(db: Db, config: Pick<Config, 'bootstrapAdminEmail'>): Promise<SeedOutcome> {
  const rolesAdded = await seedDefaultRoles(db);
  if (config.bootstrapAdminEmail === null) return { rolesAdded, bootstrapAdmin: null };
  const { user, created } = await ensureAdmin(db, config.bootstrapAdminEmail, null);
  return { rolesAdded, bootstrapAdmin: { email: user.email, created } };
}
