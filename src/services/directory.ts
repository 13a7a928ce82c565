/**
 * The membership directory's operations, bound to one database: users, roles, organizers, the
 * eligible list, the audit log and a user's own sessions. Routes and the CLI call these (the
 * routes get them in their context and never see `db`); each is a plain function of its own
 * service module taking `db` first, which tests may call directly.
 */
import type { Db } from '../db/connect.ts';
import {
  adminCreateUser,
  adminDeleteRole,
  adminDeleteUser,
  adminRevokeUserSessions,
  adminSetMembershipFlags,
  adminSetRoles,
  adminUpdateUser,
  findUsers,
  requireUser,
  userSessions,
} from './admin-users.ts';
import { auditEntries } from './audit-log.ts';
import { importEligibleEmails, isEligible, previewImport } from './eligibility.ts';
import { addEligibleEmail, listEligibleEmails, removeEligibleBatch, removeEligibleEmail } from './eligible-list.ts';
import { grantRole, renewMemberships, revokeRole } from './memberships.ts';
import {
  addOrganizerMember,
  changeOrganizerMemberRole,
  createOrganizer,
  findOrganizerOrNull,
  organizerMembers,
  organizersPage,
  removeOrganizerMember,
  renameOrganizerAs,
  requireOrganizer,
} from './organizers.ts';
import { allRoles, createRole } from './roles.ts';
import { createEligibilityRule, eligibilityRules, removeEligibilityRule } from './eligibility-rules.ts';
import { liveSessionsOf, revokeOwnSessionOrFail } from './session-views.ts';
import { publicUser } from './users.ts';

/** The operations by group, each still taking `db` first. */
const OPERATIONS = {
  users: {
    find: findUsers,
    get: requireUser,
    create: adminCreateUser,
    update: adminUpdateUser,
    remove: adminDeleteUser,
    sessions: userSessions,
    revokeSessions: adminRevokeUserSessions,
    grantRole,
    revokeRole,
    setRoles: adminSetRoles,
    setMembershipFlags: adminSetMembershipFlags,
    publicView: publicUser,
  },
  roles: { all: allRoles, create: createRole, remove: adminDeleteRole },
  memberships: { renew: renewMemberships },
  organizers: {
    page: organizersPage,
    create: createOrganizer,
    find: findOrganizerOrNull,
    get: requireOrganizer,
    rename: renameOrganizerAs,
    members: organizerMembers,
    addMember: addOrganizerMember,
    changeMemberRole: changeOrganizerMemberRole,
    removeMember: removeOrganizerMember,
  },
  eligible: {
    add: addEligibleEmail,
    list: listEligibleEmails,
    remove: removeEligibleEmail,
    removeBatch: removeEligibleBatch,
    importMany: importEligibleEmails,
    preview: previewImport,
    includes: isEligible,
  },
  eligibilityRules: { create: createEligibilityRule, list: eligibilityRules, remove: removeEligibilityRule },
  audit: { entries: auditEntries },
  ownSessions: { list: liveSessionsOf, revoke: revokeOwnSessionOrFail },
} as const;

/** A service function with its database bound. */
type Bound<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => R : never;

export type Directory = { readonly [G in keyof typeof OPERATIONS]: { readonly [K in keyof (typeof OPERATIONS)[G]]: Bound<(typeof OPERATIONS)[G][K]> } };

type AnyOperation = (db: Db, ...args: never[]) => unknown;

export function createDirectory(db: Db): Directory {
  const groups = Object.entries(OPERATIONS).map(([group, operations]) => [
    group,
    Object.fromEntries(
      Object.entries(operations as Record<string, AnyOperation>).map(([name, operation]) => [name, (...args: never[]) => operation(db, ...args)]),
    ),
  ]);
  // The mapped type above is what this builds: each operation with `db` bound.
  return Object.fromEntries(groups) as Directory;
}
