import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { Api } from '../support/http.js';
import { startInProcessTarget, type InProcessTarget } from '../support/apiTarget.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  type WatchClient,
  withoutId,
} from '../support/watchSocket.js';

/** `comment.created` over `/user-watch`: who hears it, and what the frame holds. */

interface Context {
  readonly target: InProcessTarget;
  readonly api: Api;
  readonly clients: WatchClient[];
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const target = await startInProcessTarget();
  t.context = { target, api: new Api(target.baseUrl), clients: [] };
});

test.after.always(async (t) => {
  for (const client of t.context.clients) client.socket.terminate();
  await t.context.target.close();
});

const openAs = async (t: { context: Context }, user: SignedUpUser): Promise<WatchClient> => {
  const client = await openAuthenticatedJson(t.context.target.baseUrl, user.token, user.userId);
  t.context.clients.push(client);
  return client;
};

async function comment(api: Api, user: SignedUpUser, postId: number, text: string) {
  const response = await api.post(
    '/post/comment',
    { post_id: postId, text },
    { token: user.token },
  );
  if (response.status !== 200) throw new Error(`comment failed: ${response.text}`);
  return (response.body['data'] as { comment_id: number }).comment_id;
}

test('a comment reaches the post’s author only, with the count after it', async (t) => {
  const { api } = t.context;
  const [author, commenter, bystander] = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  const authors = await openAs(t, author);
  const authorsText = await openAuthenticated(
    t.context.target.baseUrl,
    author.token,
    author.userId,
  );
  t.context.clients.push(authorsText);
  const commenters = await openAs(t, commenter);
  const bystanders = await openAs(t, bystander);

  // The author's own comment is not announced: the first frame is the commenter's.
  await comment(api, author, postId, 'Thanks for reading');
  const commentId = await comment(api, commenter, postId, 'Great post');
  t.deepEqual(withoutId(await authors.nextJson()), {
    type: 'comment.created',
    comment_id: commentId,
    post_id: postId,
    by_user_id: commenter.userId,
    comments: 2,
    excerpt: 'Great post',
  });

  await t.notThrowsAsync(commenters.expectNoMessage(), 'the commenter hears nothing');
  await t.notThrowsAsync(bystanders.expectNoMessage(0), 'nor does anyone else');
  await t.notThrowsAsync(authorsText.expectNoMessage(0), 'nor the text protocol');
  await t.notThrowsAsync(authors.expectNoMessage(0), 'one comment, one frame');
});

test('a long comment comes as an excerpt of whole characters, at most 100', async (t) => {
  const { api } = t.context;
  const [author, commenter] = await Promise.all([signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  const authors = await openAs(t, author);

  // 98 letters, then an emoji sequence of 3 code points (👩 ZWJ 💻) that would straddle the cut.
  const text = `${'x'.repeat(98)}👩‍💻${' and more'.repeat(500)}`;
  const commentId = await comment(api, commenter, postId, text);
  const frame = (await authors.nextJson()) as Record<string, unknown>;
  t.like(frame, { type: 'comment.created', comment_id: commentId, comments: 1 });
  t.is(frame['excerpt'], `${'x'.repeat(98)}…`);

  const exactly100 = '🙂'.repeat(100);
  await comment(api, commenter, postId, exactly100);
  t.like(await authors.nextJson(), { excerpt: exactly100, comments: 2 });
});
