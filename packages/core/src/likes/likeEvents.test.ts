import test from 'ava';
import type { PostLikeChange } from '../events/PlazaEvents.js';
import { aPost, recordEvents, signedUpUser, sleep, testPlaza, waitUntil } from '@plaza/testkit';

test('a like and an unlike that change something are announced to the author, with the count', async (t) => {
  const plaza = await testPlaza(t);
  const author = await signedUpUser(plaza);
  const fan = await signedUpUser(plaza);
  const { post_id } = await plaza.posts.create(author.id, aPost());
  const liked = recordEvents(plaza, 'post.liked');
  const unliked = recordEvents(plaza, 'post.unliked');

  await plaza.likes.like(fan.id, { post_id });
  await plaza.likes.like(fan.id, { post_id }); // a repeat changes nothing
  await waitUntil('the like announced', () => liked.events.length > 0);
  await plaza.likes.unlike(fan.id, { post_id });
  await plaza.likes.unlike(fan.id, { post_id });
  await waitUntil('the unlike announced', () => unliked.events.length > 0);
  await sleep(50);

  const change = { post_id, author_id: author.id, by_user_id: fan.id };
  // Each kept in the author's inbox, the unlike right after the like.
  const likedId = liked.events[0]?.inbox_id;
  t.deepEqual(liked.events, [{ ...change, likes: 1, inbox_id: likedId, inbox_after: 0 }]);
  t.deepEqual(unliked.events, [
    { ...change, likes: 0, inbox_id: unliked.events[0]?.inbox_id, inbox_after: likedId },
  ]);
  t.true((unliked.events[0]?.inbox_id ?? 0) > (likedId ?? 0));
});

test('a burst of likes is announced once per like, and the last count is the final one', async (t) => {
  const plaza = await testPlaza(t);
  const author = await signedUpUser(plaza);
  const fans = [];
  for (let i = 0; i < 20; i += 1) fans.push(await signedUpUser(plaza));
  const { post_id } = await plaza.posts.create(author.id, aPost());
  const liked = recordEvents(plaza, 'post.liked');

  await Promise.all(fans.map((fan) => plaza.likes.like(fan.id, { post_id })));
  await waitUntil('every like announced', () => liked.events.length >= fans.length);
  await sleep(50);

  t.is(liked.events.length, fans.length);
  const ascending = (ids: number[]) => ids.sort((a, b) => a - b);
  t.deepEqual(
    ascending(liked.events.map((event: PostLikeChange) => event.by_user_id)),
    ascending(fans.map((fan) => fan.id)),
  );
  t.true(liked.events.every((event) => event.author_id === author.id));
  t.is(liked.events.at(-1)?.likes, fans.length);
});

test('closing the instance publishes the changes already committed first', async (t) => {
  const plaza = await testPlaza(t);
  const author = await signedUpUser(plaza);
  const fan = await signedUpUser(plaza);
  const { post_id } = await plaza.posts.create(author.id, aPost());
  const liked = recordEvents(plaza, 'post.liked');
  await plaza.likes.like(fan.id, { post_id });
  await plaza.close();
  t.is(liked.events.length, 1);
});

test('a new post is announced with its author', async (t) => {
  const plaza = await testPlaza(t);
  const author = await signedUpUser(plaza);
  const created = recordEvents(plaza, 'post.created');
  const { post_id } = await plaza.posts.create(author.id, aPost());
  t.deepEqual(created.events, [{ post_id, author_id: author.id }]);
});
