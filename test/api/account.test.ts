import anyTest, { type TestFn } from 'ava';
import { createPost, signUp, signUpFields, type SignedUpUser } from '../support/builders.js';
import { useApiTarget, type ApiContext } from '../support/suite.js';

const test = anyTest as TestFn<ApiContext>;
useApiTarget(test);

interface AccountExportData {
  exported_at: string;
  account: Record<string, unknown>;
  posts: { post_id: number; title: string; text: string; likes: number; comments: number }[];
  comments: { post_id: number; text: string }[];
  likes: { post_id: number }[];
  following: unknown[];
  followers: unknown[];
  sessions: unknown[];
  enrichment_jobs: unknown[];
  notifications: Array<Record<string, unknown>>;
}

const likesOf = async (t: { context: ApiContext }, postId: number): Promise<number> => {
  const read = await t.context.api.get('/post/read', { post_id: postId });
  return (read.body['data'] as { likes: number }).likes;
};

const commentsOf = async (t: { context: ApiContext }, postId: number): Promise<number> => {
  const read = await t.context.api.get('/post/read', { post_id: postId });
  return (read.body['data'] as { comments: number }).comments;
};

const like = async (t: { context: ApiContext }, user: SignedUpUser, postId: number) => {
  const liked = await t.context.api.post('/post/like', { post_id: postId }, { token: user.token });
  if (liked.status !== 200) throw new Error(`like failed: ${liked.text}`);
};

test('the export holds the account, with email, and what it wrote and liked; never a secret', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api, { first_name: 'Ada', city: 'London' });
  const bob = await signUp(api);
  const adaPost = await createPost(api, ada.token, { title: 'Mine', text: 'My own words' });
  const bobPost = await createPost(api, bob.token);
  await like(t, ada, bobPost);
  await like(t, bob, adaPost);
  const commented = await api.post(
    '/post/comment',
    { post_id: bobPost, text: 'Said by Ada' },
    { token: ada.token },
  );
  t.is(commented.status, 200);

  const exported = await api.get('/user/export', {}, { token: ada.token });
  t.is(exported.status, 200);
  t.regex(
    exported.headers.get('content-disposition') ?? '',
    /^attachment; filename="plaza-export-\d+\.json"$/,
  );
  t.regex(exported.headers.get('content-type') ?? '', /^application\/json/);
  const data = exported.body['data'] as AccountExportData;
  t.like(data.account, {
    user_id: ada.userId,
    username: ada.username,
    email: ada.email,
    first_name: 'Ada',
    city: 'London',
  });
  t.deepEqual(
    data.posts.map((post) => [post.post_id, post.title, post.text, post.likes, post.comments]),
    [[adaPost, 'Mine', 'My own words', 1, 0]],
  );
  t.deepEqual(
    data.likes.map((given) => given.post_id),
    [bobPost],
  );
  t.like(data.comments, [{ post_id: bobPost, text: 'Said by Ada' }]);
  // Her inbox: Bob's like of her post.
  t.like(
    data.notifications.filter((entry) => entry['type'] === 'post.liked'),
    [{ type: 'post.liked', read: false, post_id: adaPost, by_user_id: bob.userId, likes: 1 }],
  );
  // Whatever the sessions area adds, no secret goes out.
  const text = exported.text.toLowerCase();
  for (const secret of ['password', 'hash', ada.password.toLowerCase(), ada.token.toLowerCase()]) {
    t.false(text.includes(secret), secret);
  }
  // Only the caller's: nothing of Bob's but the id of the post Ada liked.
  t.false(exported.text.includes(bob.email));
});

test('export and delete need a token; delete needs the password (PAR_01)', async (t) => {
  const { api } = t.context;
  t.like((await api.get('/user/export')).body, { code: 'AUT_01' });
  t.like((await api.post('/user/delete', { password: 'whatever-it-is' })).body, {
    code: 'AUT_01',
  });
  const ada = await signUp(api);
  const missing = await api.post('/user/delete', {}, { token: ada.token });
  t.is(missing.status, 400);
  t.deepEqual(missing.body, { code: 'PAR_01', message: 'Missing HTTP param.', field: 'password' });
});

test('a wrong password is AUT_02 and deletes nothing', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const postId = await createPost(api, ada.token);

  const refused = await api.post(
    '/user/delete',
    { password: `${ada.password}x` },
    { token: ada.token },
  );
  t.is(refused.status, 401);
  t.is(refused.body['code'], 'AUT_02');

  t.is((await api.get('/user/data', {}, { token: ada.token })).status, 200);
  t.is((await api.get('/post/read', { post_id: postId })).status, 200);
  const login = await api.post('/api-token-auth/', {
    username: ada.username,
    password: ada.password,
  });
  t.is(login.status, 200);
});

test('wrong passwords count as failed logins: past the limit, AUT_03 even for the right one', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const answers: string[] = [];
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const refused = await api.post(
      '/user/delete',
      { password: `wrong-${attempt}-${ada.password}` },
      { token: ada.token },
    );
    answers.push(String(refused.body['code']));
  }
  t.deepEqual(answers, ['AUT_02', 'AUT_02', 'AUT_02', 'AUT_02', 'AUT_02', 'AUT_03']);
  const locked = await api.post('/user/delete', { password: ada.password }, { token: ada.token });
  t.is(locked.status, 429);
  t.is(locked.body['code'], 'AUT_03');
  t.truthy(locked.headers.get('retry-after'));
  // The same lock as the login form's: the account is still there.
  const login = await api.post('/api-token-auth/', {
    username: ada.username,
    password: ada.password,
  });
  t.is(login.body['code'], 'AUT_03');
  t.is((await api.get('/user/data', {}, { token: ada.token })).status, 200);
});

