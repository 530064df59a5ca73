import { ClearbitProfileEnricher } from '../adapters/clearbit/ClearbitProfileEnricher.js';
import { FakeProfileEnricher } from '../adapters/fake/FakeProfileEnricher.js';
import { HunterPeopleEnricher } from '../adapters/hunter/HunterPeopleEnricher.js';
import {
  DEFAULT_CLEARBIT_URL,
  DEFAULT_HUNTER_URL,
  type EnrichmentProviderName,
  type PlazaOptions,
} from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ProfileEnricher } from '../enrichment/ProfileEnricher.js';

const hasKey = (key: string | undefined): key is string => key !== undefined && key !== '';

/** The provider `options` ask for, by the documented defaults. */
export function enrichmentProviderOf(options: PlazaOptions): EnrichmentProviderName {
  const asked = options.enrichment?.provider;
  if (options.providers === 'fake' && asked !== 'none') return 'fake';
  if (asked !== undefined) return asked;
  return hasKey(options.enrichment?.clearbit?.apiKey) ? 'clearbit' : 'none';
}

/**
 * Builds the configured profile enricher, or `undefined` for `none`. A provider chosen without
 * its key is a ConfigError naming the key, not a failure at the first job.
 */
export function chooseProfileEnricher(
  options: PlazaOptions,
  logger: Logger,
): ProfileEnricher | undefined {
  const enricher = buildProfileEnricher(options, logger);
  if (enricher !== undefined && enricher.name !== 'fake-clearbit') {
    logger.info({ enricher: enricher.name }, `profiles are enriched by ${enricher.name}`);
  }
  return enricher;
}

function buildProfileEnricher(options: PlazaOptions, logger: Logger): ProfileEnricher | undefined {
  const enrichment = options.enrichment ?? {};
  if (enrichment.enricher) return enrichment.enricher;
  const timeout = enrichment.timeoutMs === undefined ? {} : { timeoutMs: enrichment.timeoutMs };
  switch (enrichmentProviderOf(options)) {
    case 'none':
      logger.info({}, 'no enrichment provider is configured: profiles are not enriched');
      return undefined;
    case 'fake':
      logger.warn({}, 'profiles are enriched by a built-in offline stand-in for Clearbit');
      return new FakeProfileEnricher();
    case 'clearbit': {
      const apiKey = enrichment.clearbit?.apiKey;
      if (!hasKey(apiKey)) {
        throw new ConfigError('ENRICHMENT_PROVIDER=clearbit needs CLEARBIT_API_KEY.');
      }
      return new ClearbitProfileEnricher({
        apiKey,
        baseUrl: enrichment.clearbit?.baseUrl ?? DEFAULT_CLEARBIT_URL,
        ...timeout,
        logger,
      });
    }
    case 'hunter': {
      const apiKey = options.hunter?.apiKey;
      if (!hasKey(apiKey))
        throw new ConfigError('ENRICHMENT_PROVIDER=hunter needs HUNTER_API_KEY.');
      return new HunterPeopleEnricher({
        apiKey,
        baseUrl: options.hunter?.baseUrl ?? DEFAULT_HUNTER_URL,
        ...timeout,
        logger,
      });
    }
  }
}
