import test from 'ava';

import type { EnrichmentResult } from './ProfileEnricher.js';
import {
  backoffMs,
  decideJob,
  DEFAULT_RETRY_POLICY,
  FAILURE_REASONS,
  type JobDecision,
  type JobProgress,
  type RetryPolicy,
} from './retryPolicy.js';

const POLICY: RetryPolicy = {
  maxAttempts: 5,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
  maxPendingMs: 3_600_000,
};

/** Progress of a job on its first try, queued just now; override either part. */
const aProgress = (overrides: Partial<JobProgress> = {}): JobProgress => ({
  attempts: 1,
  ageMs: 0,
  ...overrides,
});

const lowest = (): number => 0;
const highest = (): number => 1;
const middle = (): number => 0.5;

const decide = (
  result: EnrichmentResult,
  progress: Partial<JobProgress> = {},
  policy: RetryPolicy = POLICY,
  random: () => number = middle,
): JobDecision => decideJob(result, aProgress(progress), policy, random);

test('found saves the profile as given', (t) => {
  const profile = { first_name: 'Ada', city: 'London' };
  t.deepEqual(decide({ kind: 'found', profile }), { action: 'save', profile });
});

const finalAnswers: ReadonlyArray<readonly [EnrichmentResult, string]> = [
  [{ kind: 'not_found' }, FAILURE_REASONS.notFound],
  [{ kind: 'invalid_input' }, FAILURE_REASONS.invalidInput],
  [{ kind: 'legal_block' }, FAILURE_REASONS.legalBlock],
  [{ kind: 'auth_error' }, FAILURE_REASONS.unavailable],
  [{ kind: 'quota_exhausted' }, FAILURE_REASONS.unavailable],
];

for (const [result, reason] of finalAnswers) {
  test(`${result.kind} fails the job at once, whatever the attempt, with the user-facing reason`, (t) => {
    for (const attempts of [1, 2, POLICY.maxAttempts]) {
      const decision = decide(result, { attempts });
      t.is(decision.action, 'fail', `attempt ${attempts}`);
      if (decision.action !== 'fail') return;
      t.is(decision.reason, reason);
      t.true(decision.note.includes(result.kind), decision.note);
    }
  });
}

test('transient errors are retried, counting the try, until maxAttempts', (t) => {
  for (let attempts = 1; attempts < POLICY.maxAttempts; attempts += 1) {
    const decision = decide({ kind: 'transient_error', reason: 'HTTP 503' }, { attempts });
    t.like(decision, { action: 'retry', countAttempt: true, pauseAll: false, note: 'HTTP 503' });
  }
});

test('a transient error on the last try gives up with the gaveUp reason', (t) => {
  const decision = decide(
    { kind: 'transient_error', reason: 'timeout' },
    { attempts: POLICY.maxAttempts },
  );
  t.deepEqual(decision, {
    action: 'fail',
    reason: FAILURE_REASONS.gaveUp,
    note: `timeout (after ${POLICY.maxAttempts} tries)`,
  });
});

test('maxAttempts 1 means a transient error is never retried', (t) => {
  const decision = decide(
    { kind: 'transient_error', reason: 'HTTP 500' },
    { attempts: 1 },
    { ...POLICY, maxAttempts: 1 },
  );
  t.like(decision, { action: 'fail', reason: FAILURE_REASONS.gaveUp });
});

test('the transient retry delay is the backoff for this try', (t) => {
  const decision = decide({ kind: 'transient_error', reason: 'HTTP 502' }, { attempts: 3 });
  t.like(decision, { action: 'retry', delayMs: backoffMs(3, POLICY, middle) });
});

test('backoff doubles with each try, within half and all of its ceiling', (t) => {
  for (let attempts = 1; attempts <= 5; attempts += 1) {
    const ceiling = POLICY.retryBaseMs * 2 ** (attempts - 1);
    t.is(backoffMs(attempts, POLICY, lowest), ceiling / 2, `attempt ${attempts}, lowest`);
    t.is(backoffMs(attempts, POLICY, highest), ceiling, `attempt ${attempts}, highest`);
    t.is(backoffMs(attempts, POLICY, middle), (ceiling * 3) / 4, `attempt ${attempts}, middle`);
  }
});

test('backoff stays within [ceiling/2, ceiling] for any random draw', (t) => {
  for (const draw of [0, 0.001, 0.25, 0.5, 0.75, 0.999, 0.9999999]) {
    const delay = backoffMs(2, POLICY, () => draw);
    t.true(delay >= 1_000 && delay <= 2_000, `draw ${draw}: ${delay}`);
  }
});

test('backoff is capped by retryMaxMs, even after very many tries', (t) => {
  for (const attempts of [7, 8, 20, 100, 2_000]) {
    t.is(backoffMs(attempts, POLICY, highest), POLICY.retryMaxMs, `attempt ${attempts}`);
    t.is(backoffMs(attempts, POLICY, lowest), POLICY.retryMaxMs / 2, `attempt ${attempts}`);
  }
});

test('backoff before any try counts as the first', (t) => {
  t.is(backoffMs(0, POLICY, highest), POLICY.retryBaseMs);
});

