import test from 'ava';

import { sanitizeProfile } from '../../enrichment/sanitizeProfile.js';
import type { EnrichedProfile, EnrichmentResult } from '../../enrichment/ProfileEnricher.js';
import { FakeProfileEnricher, fakeProfileFor } from './FakeProfileEnricher.js';

/** The profile of a `found` answer; fails the test's expectations otherwise. */
function foundProfile(result: EnrichmentResult): EnrichedProfile {
  if (result.kind !== 'found') throw new Error(`expected found, got ${result.kind}`);
  return result.profile;
}

test('names come from the local part', (t) => {
  t.like(foundProfile(fakeProfileFor('ada.lovelace@example.com')), {
    first_name: 'Ada',
    last_name: 'Lovelace',
  });
  t.like(foundProfile(fakeProfileFor('grace_brewster_hopper@example.com')), {
    first_name: 'Grace',
    last_name: 'Hopper',
  });
  t.like(foundProfile(fakeProfileFor('alan-turing@example.com')), {
    first_name: 'Alan',
    last_name: 'Turing',
  });
});

test('one word gives a first name and no last name', (t) => {
  const profile = foundProfile(fakeProfileFor('ada@example.com'));
  t.is(profile.first_name, 'Ada');
  t.false('last_name' in profile);
});

test('a local part without letters gives no names, but still a profile', (t) => {
  const profile = foundProfile(fakeProfileFor('12345@example.com'));
  t.false('first_name' in profile);
  t.false('last_name' in profile);
  t.is(profile.city, 'London');
});

test('letter case and surrounding spaces do not matter', (t) => {
  t.deepEqual(
    fakeProfileFor('  Ada.Lovelace@Example.COM '),
    fakeProfileFor('ada.lovelace@example.com'),
  );
});

test('the same address always gets the same answer', (t) => {
  for (const email of ['ada.lovelace@example.com', 'nobody@example.com', 'info@example.com']) {
    t.deepEqual(fakeProfileFor(email), fakeProfileFor(email), email);
  }
});

test('different people get different sites and avatars', (t) => {
  const ada = foundProfile(fakeProfileFor('ada@example.com'));
  const bob = foundProfile(fakeProfileFor('bob@example.com'));
  t.not(ada.site, bob.site);
  t.not(ada.avatar, bob.avatar);
});

for (const email of ['nobody@example.com', 'nobody2@example.org', 'Nobody.Home@example.com']) {
  test(`${email} is not found`, (t) => {
    t.deepEqual(fakeProfileFor(email), { kind: 'not_found' });
  });
}

test('nobody only counts at the start of the local part', (t) => {
  t.is(fakeProfileFor('somebody@example.com').kind, 'found');
  t.is(fakeProfileFor('ada@nobody.example.com').kind, 'found');
});

for (const role of ['info', 'admin', 'support', 'sales', 'contact', 'noreply']) {
  test(`the role address ${role}@ is invalid input`, (t) => {
    t.deepEqual(fakeProfileFor(`${role}@example.com`), { kind: 'invalid_input' });
    t.deepEqual(fakeProfileFor(`${role.toUpperCase()}@example.com`), { kind: 'invalid_input' });
  });
}

test('a person whose name merely starts like a role is found', (t) => {
  t.is(fakeProfileFor('information.officer@example.com').kind, 'found');
  t.is(fakeProfileFor('salesforce.fan@example.com').kind, 'found');
});

test('every found profile passes validation unchanged', (t) => {
  for (const email of [
    'ada.lovelace@example.com',
    'ada+plaza@example.com',
    "o'brien@example.com",
    'weird%20<script>@example.com',
    'ünïcødé@example.com',
    'x@example.com',
  ]) {
    const profile = foundProfile(fakeProfileFor(email));
    t.deepEqual(sanitizeProfile(profile), profile, email);
  }
});

test('site and avatar are http(s) URLs on example.com, even for odd addresses', (t) => {
  for (const email of [
    'ada@example.com',
    'a/../../b?c#d@example.com',
    'javascript:x@example.com',
  ]) {
    const profile = foundProfile(fakeProfileFor(email));
    for (const link of [profile.site, profile.avatar]) {
      const url = new URL(link!);
      t.true(url.protocol === 'https:' || url.protocol === 'http:', link);
      t.is(url.hostname, 'example.com', link);
    }
  }
});

test('the place is a fixed, valid location', (t) => {
  t.like(foundProfile(fakeProfileFor('ada@example.com')), {
    city: 'London',
    country: 'GB',
    lat: 51.5074,
    lng: -0.1278,
  });
});

test('the enricher answers what fakeProfileFor says, after its delay', async (t) => {
  const enricher = new FakeProfileEnricher({ delayMs: 30 });
  t.is(enricher.name, 'fake-clearbit');
  const started = Date.now();
  t.deepEqual(
    await enricher.lookUp('ada.lovelace@example.com'),
    fakeProfileFor('ada.lovelace@example.com'),
  );
  t.true(Date.now() - started >= 25);
  t.deepEqual(await enricher.lookUp('nobody@example.com'), { kind: 'not_found' });
});

test('the enricher can answer at once', async (t) => {
  const result = await new FakeProfileEnricher({ delayMs: 0 }).lookUp('info@example.com');
  t.deepEqual(result, { kind: 'invalid_input' });
});
