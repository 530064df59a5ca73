import test from 'ava';
import { createPlaza, type Plaza } from '../createPlaza.js';
import { MISSING_PARAM_MESSAGE, NOT_FOUND_MESSAGE } from '../errors.js';
import {
  aPost,
  rejectsWithPlazaError,
  signedUpUser,
  testOptions,
  testPlaza,
  untyped,
  without,
} from '@plaza/testkit';
import type { PostView } from './PostService.js';

// Tests that look at whole lists use an author of their own, so they can share a database.
let plaza: Plaza;
test.before(async () => {
  plaza = await createPlaza(testOptions());
});
test.after.always(async () => {
  await plaza.close();
});

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function postsBy(authorId: number, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    ids.push((await plaza.posts.create(authorId, aPost({ title: `#${i}` }))).post_id);
  }
  return ids;
}

const idsOf = (posts: readonly PostView[]): number[] => posts.map((post) => post.post_id);

// --- create and read -------------------------------------------------------------------------

test('a post reads back as written, with no likes and equal posted and edited times', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const before = Date.now();
  const { post_id: postId } = await plaza.posts.create(authorId, {
    title: 'Notes on the Analytical Engine',
    text: 'It weaves algebraic patterns\njust as the Jacquard loom weaves flowers.',
  });
  const after = Date.now();
  const post = await plaza.posts.read({ post_id: postId });
  t.like(post, {
    post_id: postId,
    author_id: authorId,
    title: 'Notes on the Analytical Engine',
    text: 'It weaves algebraic patterns\njust as the Jacquard loom weaves flowers.',
    link: null,
    likes: 0,
  });
  t.regex(post.posted, ISO_TIMESTAMP);
  t.is(post.edited, post.posted);
  const posted = Date.parse(post.posted);
  t.true(posted >= before - 1 && posted <= after + 1, 'posted is the time of writing');
});

test('a link is kept, and post_id may be given as a string', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const link = 'https://en.wikipedia.org/wiki/Ada_Lovelace?lang=en#Work';
  const { post_id: postId } = await plaza.posts.create(authorId, aPost({ link }));
  t.is((await plaza.posts.read(untyped({ post_id: String(postId) }))).link, link);
});

test('a 255-character title fits, counted in code points; 256 is USR_02', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  for (const title of ['t'.repeat(255), '🦉'.repeat(255)]) {
    const { post_id: postId } = await plaza.posts.create(authorId, aPost({ title }));
    t.is((await plaza.posts.read({ post_id: postId })).title, title);
  }
  for (const title of ['t'.repeat(256), '🦉'.repeat(256)]) {
    await rejectsWithPlazaError(t, plaza.posts.create(authorId, aPost({ title })), {
      code: 'USR_02',
      field: 'title',
    });
  }
});

for (const field of ['title', 'text'] as const) {
  test(`a post without ${field}, or with it empty, is PAR_01 naming ${field}`, async (t) => {
    const { id: authorId } = await signedUpUser(plaza);
    const post = without(aPost(), field);
    for (const raw of [post, { ...post, [field]: '' }]) {
      await rejectsWithPlazaError(t, plaza.posts.create(authorId, untyped(raw)), {
        code: 'PAR_01',
        field,
        message: MISSING_PARAM_MESSAGE,
      });
    }
  });
}

test('malformed posts are USR_02 naming the parameter, and save nothing', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const cases: ReadonlyArray<readonly [string, unknown]> = [
    ['link', 'javascript:alert(1)'],
    ['link', 'ftp://files.example.com/x'],
    ['link', 'not a url'],
    ['link', 'mailto:ada@example.com'],
    ['title', 'Line one\nline two'],
    ['title', 42],
    ['text', { html: '<b>hi</b>' }],
    ['text', 'bell\u0007'],
  ];
  for (const [field, value] of cases) {
    await rejectsWithPlazaError(
      t,
      plaza.posts.create(authorId, untyped({ ...aPost(), [field]: value })),
      {
        code: 'USR_02',
        field,
      },
    );
  }
  t.deepEqual((await plaza.posts.list({ author_id: authorId })).posts, []);
});

test('reading an unknown post is USR_01; a malformed or missing id is USR_02 or PAR_01', async (t) => {
  await rejectsWithPlazaError(t, plaza.posts.read({ post_id: 987_654 }), {
    code: 'USR_01',
    message: NOT_FOUND_MESSAGE,
  });
  await rejectsWithPlazaError(t, plaza.posts.read(untyped({ post_id: 'abc' })), {
    code: 'USR_02',
    field: 'post_id',
  });
  await rejectsWithPlazaError(t, plaza.posts.read(untyped({})), {
    code: 'PAR_01',
    field: 'post_id',
  });
});

