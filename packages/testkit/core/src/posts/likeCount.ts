import type { Knex } from 'knex';

/**
 * The `likes` column of a query on `posts`: how many likes each post has.
 *
 * @example db('posts').select('id', likeCount(db))
 */
export function likeCount(db: Knex): Knex.QueryBuilder {
  return db('likes').count('*').where('likes.post_id', db.ref('posts.id')).as('likes');
}
