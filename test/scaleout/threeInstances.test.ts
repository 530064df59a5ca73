/**
 * Three real `plaza-server` processes on one PostgreSQL schema: enrichment jobs shared out
 * through SKIP LOCKED claims, events between instances over LISTEN/NOTIFY, and a worker
 * killed with jobs in hand. Each instance gets its own relay in front of one Clearbit fake,
 * so what a relay received is exactly what that instance asked the provider.
 *
 * Serial: each test runs three servers and PostgreSQL, which is what two cores can carry.
 */
import test, { type ExecutionContext } from 'ava';
import type { Knex } from 'knex';
import { freshDatabaseUrl, openDatabase, testPostgresUrl } from '@plaza/testkit';
import {
  expectedFakeClearbitProfile,
  FAKE_CLEARBIT_API_KEY,
  startFakeClearbit,
  type FakeClearbit,
} from '../fakes/fakeClearbit.js';
import { createPost, signUp, type SignedUpUser } from '../support/builders.js';
import { eventually } from '../support/eventually.js';
import type { ApiResponse } from '../support/http.js';
import {
  openAuthenticated,
  openAuthenticatedJson,
  WAIT_MS,
  withTimeout,
  type WatchClient,
  withoutId,
} from '../support/watchSocket.js';
import { insertUsers, type BulkUser } from './support/bulkUsers.js';
import {
  jobRecords,
  jobsSettled,
  profileMismatches,
  tally,
  type JobRecord,
} from './support/enrichmentRecords.js';
import {
  inLanes,
  logLines,
  startInstances,
  stopInstance,
  type Instance,
} from './support/instances.js';
import { startProviderRelay, type ProviderRelay } from './support/providerRelay.js';

const NAMES = ['A', 'B', 'C'] as const;
const NOTICE = 'notice: socialuser data received';
/** Users of the 1,000 who watch their notices over a JSON socket. */
const WATCHED = 60;

/** Settings every instance shares. No JWT_SECRET: the first to start generates it, in the database. */
const sharedEnv = (databaseUrl: string): Record<string, string> => ({
  DATABASE_URL: databaseUrl,
  SCRYPT_LOG_N: '10',
  CLEARBIT_API_KEY: FAKE_CLEARBIT_API_KEY,
  // Jobs queued elsewhere are found within this; a job queued here wakes this worker at once.
  ENRICHMENT_POLL_MS: '50',
});

interface Cluster {
  readonly clearbit: FakeClearbit;
  readonly relays: readonly ProviderRelay[];
  readonly instances: readonly Instance[];
  readonly db: Knex;
}

/**
 * A Clearbit fake, one relay per instance, three instances on a fresh schema, and a
 * connection of the test's own; all closed or killed when the test ends.
 */
async function startCluster(
  t: ExecutionContext,
  options: {
    readonly relays?: ReadonlyArray<Parameters<typeof startProviderRelay>[1]>;
    readonly env?: ReadonlyArray<Record<string, string>>;
  } = {},
): Promise<Cluster> {
  if (testPostgresUrl() === undefined) {
    throw new Error('the scale-out tests need PostgreSQL: run them with `npm run test:pg`');
  }
  const clearbit = await startFakeClearbit();
  t.teardown(() => clearbit.close());
  const relays = await Promise.all(
    NAMES.map((_, index) => startProviderRelay(clearbit.url, options.relays?.[index])),
  );
  for (const relay of relays) t.teardown(() => relay.close());
  const databaseUrl = freshDatabaseUrl();
  const instances = await startInstances(
    t,
    NAMES.map((name, index) => ({
      name,
      env: {
        ...sharedEnv(databaseUrl),
        CLEARBIT_API_URL: relays[index]!.url,
        ...options.env?.[index],
      },
    })),
  );
  const db = openDatabase(databaseUrl);
  t.teardown(() => db.destroy());
  return { clearbit, relays, instances, db };
}

/** Emails looked up through each relay, and which relay each email went to. */
function lookUpsByInstance(relays: readonly ProviderRelay[]): {
  readonly counts: number[];
  readonly relaysOf: Map<string, number[]>;
} {
  const relaysOf = new Map<string, number[]>();
  const counts = relays.map((relay, index) => {
    for (const { email } of relay.lookUps)
      relaysOf.set(email, [...(relaysOf.get(email) ?? []), index]);
    return relay.lookUps.length;
  });
  return { counts, relaysOf };
}