test('a post by a user who does not exist is refused as a bad token', async (t) => {
  await rejectsWithPlazaError(t, plaza.posts.create(987_654, aPost()), {
    code: 'AUT_01',
    field: 'TOKEN',
  });
});

// --- list ------------------------------------------------------------------------------------

test('the list is newest first, and author_id keeps one author', async (t) => {
  const own = await testPlaza(t);
  const { id: ada } = await signedUpUser(own);
  const { id: bob } = await signedUpUser(own);
  const written: Array<{ author: number; id: number }> = [];
  for (const author of [ada, bob, ada, bob, ada]) {
    written.push({ author, id: (await own.posts.create(author, aPost())).post_id });
  }
  const newestFirst = written.map((post) => post.id).reverse();
  const all = await own.posts.list({});
  t.deepEqual(idsOf(all.posts), newestFirst);
  t.is(all.next, null);
  const adas = await own.posts.list({ author_id: ada });
  t.deepEqual(
    idsOf(adas.posts),
    written
      .filter((post) => post.author === ada)
      .map((post) => post.id)
      .reverse(),
  );
  t.true(adas.posts.every((post) => post.author_id === ada));
  t.deepEqual((await own.posts.list({ author_id: bob + 100 })).posts, []);
});

test('the list shows the same fields as read', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const { post_id: postId } = await plaza.posts.create(
    authorId,
    aPost({ link: 'https://ada.dev' }),
  );
  const [listed] = (await plaza.posts.list({ author_id: authorId })).posts;
  t.deepEqual(listed, await plaza.posts.read({ post_id: postId }));
});

test('limit defaults to 20 and must be from 1 to 100', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const ids = await postsBy(authorId, 21);
  const page = await plaza.posts.list({ author_id: authorId });
  t.is(page.posts.length, 20);
  t.not(page.next, null);
  t.is((await plaza.posts.list({ author_id: authorId, limit: 1 })).posts[0]?.post_id, ids.at(-1));
  t.is((await plaza.posts.list({ author_id: authorId, limit: 100 })).posts.length, 21);
  t.is((await plaza.posts.list(untyped({ author_id: String(authorId), limit: '21' }))).next, null);
  for (const limit of [0, 101, -1, 1.5, 'abc', '0', '101']) {
    await rejectsWithPlazaError(t, plaza.posts.list(untyped({ author_id: authorId, limit })), {
      code: 'USR_02',
      field: 'limit',
    });
  }
});

test('malformed author_id or before is USR_02', async (t) => {
  for (const field of ['author_id', 'before']) {
    for (const value of ['abc', 0, -3, 2.5]) {
      await rejectsWithPlazaError(t, plaza.posts.list(untyped({ [field]: value })), {
        code: 'USR_02',
        field,
      });
    }
  }
});

test('paging with the cursor visits each of 45 posts exactly once, newest first', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const ids = await postsBy(authorId, 45);
  const seen: number[] = [];
  const pageSizes: number[] = [];
  let before: number | null = null;
  do {
    const page = await plaza.posts.list({
      author_id: authorId,
      limit: 20,
      ...(before === null ? {} : { before }),
    });
    seen.push(...idsOf(page.posts));
    pageSizes.push(page.posts.length);
    before = page.next;
  } while (before !== null && pageSizes.length < 10);
  t.deepEqual(pageSizes, [20, 20, 5]);
  t.deepEqual(seen, [...ids].reverse());
});

test('when the last page is exactly full, its next is null (no empty page after it)', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const ids = await postsBy(authorId, 40);
  const first = await plaza.posts.list({ author_id: authorId, limit: 20 });
  t.is(first.next, ids[20] ?? -1);
  const second = await plaza.posts.list({
    author_id: authorId,
    limit: 20,
    before: first.next ?? 0,
  });
  t.is(second.posts.length, 20);
  t.is(second.next, null);
});

test('the cursor skips posts written after paging began', async (t) => {
  const { id: authorId } = await signedUpUser(plaza);
  const ids = await postsBy(authorId, 3);
  const first = await plaza.posts.list({ author_id: authorId, limit: 2 });
  await postsBy(authorId, 2);
  const second = await plaza.posts.list({ author_id: authorId, limit: 2, before: first.next ?? 0 });
  t.deepEqual(idsOf(second.posts), [ids[0]]);
  t.is(second.next, null);
});
