import type { EmailVerdict, EmailVerifier } from '../../users/EmailVerifier.js';

/** The throwaway-address domains the fake knows; subdomains count too. */
export const FAKE_DISPOSABLE_DOMAINS: readonly string[] = [
  'mailinator.com',
  'guerrillamail.com',
  '10minutemail.com',
  'yopmail.com',
];

/**
 * The fake's rules, shared with anything that must agree with it:
 * - no `@`, a domain `invalid` or ending in `.invalid` (RFC 2606), or a local part starting
 *   with `undeliverable` → `invalid` (Hunter answers 400 invalid_email for the first);
 * - a domain in {@link FAKE_DISPOSABLE_DOMAINS} → `disposable`;
 * - anything else → `valid`.
 *
 * @example fakeEmailVerdict('undeliverable+1@example.com') // { deliverable: false, status: 'invalid' }
 */
export function fakeEmailVerdict(email: string): EmailVerdict {
  const normalized = email.trim().toLowerCase();
  const at = normalized.lastIndexOf('@');
  if (at <= 0 || at === normalized.length - 1) return { deliverable: false, status: 'invalid' };
  const local = normalized.slice(0, at);
  const domain = normalized.slice(at + 1);
  if (domain === 'invalid' || domain.endsWith('.invalid') || local.startsWith('undeliverable')) {
    return { deliverable: false, status: 'invalid' };
  }
  const disposable = FAKE_DISPOSABLE_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
  if (disposable) return { deliverable: false, status: 'disposable' };
  return { deliverable: true, status: 'valid' };
}

/**
 * Deterministic offline stand-in for Hunter, used when PLAZA_PROVIDERS=fake.
 *
 * @example await new FakeEmailVerifier().verify('ada@mailinator.com') // disposable
 */
export class FakeEmailVerifier implements EmailVerifier {
  readonly name = 'fake-hunter';

  verify(email: string): Promise<EmailVerdict> {
    return Promise.resolve(fakeEmailVerdict(email));
  }
}
