import test from 'ava';

import type { EmailVerdict } from '../../users/EmailVerifier.js';
import { FakeEmailVerifier } from './FakeEmailVerifier.js';

const cases: ReadonlyArray<readonly [string, EmailVerdict]> = [
  ['ada@example.com', { deliverable: true, status: 'valid' }],
  ['Ada.Lovelace@Example.ORG', { deliverable: true, status: 'valid' }],
  ['ada@invalid-domain.com', { deliverable: true, status: 'valid' }],
  ['ada@example.invalid', { deliverable: false, status: 'invalid' }],
  ['ada@mail.example.INVALID', { deliverable: false, status: 'invalid' }],
  ['undeliverable@example.com', { deliverable: false, status: 'invalid' }],
  ['Undeliverable+7@example.com', { deliverable: false, status: 'invalid' }],
  ['not-an-address', { deliverable: false, status: 'invalid' }],
  ['ada@mailinator.com', { deliverable: false, status: 'disposable' }],
  ['ada@guerrillamail.com', { deliverable: false, status: 'disposable' }],
  ['ada@10minutemail.com', { deliverable: false, status: 'disposable' }],
  ['ada@YOPMAIL.com', { deliverable: false, status: 'disposable' }],
  ['ada@notmailinator.com', { deliverable: true, status: 'valid' }],
];

for (const [email, expected] of cases) {
  test(`fake verdict for ${email} is ${expected.status}`, async (t) => {
    t.deepEqual(await new FakeEmailVerifier().verify(email), expected);
  });
}

test('the fake names itself fake-hunter and answers the same way every time', async (t) => {
  const verifier = new FakeEmailVerifier();
  t.is(verifier.name, 'fake-hunter');
  const first = await verifier.verify('ada@yopmail.com');
  const second = await verifier.verify('ada@yopmail.com');
  t.deepEqual(first, second);
});
