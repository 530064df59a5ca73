import test from 'ava';
import { createPlaza, type Plaza } from './createPlaza.js';
import { MISSING_PARAM_MESSAGE } from './errors.js';
import type { RawParams } from './shared/input.js';
import {
  aUser,
  type ExpectedPlazaError,
  rejectsWithPlazaError,
  signedUpUser,
  STRONG_PASSWORD,
  testOptions,
} from '@plaza/testkit';

// Every service method that takes input accepts raw parameters (a form, a query string, a
// JSON body, an embedder's object) without a cast, and checks them itself: the routes no
// longer do. These calls would not compile if a method took only its typed input.

let plaza: Plaza;
let authorId: number;
test.before(async () => {
  plaza = await createPlaza(testOptions());
  authorId = (await signedUpUser(plaza)).id;
});
test.after.always(async () => {
  await plaza.close();
});

const missing = (field: string): ExpectedPlazaError => ({
  code: 'PAR_01',
  field,
  message: MISSING_PARAM_MESSAGE,
});
const malformed = (field: string, message: string): ExpectedPlazaError => ({
  code: 'USR_02',
  field,
  message,
});

/** For each method, raw parameters it must refuse, and the PlazaError it refuses them with. */
const refusals: ReadonlyArray<
  readonly [string, (raw: RawParams) => Promise<unknown>, () => RawParams, ExpectedPlazaError]
> = [
  ['users.signUp', (raw) => plaza.users.signUp(raw), () => ({}), missing('username')],
  [
    'users.signUp',
    (raw) => plaza.users.signUp(raw),
    () => ({ ...aUser(), username: 'ada lovelace' }),
    malformed('username', 'username may contain only letters, digits and @ . + - _ characters.'),
  ],
  [
    'users.signUp',
    (raw) => plaza.users.signUp(raw),
    () => ({ ...aUser(), lat: 'north' }),
    malformed('lat', 'lat must be a number.'),
  ],
  [
    'users.signUp',
    (raw) => plaza.users.signUp(raw),
    () => ({ ...aUser(), password: ['plum-kettle-orbit-42'] }),
    malformed('password', 'password must be a string.'),
  ],
  ['users.profile', (raw) => plaza.users.profile(raw), () => ({}), missing('user_id')],
  [
    'users.profile',
    (raw) => plaza.users.profile(raw),
    () => ({ user_id: 'ada' }),
    malformed('user_id', 'user_id must be a positive integer.'),
  ],
  ['auth.login', (raw) => plaza.auth.login(raw), () => ({ username: 'ada' }), missing('password')],
  [
    'auth.login',
    (raw) => plaza.auth.login(raw),
    () => ({ username: 'ada', password: { $ne: '' } }),
    malformed('password', 'password must be a string.'),
  ],
  ['auth.checkToken', (raw) => plaza.auth.checkToken(raw), () => ({ token: '' }), missing('token')],
  [
    'auth.changePassword',
    (raw) => plaza.auth.changePassword(authorId, raw),
    () => ({ old_password: STRONG_PASSWORD }),
    missing('new_password'),
  ],
  [
    'posts.create',
    (raw) => plaza.posts.create(authorId, raw),
    () => ({ title: 'x'.repeat(256), text: 'Too long a title' }),
    malformed('title', 'title must be at most 255 characters.'),
  ],
  [
    'posts.create',
    (raw) => plaza.posts.create(authorId, raw),
    () => ({ title: 'A link', text: 'to nowhere', link: 'ftp://plaza.example/' }),
    malformed('link', 'link must be an http or https URL.'),
  ],
  [
    'posts.read',
    (raw) => plaza.posts.read(raw),
    () => ({ post_id: '1.5' }),
    malformed('post_id', 'post_id must be a positive integer.'),
  ],
  [
    'posts.list',
    (raw) => plaza.posts.list(raw),
    () => ({ limit: '101' }),
    malformed('limit', 'limit must be between 1 and 100.'),
  ],
  [
    'posts.list',
    (raw) => plaza.posts.list(raw),
    () => ({ author_id: '99999999999' }),
    malformed('author_id', 'author_id is too large.'),
  ],
  ['posts.likers', (raw) => plaza.posts.likers(raw), () => ({ post_id: null }), missing('post_id')],
  [
    'likes.like',
    (raw) => plaza.likes.like(authorId, raw),
    () => ({ post_id: '0' }),
    malformed('post_id', 'post_id must be a positive integer.'),
  ],
  ['likes.unlike', (raw) => plaza.likes.unlike(authorId, raw), () => ({}), missing('post_id')],
];

for (const [method, call, raw, expected] of refusals) {
  const message = expected.message ?? '';
  test(`${method} refuses raw parameters: ${expected.code} ${expected.field} "${message}"`, async (t) => {
    await rejectsWithPlazaError(t, call(raw()), expected);
  });
}

test('raw form fields (all strings) work for every method, as they do over HTTP', async (t) => {
  const fields = aUser();
  const form: Record<string, string> = {
    username: fields.username,
    password: fields.password,
    email: fields.email,
    lat: '12.5',
    first_name: '',
  };
  const { user_id: userId } = await plaza.users.signUp(form);
  t.like(await plaza.users.profile({ user_id: String(userId) }), { lat: 12.5, first_name: null });

  const login = await plaza.auth.login({ username: fields.username, password: fields.password });
  t.like(await plaza.auth.checkToken({ token: login.token }), { user_id: userId });

  const created = await plaza.posts.create(userId, { title: 'Form', text: 'post', link: '' });
  const id = String(created.post_id);
  t.like(await plaza.posts.read({ post_id: id }), { post_id: created.post_id, link: null });
  const page = await plaza.posts.list({ author_id: String(userId), limit: '1', before: '' });
  t.deepEqual(
    page.posts.map((post) => post.post_id),
    [created.post_id],
  );
  await plaza.likes.like(userId, { post_id: id });
  t.deepEqual(await plaza.posts.likers({ post_id: id }), { user_ids: [userId] });
  await plaza.likes.unlike(userId, { post_id: id });
  t.deepEqual(await plaza.posts.likers({ post_id: id }), { user_ids: [] });

  const changed = await plaza.auth.changePassword(userId, {
    old_password: fields.password,
    new_password: `${fields.password}-2`,
  });
  t.is(changed.userId, userId);
});

test('raw parameters the input does not name are ignored, not stored', async (t) => {
  const raw: RawParams = { title: 'Mine', text: 'Not yours', author_id: '1', likes: '1000' };
  const { id: userId } = await signedUpUser(plaza);
  const { post_id: id } = await plaza.posts.create(userId, raw);
  t.like(await plaza.posts.read({ post_id: id }), { author_id: userId, likes: 0 });
});
