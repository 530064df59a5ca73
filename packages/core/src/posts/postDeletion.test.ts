import test from 'ava';
import {
  aPost,
  databaseUrlIn,
  openDatabase,
  recordEvents,
  signedUpUser,
  temporaryDirectory,
  testPlaza,
  waitUntil,
} from '@plaza/testkit';
import { LIKERS_PER_EVENT } from './PostService.js';

test('deleting a post deletes its likes and comments with it, and nothing of other posts', async (t) => {
  const url = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await testPlaza(t, { databaseUrl: url });
  const author = await signedUpUser(plaza);
  const fan = await signedUpUser(plaza);
  const { post_id: doomed } = await plaza.posts.create(author.id, aPost());
  const { post_id: kept } = await plaza.posts.create(author.id, aPost());
  const db = openDatabase(url);
  t.teardown(() => db.destroy());
  for (const postId of [doomed, kept]) {
    await plaza.likes.like(fan.id, { post_id: postId });
    await plaza.likes.like(author.id, { post_id: postId });
    // Comments come by their own routes; here they are rows.
    await db('comments').insert({
      post_id: postId,
      author_id: fan.id,
      text: 'Nice',
      created_at: new Date().toISOString(),
    });
  }
  await plaza.posts.delete(author.id, { post_id: doomed });
  const countOf = async (table: string, postId: number): Promise<number> =>
    Number((await db(table).where('post_id', postId).count({ n: '*' }))[0]?.['n']);
  t.deepEqual([await countOf('likes', doomed), await countOf('comments', doomed)], [0, 0]);
  t.is((await db('posts').where('id', doomed)).length, 0);
  t.deepEqual([await countOf('likes', kept), await countOf('comments', kept)], [2, 1]);
  t.like(await plaza.posts.read({ post_id: kept }), { likes: 2 });
});

test('the kept like count equals the likes after a storm of likes and unlikes by many users', async (t) => {
  const url = databaseUrlIn(await temporaryDirectory(t));
  const plaza = await testPlaza(t, { databaseUrl: url });
  const author = await signedUpUser(plaza);
  const fans = await Promise.all(Array.from({ length: 50 }, () => signedUpUser(plaza)));
  const { post_id } = await plaza.posts.create(author.id, aPost());
  await Promise.all(
    fans.flatMap((fan, i) => [
      plaza.likes.like(fan.id, { post_id }),
      ...(i % 2 === 0 ? [plaza.likes.unlike(fan.id, { post_id })] : []),
      plaza.likes.like(fan.id, { post_id }),
      ...(i % 5 === 0 ? [plaza.likes.unlike(fan.id, { post_id })] : []),
    ]),
  );
  const db = openDatabase(url);
  t.teardown(() => db.destroy());
  const rows = Number((await db('likes').where({ post_id }).count({ n: '*' }))[0]?.['n']);
  const [post] = await db('posts')
    .select<Array<{ likes_count: number | string }>>('likes_count')
    .where('id', post_id);
  t.is(Number(post?.likes_count), rows);
  t.is((await plaza.posts.read({ post_id })).likes, rows);
});

test('post.edited and post.deleted reach the likers, a few hundred ids per event', async (t) => {
  const plaza = await testPlaza(t);
  const author = await signedUpUser(plaza);
  const fans = [];
  for (let i = 0; i < LIKERS_PER_EVENT + 10; i += 1) fans.push(await signedUpUser(plaza));
  const { post_id } = await plaza.posts.create(author.id, aPost());
  const { post_id: unliked } = await plaza.posts.create(author.id, aPost());
  for (const fan of fans) await plaza.likes.like(fan.id, { post_id });
  const edited = recordEvents(plaza, 'post.edited');
  const deleted = recordEvents(plaza, 'post.deleted');

  const view = await plaza.posts.edit(author.id, { post_id, title: 'Changed' });
  await plaza.posts.delete(author.id, { post_id });
  await plaza.posts.delete(author.id, { post_id: unliked });
  await waitUntil('the events', () => deleted.events.length >= 3);

  const everyFan = fans.map((fan) => fan.id).sort((a, b) => a - b);
  const idsOf = (events: ReadonlyArray<{ liker_ids: readonly number[] }>) =>
    events.flatMap((event) => event.liker_ids).sort((a, b) => a - b);
  t.deepEqual(
    edited.events.map((event) => event.liker_ids.length),
    [LIKERS_PER_EVENT, 10],
  );
  t.true(edited.events.every((event) => event.post_id === post_id && event.edited === view.edited));
  t.deepEqual(idsOf(edited.events), everyFan);
  const ofPost = deleted.events.filter((event) => event.post_id === post_id);
  t.deepEqual(idsOf(ofPost), everyFan);
  t.true(ofPost.every((event) => event.author_id === author.id));
  // A post nobody liked is still announced, to nobody in particular.
  t.deepEqual(
    deleted.events.filter((event) => event.post_id === unliked),
    [{ post_id: unliked, author_id: author.id, liker_ids: [], inbox_ids: [], inbox_afters: [] }],
  );
});
