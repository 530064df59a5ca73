import anyTest, { type TestFn } from 'ava';
import { createComment, createPost, signUp } from '../support/builders.js';
import {
  useWatchTarget,
  openWatchAs,
  type WatchContext,
  withoutId,
} from '../support/watchSocket.js';

/** `comment.created` over `/user-watch`: who hears it, and what the frame holds. */

const test = anyTest as TestFn<WatchContext>;
useWatchTarget(test);

test('a comment reaches the post’s author only, with the count after it', async (t) => {
  const { api } = t.context;
  const [author, commenter, bystander] = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const postId = await createPost(api, author.token);
  const authors = await openWatchAs(t, author, 'json');
  const authorsText = await openWatchAs(t, author, 'text');
  const commenters = await openWatchAs(t, commenter, 'json');
  const bystanders = await openWatchAs(t, bystander, 'json');

  // The author's own comment is not announced: the first frame is the commenter's.
  await createComment(api, author.token, postId, 'Thanks for reading');
  const commentId = await createComment(api, commenter.token, postId, 'Great post');
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
  const authors = await openWatchAs(t, author, 'json');

  // 98 letters, then an emoji sequence of 3 code points (👩 ZWJ 💻) that would straddle the cut.
  const text = `${'x'.repeat(98)}👩‍💻${' and more'.repeat(500)}`;
  const commentId = await createComment(api, commenter.token, postId, text);
  const frame = (await authors.nextJson()) as Record<string, unknown>;
  t.like(frame, { type: 'comment.created', comment_id: commentId, comments: 1 });
  t.is(frame['excerpt'], `${'x'.repeat(98)}…`);

  const exactly100 = '🙂'.repeat(100);
  await createComment(api, commenter.token, postId, exactly100);
  t.like(await authors.nextJson(), { excerpt: exactly100, comments: 2 });
});