test('deleting an account: its tokens die, its posts go, its likes leave the counts, its name is free', async (t) => {
  const { api } = t.context;
  const fields = signUpFields();
  const leaving = await signUp(api, fields);
  const other = await signUp(api);
  const leavingPost = await createPost(api, leaving.token);
  const otherPost = await createPost(api, other.token);
  await like(t, leaving, otherPost);
  await like(t, other, leavingPost);
  t.is(await likesOf(t, otherPost), 1);
  for (const [user, postId] of [
    [leaving, otherPost],
    [other, otherPost],
    [other, leavingPost],
  ] as const) {
    const said = await api.post(
      '/post/comment',
      { post_id: postId, text: `by ${user.username}` },
      { token: user.token },
    );
    t.is(said.status, 200);
  }

  const deleted = await api.post(
    '/user/delete',
    { password: leaving.password },
    { token: leaving.token },
  );
  t.is(deleted.status, 200);
  t.deepEqual(deleted.body, { code: 'OK' });

  // Tokens die at once.
  const own = await api.get('/user/data', {}, { token: leaving.token });
  t.is(own.status, 401);
  t.is(own.body['code'], 'AUT_01');
  const verify = await api.post('/api-token-verify/', { token: leaving.token });
  t.is(verify.body['code'], 'AUT_01');
  t.is(
    (await api.post('/post/data', { title: 'x', text: 'y' }, { token: leaving.token })).status,
    401,
  );
  t.like(
    (await api.post('/user/delete', { password: leaving.password }, { token: leaving.token })).body,
    {
      code: 'AUT_01',
    },
  );
  // Nobody by that name or id.
  t.like(
    (await api.post('/api-token-auth/', { username: leaving.username, password: leaving.password }))
      .body,
    {
      code: 'AUT_02',
    },
  );
  t.like((await api.get('/user/data', { user_id: leaving.userId })).body, { code: 'USR_01' });
  // Their post is gone; their like is gone from the other post and its count.
  t.like((await api.get('/post/read', { post_id: leavingPost })).body, { code: 'USR_01' });
  t.is(await likesOf(t, otherPost), 0);
  const likers = await api.get('/post/likes', { post_id: otherPost });
  t.deepEqual(likers.body['data'], { user_ids: [] });
  // Their comment is gone from the other post and its count; the other's comment stays.
  t.is(await commentsOf(t, otherPost), 1);
  const comments = await api.get('/post/comments', { post_id: otherPost });
  t.deepEqual(
    (comments.body['data'] as { comments: { text: string }[] }).comments.map((c) => c.text),
    [`by ${other.username}`],
  );
  const list = await api.get('/post/list', { author_id: leaving.userId });
  t.deepEqual((list.body['data'] as { posts: unknown[] }).posts, []);

  // The name is free: the same sign-up works again, as a new account.
  const again = await signUp(api, { ...fields, password: `${fields['password']}-2` });
  t.not(again.userId, leaving.userId);
  t.is((await api.get('/user/data', {}, { token: again.token })).status, 200);
  t.is((await api.get('/user/data', {}, { token: leaving.token })).status, 401);
});

test('two deletions at once: one succeeds, the other is AUT_01, and nothing is left half done', async (t) => {
  const { api } = t.context;
  const ada = await signUp(api);
  const bob = await signUp(api);
  const bobPost = await createPost(api, bob.token);
  await like(t, ada, bobPost);
  await createPost(api, ada.token);
  const answers = await Promise.all(
    Array.from({ length: 4 }, () =>
      api.post('/user/delete', { password: ada.password }, { token: ada.token }),
    ),
  );
  const codes = answers.map((answer) => String(answer.body['code'])).sort();
  t.deepEqual(codes, ['AUT_01', 'AUT_01', 'AUT_01', 'OK']);
  t.is(await likesOf(t, bobPost), 0);
});

test('a deletion racing with likes and unlikes, theirs and others’: every count matches its likers after', async (t) => {
  const { api } = t.context;
  const leaving = await signUp(api);
  const others = await Promise.all([signUp(api), signUp(api), signUp(api)]);
  const theirPosts = await Promise.all(others.map((other) => createPost(api, other.token)));
  const leavingPosts = await Promise.all([
    createPost(api, leaving.token),
    createPost(api, leaving.token),
  ]);
  for (const postId of theirPosts) await like(t, leaving, postId);

  const racing = [
    api.post('/user/delete', { password: leaving.password }, { token: leaving.token }),
    ...theirPosts.flatMap((postId) => [
      api.post('/post/unlike', { post_id: postId }, { token: leaving.token }),
      api.post('/post/like', { post_id: postId }, { token: leaving.token }),
    ]),
    ...others.flatMap((other) => [
      ...leavingPosts.map((postId) =>
        api.post('/post/like', { post_id: postId }, { token: other.token }),
      ),
      ...theirPosts.map((postId) =>
        api.post('/post/like', { post_id: postId }, { token: other.token }),
      ),
    ]),
  ];
  const answers = await Promise.all(racing);
  t.is(answers[0]?.status, 200);
  for (const answer of answers) t.true([200, 401, 404].includes(answer.status), answer.text);

  for (const postId of theirPosts) {
    const likers = await api.get('/post/likes', { post_id: postId });
    const ids = (likers.body['data'] as { user_ids: number[] }).user_ids;
    t.false(ids.includes(leaving.userId));
    t.is(await likesOf(t, postId), ids.length);
  }
  for (const postId of leavingPosts) {
    t.is((await api.get('/post/read', { post_id: postId })).status, 404);
  }
});
