import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { PlazaApiError, type Comment } from '@plaza/client-sdk';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import { clientOf, signedUpClient, type SignedUpClient } from './support/clients.js';
import { nextEvent, recordEvents, withoutId } from './support/liveEvents.js';

/** client.comments against a real server: create, list, iterate, delete, and the live event. */

interface Context {
  readonly target: InProcessTarget;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  t.context = { target: await startInProcessTarget() };
});

test.after.always(async (t) => {
  await t.context.target.close();
});

const user = (t: ExecutionContext<Context>): Promise<SignedUpClient> =>
  signedUpClient(t, t.context.target.baseUrl);

const aPostOf = async ({ client }: SignedUpClient): Promise<number> =>
  (await client.posts.create({ title: 'A post', text: 'to comment on' })).post_id;

const collect = async (comments: AsyncIterable<Comment>): Promise<Comment[]> => {
  const all: Comment[] = [];
  for await (const comment of comments) all.push(comment);
  return all;
};

test('create, then list: the comment with its author', async (t) => {
  const author = await user(t);
  const reader = await signedUpClient(t, t.context.target.baseUrl, { first_name: 'Grace' });
  const postId = await aPostOf(author);
  const created = await reader.client.comments.create(postId, 'First!\nTwo lines, 🎉');
  t.deepEqual(Object.keys(created), ['comment_id']);

  const anonymous = clientOf(t, t.context.target.baseUrl);
  const page = await anonymous.comments.list(postId);
  t.is(page.next, null);
  t.deepEqual(page.comments, [
    {
      comment_id: created.comment_id,
      post_id: postId,
      author: {
        user_id: reader.session.user_id,
        username: reader.input.username,
        first_name: 'Grace',
        last_name: null,
        avatar: null,
      },
      text: 'First!\nTwo lines, 🎉',
      created: page.comments[0]?.created ?? '',
    },
  ]);
  t.false(Number.isNaN(Date.parse(page.comments[0]?.created ?? '')));
});

test('list pages oldest first; iterate walks every page from `after` on', async (t) => {
  const author = await user(t);
  const postId = await aPostOf(author);
  const ids: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    ids.push((await author.client.comments.create(postId, `comment ${i}`)).comment_id);
  }
  const first = await author.client.comments.list(postId, { limit: 2 });
  t.deepEqual(
    first.comments.map((c) => c.comment_id),
    ids.slice(0, 2),
  );
  t.is(first.next, ids[1] ?? null);
  const second = await author.client.comments.list(postId, { limit: 2, after: first.next ?? 0 });
  t.deepEqual(
    second.comments.map((c) => c.comment_id),
    ids.slice(2, 4),
  );

  const all = await collect(author.client.comments.iterate(postId, { limit: 2 }));
  t.deepEqual(
    all.map((c) => c.text),
    ids.map((_, i) => `comment ${i}`),
  );
  const rest = await collect(author.client.comments.iterate(postId, { after: ids[2] ?? 0 }));
  t.deepEqual(
    rest.map((c) => c.comment_id),
    ids.slice(3),
  );
  t.deepEqual(await collect(author.client.comments.iterate(await aPostOf(author))), []);
});

test('delete: by the comment’s author or the post’s author; others USR_02; gone USR_01', async (t) => {
  const [author, commenter, stranger] = await Promise.all([user(t), user(t), user(t)]);
  const postId = await aPostOf(author);
  const one = (await commenter.client.comments.create(postId, 'one')).comment_id;
  const two = (await commenter.client.comments.create(postId, 'two')).comment_id;

  const refused = await t.throwsAsync(stranger.client.comments.delete(one), {
    instanceOf: PlazaApiError,
  });
  t.is(refused.code, 'USR_02');
  t.is(refused.field, 'comment_id');

  await commenter.client.comments.delete(one);
  await author.client.comments.delete(two);
  t.deepEqual((await author.client.comments.list(postId)).comments, []);

  const gone = await t.throwsAsync(commenter.client.comments.delete(one), {
    instanceOf: PlazaApiError,
  });
  t.is(gone.code, 'USR_01');
  t.is(gone.status, 404);
});

test('errors: a missing post is USR_01, a too long text USR_02, no token AUT_01', async (t) => {
  const author = await user(t);
  const postId = await aPostOf(author);
  const missing = await t.throwsAsync(author.client.comments.create(987_654_321, 'hello'), {
    instanceOf: PlazaApiError,
  });
  t.is(missing.code, 'USR_01');
  const listMissing = await t.throwsAsync(author.client.comments.list(987_654_321), {
    instanceOf: PlazaApiError,
  });
  t.is(listMissing.code, 'USR_01');
  const tooLong = await t.throwsAsync(author.client.comments.create(postId, 'é'.repeat(5001)), {
    instanceOf: PlazaApiError,
  });
  t.is(tooLong.code, 'USR_02');
  t.is(tooLong.field, 'text');
  const anonymous = clientOf(t, t.context.target.baseUrl);
  const noToken = await t.throwsAsync(anonymous.comments.create(postId, 'hi'), {
    instanceOf: PlazaApiError,
  });
  t.is(noToken.code, 'AUT_01');
});

test('comment.created reaches the post’s author, not the commenter, nor for their own comment', async (t) => {
  const [author, commenter] = await Promise.all([user(t), user(t)]);
  const postId = await aPostOf(author);
  await Promise.all([author.client.events.connect(), commenter.client.events.connect()]);
  const heardByCommenter = recordEvents(commenter.client.events, 'comment.created');
  const heardByAuthor = recordEvents(author.client.events, 'comment.created');

  // Their own comment is not announced; the commenter's that follows is, and arrives after it.
  await author.client.comments.create(postId, 'my own');
  const announced = nextEvent(author.client.events, 'comment.created');
  const { comment_id: commentId } = await commenter.client.comments.create(postId, 'Well said');
  const event = await announced;
  t.deepEqual(withoutId(event), {
    comment_id: commentId,
    post_id: postId,
    by_user_id: commenter.session.user_id,
    comments: 2,
    excerpt: 'Well said',
  });
  t.deepEqual(heardByAuthor, [event]);

  // A comment on the commenter's own post by the author reaches the commenter only.
  const commentersPost = await aPostOf(commenter);
  const commenterHears = nextEvent(commenter.client.events, 'comment.created');
  await author.client.comments.create(commentersPost, 'Back at you');
  await commenterHears;
  t.deepEqual(
    heardByCommenter.map((e) => e.post_id),
    [commentersPost],
  );
  t.is(heardByAuthor.length, 1);
});
