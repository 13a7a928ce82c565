/**
 * The rules that keep an install administrable, in one place: it never loses its last effective
 * admin, and no organizer loses its last effective owner. Each check takes the one advisory lock
 * of queries/admins.ts first, so two concurrent changes are judged one after the other. Call them
 * inside the change's transaction, before its first write.
 */
import type { Db } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { effectiveAdmins, effectiveOwners, lockMembershipRules, organizersOwnedOnlyBy } from '../queries/admins.ts';

/** 409 `last_admin` when `userUuid` is the only effective admin. */
export async function assertNotLastAdmin(db: Db, userUuid: string): Promise<void> {
  await lockMembershipRules(db);
  const admins = await effectiveAdmins(db);
  if (admins.length === 1 && admins[0] === userUuid) throw new AppError('last_admin');
}

/** 409 `last_owner` when `userUuid` is the organizer's only effective owner. */
export async function assertNotLastOwner(db: Db, organizerUuid: string, userUuid: string): Promise<void> {
  await lockMembershipRules(db);
  const owners = await effectiveOwners(db, organizerUuid);
  if (owners.length === 1 && owners[0] === userUuid) throw new AppError('last_owner');
}

/**
 * Before an account stops counting (deactivation, deletion): it may be neither the last admin
 * nor any organizer's last owner. The 409 names the organizers, so the admin knows whom to
 * hand ownership to first.
 */
export async function assertAccountRemovable(db: Db, userUuid: string): Promise<void> {
  await assertNotLastAdmin(db, userUuid);
  const alone = await organizersOwnedOnlyBy(db, userUuid);
  if (alone.length === 0) return;
  const names = alone.map((organizer) => organizer.name).join(', ');
  throw new AppError('last_owner', {
    message: 'sole_owner_of',
    params: { names },
    extra: { organizers: alone.map((organizer) => ({ uuid: organizer.uuid, name: organizer.name })) },
  });
}
