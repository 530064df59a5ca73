import type { Knex } from 'knex';
import { dialectOf } from '../adapters/db/createKnex.js';
import type { PlazaEvents } from '../events/PlazaEvents.js';
import type { InboxWriter } from '../inbox/InboxWriter.js';

/**
 * Keeps an enrichment outcome in the user's inbox inside `trx`, unless the user is gone;
 * answers the event to publish once it committed (undefined: nobody to tell). On PostgreSQL
 * the user's row is share-locked first, so an account deletion under way either finished
 * (the user is not found) or waits for this and then erases the entry with the others.
 *
 * @example const failed = await keepEnrichmentOutcome(trx, inbox, { type: 'enrichment.failed', user_id, reason })
 */
export async function keepEnrichmentOutcome<K extends 'enrichment.completed' | 'enrichment.failed'>(
  trx: Knex,
  inbox: InboxWriter,
  event: { readonly type: K } & PlazaEvents[K],
  /** The caller has locked the user's row already (or, on SQLite, read it in `trx`). */
  userChecked = false,
): Promise<PlazaEvents[K] | undefined> {
  if (!userChecked) {
    const lookup = trx('users').select('id').where('id', event.user_id);
    const postgres = dialectOf(trx) === 'postgres';
    const found: unknown = await (postgres ? lookup.forKeyShare() : lookup).first();
    if (found === undefined) return undefined;
  }
  const place = await inbox.keep(trx, event.user_id, undefined, event as never);
  const { type: _type, ...payload } = event;
  return { ...payload, inbox_id: place.id, inbox_after: place.after } as unknown as PlazaEvents[K];
}
