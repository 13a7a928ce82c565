/** `keys list|rotate|retire`: the asymmetric signing keys (JWT_ALGORITHM EdDSA or ES256). */
import type { Command } from 'commander';
import { listSigningKeys, retireSigningKey, rotateSigningKey, safeToRetireAt } from '../../services/key-rotation.ts';
import { withDatabase } from '../context.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('rotate and retire the signing keys of EdDSA/ES256 access tokens');
  keys
    .command('list')
    .description('every key, newest first: kid, algorithm, created, retired')
    .action(async () => {
      await withDatabase(async ({ db }) => {
        for (const key of await listSigningKeys(db)) {
          console.log(`${key.kid}\t${key.alg}\t${key.created_at.toISOString()}\t${key.retired_at === null ? 'live' : `retired ${key.retired_at.toISOString()}`}`);
        }
      });
    });
  keys
    .command('rotate')
    .description('add a new signing key; instances sign with it from their next key reload, old keys keep verifying')
    .action(async () => {
      await withDatabase(async ({ db, config }) => {
        const kid = await rotateSigningKey(db, config);
        const newest = (await listSigningKeys(db)).find((key) => key.kid === kid);
        console.log(`Added signing key ${kid}. Every instance signs with it within ${config.operations.signingKeyReloadSeconds} s.`);
        if (newest !== undefined) console.log(`Older keys can be retired after ${safeToRetireAt(newest, config).toISOString()}: gatehouse keys retire <kid>`);
      });
    });
  keys
    .command('retire')
    .argument('<kid>')
    .option('--force', 'retire even though tokens it signed may still be valid (their holders refresh once)')
    .description('stop accepting tokens signed with this key and remove it from the JWKS')
    .action(async (kid: string, options: { force?: boolean }) => {
      await withDatabase(async ({ db, config }) => {
        await retireSigningKey(db, config, kid, { force: options.force === true });
        console.log(`Retired signing key ${kid}. Instances stop accepting it within ${config.operations.signingKeyReloadSeconds} s.`);
      });
    });
}
