import test, { type ExecutionContext } from 'ava';
import { createPost, signUp } from '../support/builders.js';
import { Api } from '../support/http.js';
import { startInProcessTarget } from '../support/apiTarget.js';
import { holdRateLimitClock } from '../support/rateLimitClock.js';

/** Commenting and deleting comments spend the same per-user write budget as posts and likes. */

async function serverWith(t: ExecutionContext, writesPerUserPerMinute: number): Promise<Api> {
  const target = await startInProcessTarget(
    {},
    { rateLimits: { writesPerUserPerMinute, limitLoopback: true } },
  );
  t.teardown(() => target.close());
  holdRateLimitClock(target.plaza);
  return new Api(target.baseUrl);
}

test('comments past the per-user write rate get RAT_01 and leave nothing; reads go on', async (t) => {
  const api = await serverWith(t, 4);
  const author = await signUp(api);
  const postId = await createPost(api, author.token);
  const ann = await signUp(api);
  const comment = (text: string) =>
    api.post('/post/comment', { post_id: postId, text }, { token: ann.token });

  const first = await comment('one');
  const commentId = (first.body['data'] as { comment_id: number }).comment_id;
  await comment('two');
  await api.post('/post/like', { post_id: postId }, { token: ann.token });
  t.is(
    (await api.post('/comment/delete', { comment_id: commentId }, { token: ann.token })).status,
    200,
  );

  const refused = await comment('three');
  t.is(refused.status, 429);
  t.deepEqual(refused.body, { code: 'RAT_01', message: 'Too many requests, slow down.' });
  t.true(Number(refused.headers.get('retry-after')) >= 1);
  const refusedDelete = await api.post(
    '/comment/delete',
    { comment_id: commentId + 1 },
    { token: ann.token },
  );
  t.is(refusedDelete.status, 429);

  const listed = await api.get('/post/comments', { post_id: postId }, { token: ann.token });
  t.is(listed.status, 200, 'reads are not limited');
  t.deepEqual(
    (listed.body['data'] as { comments: Array<{ text: string }> }).comments.map((c) => c.text),
    ['two'],
  );
  t.is(
    (await api.post('/post/comment', { post_id: postId, text: 'mine' }, { token: author.token }))
      .status,
    200,
    'another user has a budget of their own',
  );
});