/**
 * A job as the database, the relays and the instances' logs tell it, for failure messages
 * (the logs reach stdout within a second, so the latest lines may be missing).
 */
function jobHistory({ relays, instances }: Cluster, job: JobRecord): string {
  const askedBy = relays.flatMap((relay, index) =>
    relay.lookUps.filter((lookUp) => lookUp.email === job.email).map(() => NAMES[index]),
  );
  const logged = instances.flatMap((instance) =>
    logLines(instance)
      .filter((line) => line['job_id'] === job.id)
      .map((line) => {
        const note = line['note'] === undefined ? '' : ` (${JSON.stringify(line['note'])})`;
        return `${instance.name}: ${String(line['msg'])}${note}`;
      }),
  );
  return `${describeJob(job)}; looked up by ${askedBy.join(', ') || 'nobody'}; ${logged.join('; ')}`;
}

/** The JSON frames a socket has received and nobody has taken yet. */
async function framesReceived(socket: WatchClient): Promise<Array<Record<string, unknown>>> {
  const frames: Array<Record<string, unknown>> = [];
  while (socket.pending > 0) frames.push((await socket.nextJson()) as Record<string, unknown>);
  return frames;
}

/** Milliseconds since the last call (or since it was made). */
function stopwatch(): () => number {
  let last = Date.now();
  return () => {
    const now = Date.now();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}

const describeJob = (job: JobRecord): string =>
  `job ${job.id} (user ${job.user_id}): ${job.state}, ${job.attempts} attempts${
    job.last_error === null ? '' : `, ${job.last_error}`
  }`;

test.serial(
  '1,000 enrichment jobs queued through all three complete exactly once each',
  async (t) => {
    const USERS = 1000;
    const since = stopwatch();
    const cluster = await startCluster(t);
    const { clearbit, relays, instances, db } = cluster;
    t.log(`started in ${since()} ms`);

    const users = await insertUsers(db, USERS);
    // Some users watch, each on an instance other than the one their job is queued through;
    // under this load events from the three instances are recorded concurrently.
    const sockets = await inLanes(WATCHED, 10, (index) =>
      openAuthenticatedJson(
        instances[(index + 1) % 3]!.url,
        users[index]!.token,
        users[index]!.userId,
      ),
    );
    // Queued through the HTTP API, round robin over A, B and C.
    const answers = await inLanes(USERS, 24, (index) =>
      instances[index % 3]!.api.post(
        '/user/request-retrieve-data',
        {},
        { token: users[index]!.token },
      ),
    );
    t.deepEqual(
      [...tally(answers.map((answer) => `${answer.status} ${String(answer.body['code'])}`))],
      [['202 PENDING', USERS]],
    );
    t.log(`queued in ${since()} ms`);
    await jobsSettled(db, USERS, 60_000);
    t.log(`settled in ${since()} ms`);

    // Each watcher gets its enrichment.completed once, whichever instance did the job.
    await eventually('a notice on every watching socket', () =>
      sockets.every((socket) => socket.pending > 0) ? true : undefined,
    ).catch(() => undefined); // the assertion below says who missed out
    await new Promise((resolve) => setTimeout(resolve, 500));
    const received = await Promise.all(sockets.map(framesReceived));
    const unexpected = received.flatMap((frames, index) => {
      const user = users[index]!;
      const [first] = frames;
      const once =
        frames.length === 1 &&
        first?.['type'] === 'enrichment.completed' &&
        first['user_id'] === user.userId;
      return once ? [] : [`user ${user.userId}: ${JSON.stringify(frames).slice(0, 200)}`];
    });
    t.deepEqual(unexpected, [], 'one enrichment.completed per watching socket');
    for (const socket of sockets) socket.close();

    const jobs = await jobRecords(db);
    t.is(jobs.length, USERS, 'one job per request');
    t.deepEqual(
      [...tally(jobs.map((job) => String(job.user_id)))].filter(([, n]) => n !== 1),
      [],
      'no user has two jobs',
    );
    const notDoneOnce = jobs.filter((job) => job.state !== 'done' || job.attempts !== 1);
    t.deepEqual(
      notDoneOnce.slice(0, 10).map((job) => jobHistory(cluster, job)),
      [],
      `${notDoneOnce.length} jobs`,
    );

    // The provider was asked once per user, no more, whichever instance asked.
    const asked = clearbit.requests;
    t.is(asked.length, USERS, 'provider requests');
    t.true(asked.every((request) => request.authorized));
    const emails = users.map((user) => user.email);
    t.deepEqual([...new Set(asked.map((request) => request.email))].sort(), [...emails].sort());

    const { counts, relaysOf } = lookUpsByInstance(relays);
    t.log(`look-ups by instance: ${NAMES.map((name, i) => `${name} ${counts[i]}`).join(', ')}`);
    t.is(
      counts.reduce((sum, n) => sum + n, 0),
      USERS,
    );
    for (const [index, name] of NAMES.entries()) {
      t.true(counts[index]! > 0, `instance ${name} did some of the work`);
    }
    t.deepEqual(
      [...relaysOf].filter(([, at]) => at.length !== 1),
      [],
      'no email looked up by two instances',
    );

    t.deepEqual(
      await profileMismatches(
        db,
        users.map((user) => user.userId),
      ),
      [],
    );

    // A second signal, from the instances themselves: each logged "enrichment completed" for
    // exactly the jobs its relay saw, and the logs together name every job once.
    const exits = await Promise.all(instances.map(stopInstance));
    t.deepEqual(exits, [0, 0, 0], 'each instance stopped cleanly on SIGTERM');
    const emailOfJob = new Map(jobs.map((job) => [job.id, job.email]));
    const loggedJobIds: number[] = [];
    for (const [index, instance] of instances.entries()) {
      const completed = logLines(instance).filter((line) => line['msg'] === 'enrichment completed');
      const ids = completed.map((line) => Number(line['job_id']));
      loggedJobIds.push(...ids);
      const loggedEmails = ids.map((id) => emailOfJob.get(id) ?? `unknown job ${id}`).sort();
      const relayed = relays[index]!.lookUps.map((lookUp) => lookUp.email).sort();
      t.deepEqual(loggedEmails, relayed, `instance ${instance.name}: logs and relay agree`);
    }
    t.deepEqual(
      loggedJobIds.sort((a, b) => a - b),
      jobs.map((job) => job.id),
      'every job logged as completed exactly once',
    );
  },
);

test.serial(
  'a socket on A gets enrichment notices and post.liked for work done through B and C, once each',
  async (t) => {
    // A runs no enrichment worker, so whatever reaches a socket on A came over the event bus.
    const { relays, instances, db } = await startCluster(t, {
      env: [{ ENRICHMENT_WORKER: 'false' }, {}, {}],
    });
    const [a, b, c] = instances as [Instance, Instance, Instance];

    const author = await signUp(a.api);
    const firstLiker = await signUp(b.api);
    const secondLiker = await signUp(c.api);
    // Twenty-one more users, seven signed up through each instance, for the fan-out below.
    const watchers = await inLanes(21, 6, (index) => signUp(instances[index % 3]!.api));
    // Their sign-up jobs are done first, so that every notice below answers a request below.
    await jobsSettled(db, 24, 20_000);

    const text = await openAuthenticated(a.url, author.token, author.userId);
    const json = await openAuthenticatedJson(a.url, author.token, author.userId);
    const bystander = await openAuthenticatedJson(a.url, firstLiker.token, firstLiker.userId);

    // A token issued by A works on B: the secret generated at start is shared through the database.
    const requested = await b.api.post('/user/request-retrieve-data', {}, { token: author.token });
    t.is(requested.status, 202);
    t.is(requested.body['code'], 'PENDING');
    t.is(await text.next(), NOTICE);
    const expected = expectedFakeClearbitProfile(author.email);
    t.like(await json.nextJson(), {
      type: 'enrichment.completed',
      user_id: author.userId,
      profile: { user_id: author.userId, first_name: expected.first_name, city: expected.city },
    });
    t.is(relays[0]!.lookUps.length, 0, 'A looked nothing up');

    const postId = await createPost(a.api, author.token);
    const like = (liker: SignedUpUser, through: Instance) =>
      through.api.post('/post/like', { post_id: postId }, { token: liker.token });
    t.is((await like(firstLiker, b)).status, 200);
    t.deepEqual(withoutId(await json.nextJson()), {
      type: 'post.liked',
      post_id: postId,
      by_user_id: firstLiker.userId,
      likes: 1,
    });
    t.is((await like(secondLiker, c)).status, 200);
    t.deepEqual(withoutId(await json.nextJson()), {
      type: 'post.liked',
      post_id: postId,
      by_user_id: secondLiker.userId,
      likes: 2,
    });
    // Liking again changes nothing, so it announces nothing.
    t.is((await like(firstLiker, c)).status, 200);
    await json.expectNoMessage(1000);
    await text.expectNoMessage(0);
    await bystander.expectNoMessage(0);

    // Many at once: each watcher on one instance, its request through the next one.
    const sockets = await Promise.all(
      watchers.map((user, index) =>
        openAuthenticated(instances[index % 3]!.url, user.token, user.userId),
      ),
    );
    const answers = await Promise.all(
      watchers.map((user, index) =>
        instances[(index + 1) % 3]!.api.post(
          '/user/request-retrieve-data',
          {},
          { token: user.token },
        ),
      ),
    );
    t.deepEqual(
      answers.map((answer) => answer.status),
      watchers.map(() => 202),
    );
    const notices = await Promise.all(sockets.map((socket) => socket.next()));
    t.deepEqual(
      notices,
      watchers.map(() => NOTICE),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const extra = sockets.flatMap((socket, index) =>
      socket.pending === 0 ? [] : [`user ${watchers[index]!.userId}: ${socket.pending} more`],
    );
    t.deepEqual(extra, [], 'no second notice');
    await json.expectNoMessage(0);
    await text.expectNoMessage(0);
    for (const socket of [text, json, bystander, ...sockets]) socket.close();
  },
);

test.serial(
  'SIGKILL of an instance holding running jobs: after their lease the others run them, none lost',
  async (t) => {
    const USERS = 300;
    const CONCURRENCY = 4;
    // Short enough to keep the test short; long enough that the relays, which live in this busy
    // test process, answer the survivors in time even on a loaded machine.
    const TIMEOUT_MS = 3000;
    const LEASE_MS = 4000;
    /** Users set aside to be queued through the victim. */
    const RESERVED = 8;
    const workerEnv = {
      ENRICHMENT_CONCURRENCY: String(CONCURRENCY),
      ENRICHMENT_TIMEOUT_MS: String(TIMEOUT_MS),
      ENRICHMENT_LEASE_MS: String(LEASE_MS),
    };
    // The victim's relay never answers, so every job it claims stays in flight until it dies;
    // the survivors' Clearbit is slow, so a queue builds up for the victim to claim from.
    const since = stopwatch();
    const cluster = await startCluster(t, {
      relays: [{ hold: true }, { delayMs: 150 }, { delayMs: 150 }],
      env: [workerEnv, workerEnv, workerEnv],
    });
    const { clearbit, relays, instances, db } = cluster;
    const [victim, ...survivors] = instances as [Instance, Instance, Instance];
    const victimRelay = relays[0]!;
    t.log(`started in ${since()} ms`);

    const users = await insertUsers(db, USERS);
    const queue = (through: Instance, user: BulkUser): Promise<ApiResponse> =>
      through.api.post('/user/request-retrieve-data', {}, { token: user.token });
    // Most jobs are queued through the survivors, faster than they can run them...
    const queueing = inLanes(USERS - RESERVED, 6, (index) =>
      queue(survivors[index % 2]!, users[RESERVED + index]!),
    );
    queueing.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    // ...and a few through the victim, one at a time: each wakes its worker at once, which
    // claims from the shared queue until its hand is full; then it claims no more.
    const throughVictim: ApiResponse[] = [];
    const held = await eventually(
      'the victim to hold a full hand of jobs',
      async () => {
        if (victimRelay.inFlight.length >= CONCURRENCY) return victimRelay.inFlight;
        if (throughVictim.length < RESERVED) {
          throughVictim.push(await queue(victim, users[throughVictim.length]!));
        }
        return undefined;
      },
      20_000,
      10,
    );
    const heldJobs = (await jobRecords(db)).filter((job) => held.includes(job.email));
    victim.run.child.kill('SIGKILL');
    const killedAt = Date.now();
    t.is(
      await withTimeout(victim.run.exited, WAIT_MS, 'the victim to die'),
      'SIGKILL',
      'the victim died of the signal',
    );

    // At the kill, the victim held exactly these running jobs, and had asked for nothing else.
    t.is(heldJobs.length, CONCURRENCY);
    for (const job of heldJobs) {
      t.is(job.state, 'running', describeJob(job));
      t.is(job.attempts, 1, describeJob(job));
      t.true(job.locked_until !== null && job.locked_until.getTime() > killedAt, 'lease running');
    }
    t.is(victimRelay.lookUps.length, CONCURRENCY, 'the victim asked only for the jobs it held');
    const firstAsked = Math.min(...victimRelay.lookUps.map((lookUp) => lookUp.at));
    t.true(killedAt - firstAsked < TIMEOUT_MS, 'killed before any held look-up could time out');
    t.log(
      `${throughVictim.length} queued through the victim; killed ${killedAt - firstAsked} ms after its first look-up`,
    );

    // The reserved users the victim did not need are queued through the survivors.
    const rest = await Promise.all(
      users
        .slice(throughVictim.length, RESERVED)
        .map((user, index) => queue(survivors[index % 2]!, user)),
    );
    const answers = [...throughVictim, ...rest, ...(await queueing)];
    t.deepEqual(
      [...tally(answers.map((answer) => `${answer.status} ${String(answer.body['code'])}`))],
      [['202 PENDING', USERS]],
    );
    t.log(`queued in ${since()} ms`);
    await jobsSettled(db, USERS, 45_000);
    t.log(`settled in ${since()} ms`);
    const jobs = await jobRecords(db);
    t.is(jobs.length, USERS, 'one job per request, none lost');
    const heldIds = new Set(heldJobs.map((job) => job.id));
    const wrong = jobs.filter(
      (job) => job.state !== 'done' || job.attempts !== (heldIds.has(job.id) ? 2 : 1),
    );
    t.deepEqual(
      wrong.slice(0, 10).map((job) => jobHistory(cluster, job)),
      [],
      `${wrong.length} jobs not done, or held jobs not run twice, or others not once`,
    );
    t.deepEqual(
      await profileMismatches(
        db,
        users.map((user) => user.userId),
      ),
      [],
    );

    // The survivors asked Clearbit once per user between them, the held jobs included, and only
    // once the victim's lease on those had run out.
    const surviving = relays.slice(1);
    const lookUps = surviving.flatMap((relay) => relay.lookUps);
    t.log(
      `look-ups: victim ${victimRelay.lookUps.length} (held), ` +
        surviving.map((relay, i) => `${survivors[i]!.name} ${relay.lookUps.length}`).join(', '),
    );
    for (const [index, relay] of surviving.entries()) {
      t.true(relay.lookUps.length > 0, `${survivors[index]!.name} did some of the work`);
    }
    t.deepEqual(
      [...tally(lookUps.map((lookUp) => lookUp.email))].filter(([, n]) => n !== 1),
      [],
      'no email looked up twice by the survivors',
    );
    t.deepEqual(
      lookUps.map((lookUp) => lookUp.email).sort(),
      users.map((user) => user.email).sort(),
    );
    for (const job of heldJobs) {
      const rerun = lookUps.find((lookUp) => lookUp.email === job.email);
      t.true(
        rerun !== undefined && rerun.at >= job.locked_until!.getTime(),
        `job ${job.id} was run again only after its lease (${job.locked_until?.toISOString()})`,
      );
    }
    t.is(clearbit.requests.length, USERS, 'the held look-ups never reached Clearbit');

    const exits = await Promise.all(survivors.map(stopInstance));
    t.deepEqual(exits, [0, 0], 'the survivors stopped cleanly on SIGTERM');
  },
);
