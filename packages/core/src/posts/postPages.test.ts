/**
 * A page of posts costs one statement whatever its length, signed in or not: the authors come
 * by a join, the like and comment counts are kept on the post, and `liked_by_me` is a lookup
 * of the likes primary key inside the same statement. Counted with knex's `query` event.
 */
import test from 'ava';
import type { Knex } from 'knex';
import {
  aPost,
  databaseUrlIn,
  openDatabase,
  signedUpUser,
  temporaryDirectory,
  testPlaza,
} from '@plaza/testkit';
import { WriteBatcher } from '../adapters/db/WriteBatcher.js';
import { InProcessEventBus } from '../events/InProcessEventBus.js';
import { InboxWriter } from '../inbox/InboxWriter.js';
import { dialectOf } from '../adapters/db/createKnex.js';
import { Post } from './Post.js';
import { PostService } from './PostService.js';

interface Counted {
  readonly service: PostService;
  /** How many statements `work` sent. */
  readonly count: (work: () => Promise<unknown>) => Promise<number>;
}

/** A PostService on a connection of the test's own, whose statements are counted. */
function counted(db: Knex): Counted {
  const service = new PostService({
    Post: Post.bindKnex(db),
    inbox: new InboxWriter(dialectOf(db)),
    db,
    writes: new WriteBatcher(db),
    events: new InProcessEventBus(),
  });
  let queries = 0;
  db.on('query', () => {
    queries += 1;
  });
  return {
    service,
    async count(work) {
      const before = queries;
      await work();
      return queries - before;
    },
  };
}

test('read, list and feed cost one statement for 1 post or 100, anonymous or signed in', async (t) => {
  const url = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await testPlaza(t, { databaseUrl: url });
  const author = await signedUpUser(plaza);
  const fan = await signedUpUser(plaza);
  const ids: number[] = [];
  for (let i = 0; i < 100; i += 1) {
    ids.push((await plaza.posts.create(author.id, aPost({ title: `#${i}` }))).post_id);
  }
  for (const postId of ids.filter((_, i) => i % 3 === 0)) {
    await plaza.likes.like(fan.id, { post_id: postId });
  }
  const db = openDatabase(url, { poolSize: 2 });
  t.teardown(() => db.destroy());
  // The author's own posts are in their feed.
  await db('follows').insert({
    follower_id: fan.id,
    followee_id: author.id,
    created_at: new Date().toISOString(),
  });
  const { service, count } = counted(db);

  const figures: Record<string, number> = {};
  for (const limit of [1, 100]) {
    figures[`list ${limit} anonymous`] = await count(() =>
      service.list({ author_id: author.id, limit }),
    );
    figures[`list ${limit} signed in`] = await count(() =>
      service.list({ author_id: author.id, limit }, fan.id),
    );
    figures[`feed ${limit}`] = await count(() => service.feed(fan.id, { limit }));
  }
  figures['read anonymous'] = await count(() => service.read({ post_id: ids[0] ?? 0 }));
  figures['read signed in'] = await count(() => service.read({ post_id: ids[0] ?? 0 }, fan.id));
  t.log(figures);
  t.true(
    Object.values(figures).every((queries) => queries === 1),
    JSON.stringify(figures),
  );

  // And the pages are the full ones, with what each post says about the reader.
  const page = await service.feed(fan.id, { limit: 100 });
  t.is(page.posts.length, 100);
  t.deepEqual(
    page.posts.filter((post) => post.liked_by_me === true).map((post) => post.post_id),
    ids.filter((_, i) => i % 3 === 0).reverse(),
  );
  t.true(page.posts.every((post) => post.author.user_id === author.id));
  t.true(page.posts.every((post) => post.likes === (post.liked_by_me === true ? 1 : 0)));
});
