import test from 'ava';

import { FakeEmailVerifier } from '../adapters/fake/FakeEmailVerifier.js';
import { HunterEmailVerifier } from '../adapters/hunter/HunterEmailVerifier.js';
import { recordingLogger } from '@plaza/testkit';
import { SkippingEmailVerifier, type EmailVerifier } from '../users/EmailVerifier.js';
import { chooseEmailVerifier } from './chooseEmailVerifier.js';

const HUNTER_KEY = 'hunter_test_key_0123456789abcdef';

test('a verifier passed in is used as it is, whatever else is set', (t) => {
  const mine: EmailVerifier = {
    name: 'mine',
    verify: () => Promise.resolve({ deliverable: true, status: 'valid' }),
  };
  const { logger } = recordingLogger();
  t.is(
    chooseEmailVerifier(
      { emailVerifier: mine, providers: 'fake', hunter: { apiKey: HUNTER_KEY } },
      logger,
    ),
    mine,
  );
});

test('providers: fake is the offline stand-in for Hunter, with a warning', (t) => {
  const { logger, calls } = recordingLogger();
  const verifier = chooseEmailVerifier(
    { providers: 'fake', hunter: { apiKey: HUNTER_KEY } },
    logger,
  );
  t.true(verifier instanceof FakeEmailVerifier);
  t.true(
    calls.some((call) => call.level === 'warn' && /offline stand-in/.test(call.message ?? '')),
  );
});

test('without a Hunter key, emails are not checked and a warning names HUNTER_API_KEY', (t) => {
  for (const hunter of [undefined, { apiKey: '' }]) {
    const { logger, calls } = recordingLogger();
    const verifier = chooseEmailVerifier(hunter === undefined ? {} : { hunter }, logger);
    t.true(verifier instanceof SkippingEmailVerifier);
    t.true(
      calls.some((call) => call.level === 'warn' && /HUNTER_API_KEY/.test(call.message ?? '')),
    );
  }
});

test('with a Hunter key, emails are checked by Hunter and the key is in no log line', (t) => {
  const { logger, calls } = recordingLogger();
  const verifier = chooseEmailVerifier({ hunter: { apiKey: HUNTER_KEY, timeoutMs: 2000 } }, logger);
  t.true(verifier instanceof HunterEmailVerifier);
  t.is(verifier.name, 'hunter');
  t.false(JSON.stringify(calls).includes(HUNTER_KEY));
});