test('backoff is a whole number of milliseconds', (t) => {
  const delay = backoffMs(1, { ...POLICY, retryBaseMs: 3 }, () => 1 / 3);
  t.true(Number.isInteger(delay), String(delay));
});

test('with the default policy the first retry comes after 1 to 2 seconds', (t) => {
  const decision = decideJob(
    { kind: 'transient_error', reason: 'HTTP 503' },
    aProgress(),
    DEFAULT_RETRY_POLICY,
    lowest,
  );
  t.like(decision, { action: 'retry', delayMs: 1_000 });
  t.is(backoffMs(1, DEFAULT_RETRY_POLICY, highest), 2_000);
});

test('pending waits as long as the provider asked, without using up a try', (t) => {
  t.deepEqual(decide({ kind: 'pending', retryAfterMs: 30_000 }, { attempts: 4, ageMs: 10 }), {
    action: 'retry',
    delayMs: 30_000,
    countAttempt: false,
    note: 'pending',
    pauseAll: false,
  });
});

test('pending is retried even on what would be the last try', (t) => {
  const decision = decide(
    { kind: 'pending', retryAfterMs: 1_000 },
    { attempts: POLICY.maxAttempts + 3 },
  );
  t.like(decision, { action: 'retry', countAttempt: false });
});

test('rate_limited honours Retry-After and holds every job', (t) => {
  t.deepEqual(decide({ kind: 'rate_limited', retryAfterMs: 12_000 }), {
    action: 'retry',
    delayMs: 12_000,
    countAttempt: false,
    note: 'rate_limited',
    pauseAll: true,
  });
});

test('rate_limited without Retry-After waits retryMaxMs', (t) => {
  t.like(decide({ kind: 'rate_limited' }), {
    action: 'retry',
    delayMs: POLICY.retryMaxMs,
    countAttempt: false,
    pauseAll: true,
  });
});

test('a Retry-After of zero retries at once', (t) => {
  t.like(decide({ kind: 'rate_limited', retryAfterMs: 0 }), { action: 'retry', delayMs: 0 });
});

test('a negative wait is never a negative delay', (t) => {
  t.like(decide({ kind: 'pending', retryAfterMs: -5_000 }), { action: 'retry', delayMs: 0 });
});

for (const kind of ['pending', 'rate_limited'] as const) {
  test(`${kind} past maxPendingMs gives up with tookTooLong`, (t) => {
    const decision = decide(
      { kind, retryAfterMs: 60_000 },
      { ageMs: POLICY.maxPendingMs - 59_999 },
    );
    t.like(decision, { action: 'fail', reason: FAILURE_REASONS.tookTooLong });
  });

  test(`${kind} may wait right up to maxPendingMs`, (t) => {
    const decision = decide(
      { kind, retryAfterMs: 60_000 },
      { ageMs: POLICY.maxPendingMs - 60_000 },
    );
    t.like(decision, { action: 'retry', delayMs: 60_000 });
  });
}

test('a rate limit without Retry-After counts retryMaxMs against maxPendingMs', (t) => {
  const policy = { ...POLICY, maxPendingMs: POLICY.retryMaxMs };
  t.like(decide({ kind: 'rate_limited' }, { ageMs: 0 }, policy), { action: 'retry' });
  t.like(decide({ kind: 'rate_limited' }, { ageMs: 1 }, policy), {
    action: 'fail',
    reason: FAILURE_REASONS.tookTooLong,
  });
});

test('decideJob does not draw a random number unless it backs off', (t) => {
  let draws = 0;
  const counting = (): number => {
    draws += 1;
    return 0.5;
  };
  decide({ kind: 'pending', retryAfterMs: 5 }, {}, POLICY, counting);
  decide({ kind: 'rate_limited' }, {}, POLICY, counting);
  decide({ kind: 'not_found' }, {}, POLICY, counting);
  t.is(draws, 0);
  decide({ kind: 'transient_error', reason: 'x' }, {}, POLICY, counting);
  t.is(draws, 1);
});

test('user-facing reasons name no provider, key, URL or status code', (t) => {
  for (const reason of Object.values(FAILURE_REASONS)) {
    t.notRegex(reason, /https?:|www\.|\.com|\.io/i, reason);
    t.notRegex(reason, /clearbit|hunter|api[ _-]?key|secret|token|bearer/i, reason);
    t.notRegex(reason, /\b[1-5]\d\d\b/, reason);
    t.regex(reason, /^[A-Z].*\.$/, 'a sentence');
  }
});

test('reasons are distinct where users must tell the cases apart', (t) => {
  const reasons = [
    FAILURE_REASONS.notFound,
    FAILURE_REASONS.invalidInput,
    FAILURE_REASONS.legalBlock,
    FAILURE_REASONS.unavailable,
    FAILURE_REASONS.gaveUp,
    FAILURE_REASONS.tookTooLong,
    FAILURE_REASONS.notConfigured,
  ];
  t.is(new Set(reasons).size, reasons.length);
});

test('the note of a given-up job keeps the transient reason for the log', (t) => {
  const decision = decide(
    { kind: 'transient_error', reason: 'network ECONNRESET' },
    { attempts: POLICY.maxAttempts },
  );
  t.like(decision, { action: 'fail' });
  if (decision.action === 'fail') t.regex(decision.note, /ECONNRESET/);
});
