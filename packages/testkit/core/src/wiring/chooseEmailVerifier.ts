import { FakeEmailVerifier } from '../adapters/fake/FakeEmailVerifier.js';
import { HunterEmailVerifier } from '../adapters/hunter/HunterEmailVerifier.js';
import { DEFAULT_HUNTER_URL, type PlazaOptions } from '../config.js';
import type { Logger } from '../logger.js';
import { SkippingEmailVerifier, type EmailVerifier } from '../users/EmailVerifier.js';

/**
 * The email verifier `options` ask for: the one passed in, the offline stand-in for Hunter
 * (`providers: 'fake'`), Hunter when it has a key, or else none (every email passes, with a
 * warning).
 *
 * @example const verifier = chooseEmailVerifier({ hunter: { apiKey } }, logger) // HunterEmailVerifier
 */
export function chooseEmailVerifier(options: PlazaOptions, logger: Logger): EmailVerifier {
  if (options.emailVerifier) return options.emailVerifier;
  if (options.providers === 'fake') {
    logger.warn(
      {},
      'PLAZA_PROVIDERS=fake: emails are checked by a built-in offline stand-in for Hunter',
    );
    return new FakeEmailVerifier();
  }
  const hunter = options.hunter ?? {};
  if (hunter.apiKey === undefined || hunter.apiKey === '') {
    logger.warn({}, 'HUNTER_API_KEY is not set: email verification is skipped');
    return new SkippingEmailVerifier();
  }
  return new HunterEmailVerifier({
    apiKey: hunter.apiKey,
    baseUrl: hunter.baseUrl ?? DEFAULT_HUNTER_URL,
    ...(hunter.timeoutMs === undefined
      ? {}
      : { timeoutMs: hunter.timeoutMs, budgetMs: Math.max(10_000, 2 * hunter.timeoutMs) }),
    ...(hunter.failOpen === undefined ? {} : { failOpen: hunter.failOpen }),
    logger,
  });
}
