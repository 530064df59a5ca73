/**
 * What an email verifier concluded. `status` is kept on the user record.
 * - accepted statuses: the address may sign up;
 * - rejected statuses: sign-up fails with USR_03.
 */
export type EmailVerdict =
  | {
      readonly deliverable: true;
      readonly status: 'valid' | 'accept_all' | 'webmail' | 'unknown' | 'unverified' | 'skipped';
    }
  | { readonly deliverable: false; readonly status: 'invalid' | 'disposable' };

export type EmailVerdictStatus = EmailVerdict['status'];

/**
 * Port: decides whether an email address may be used to sign up.
 * Implementations throw `emailVerifierUnavailable()` (EXT_01) when they cannot decide.
 *
 * @example const verdict = await verifier.verify('ada@example.com')
 */
export interface EmailVerifier {
  /** A short name for logs, never containing a secret. */
  readonly name: string;
  verify(email: string): Promise<EmailVerdict>;
}

/** Used when no verifier key is configured: every address is accepted, marked `skipped`. */
export class SkippingEmailVerifier implements EmailVerifier {
  readonly name = 'none';
  verify(): Promise<EmailVerdict> {
    return Promise.resolve({ deliverable: true, status: 'skipped' });
  }
}
