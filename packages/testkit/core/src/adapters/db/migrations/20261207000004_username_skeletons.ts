import type { Knex } from 'knex';
import unhomoglyph from 'unhomoglyph';

// Frozen here as the migration ran: users/usernameSkeleton.ts is the living definition.
const skeletonOf = (username: string): string =>
  unhomoglyph(username.normalize('NFKC').toLowerCase().normalize('NFD'))
    .normalize('NFD')
    .toLowerCase();

const BATCH = 500;

export async function up(knex: Knex): Promise<void> {
  // What a username looks like (Unicode's confusable skeleton), unique so that "аdmin" in
  // Cyrillic cannot sit beside "admin". Null only for look-alikes that existed before this
  // migration: the oldest of them keeps the skeleton (and so still guards the name), the later
  // ones keep their accounts and logins, and the migration never fails on them.
  await knex.schema.alterTable('users', (table) => {
    table.text('username_skeleton');
  });
  const seen = new Set<string>();
  let after = 0;
  for (;;) {
    const rows = await knex('users')
      .select<Array<{ id: number | string; username: string }>>('id', 'username')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH);
    const last = rows.at(-1);
    if (last === undefined) break;
    const updates: Array<[number | string, string]> = [];
    for (const row of rows) {
      const skeleton = skeletonOf(row.username);
      if (seen.has(skeleton)) continue;
      seen.add(skeleton);
      updates.push([row.id, skeleton]);
    }
    if (updates.length > 0) {
      const cases = updates.map(() => 'when ? then ?').join(' ');
      await knex.raw(
        `update users set username_skeleton = case id ${cases} end where id in (${updates
          .map(() => '?')
          .join(', ')})`,
        [...updates.flat(), ...updates.map(([id]) => id)],
      );
    }
    after = Number(last.id);
  }
  await knex.schema.alterTable('users', (table) => {
    table.unique(['username_skeleton']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.dropUnique(['username_skeleton']);
    table.dropColumn('username_skeleton');
  });
}
