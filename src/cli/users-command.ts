/**
 * `tradestore users create --email E --role R [--time-zone Z]`: a user for headless setups. The password comes
 * from stdin when it is piped (`echo "$PW" | tradestore users create …`), otherwise a random one is
 * generated and printed once; it is never written anywhere else. The services load only when the
 * command runs.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { UsageError, withStore } from './context.ts';
import { printJson } from './output.ts';

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of process.stdin) parts.push(chunk as Buffer);
  return Buffer.concat(parts)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('login accounts');
  users
    .command('create')
    .description('create a user; password from stdin, or a generated one printed once')
    .requiredOption('--email <email>', 'login email')
    .option('--role <role>', 'admin, trader or viewer', 'viewer')
    .option('--time-zone <zone>', 'IANA zone the dashboard shows times in', 'UTC')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; role: string; timeZone: string; json?: boolean }, cmd: Command) => {
      const { USER_ROLES } = await import('../entities/identity-tables.ts');
      if (!(USER_ROLES as readonly string[]).includes(opts.role))
        throw new UsageError(`--role ${opts.role}: accepted: ${USER_ROLES.join(', ')}`);
      const { canonicalZone } = await import('../input/fields.ts');
      const timeZone = canonicalZone(opts.timeZone);
      if (timeZone === null)
        throw new UsageError(
          `--time-zone "${opts.timeZone}" is not an IANA time zone (e.g. UTC, Europe/Paris)`,
        );
      const piped = !process.stdin.isTTY;
      const given = piped ? await readStdin() : '';
      const password = given !== '' ? given : randomBytes(18).toString('base64url');
      const { createUser } = await import('../accounts/users.ts');
      const user = await withStore(cmd, (store) =>
        createUser(store, {
          email: opts.email,
          password,
          role: opts.role as (typeof USER_ROLES)[number],
          timeZone,
        }),
      );
      const generated = given === '' ? password : undefined;
      if (opts.json)
        printJson({
          id: user.id,
          email: user.email,
          role: user.role,
          time_zone: user.timeZone,
          ...(generated ? { password: generated } : {}),
        });
      else {
        process.stdout.write(`created user ${user.id} ${user.email} (${user.role})\n`);
        if (generated) process.stdout.write(`password (shown once): ${generated}\n`);
      }
    });
}
