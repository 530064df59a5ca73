export { createPlaza, type Plaza } from './createPlaza.js';
export { migratePlaza, type MigratePlazaOptions } from './adapters/db/migratePlaza.js';
export {
  parseDatabaseUrl,
  definedOnly,
  OWASP_SCRYPT_COST,
  DEFAULT_DATABASE_URL,
  type PlazaOptions,
  type HunterOptions,
  type ScryptCost,
  type DatabaseLocation,
  type LoginThrottleOptions,
} from './config.js';
export { PLAZA_SETTINGS, PLAZA_SETTING, plazaOptionsFromEnv } from './plazaSettings.js';
export {
  declareSettings,
  readSetting,
  settingOrDefault,
  describeSetting,
  defaultOf,
  defaultValueText,
  wholeNumber,
  onOff,
  oneOf,
  text,
  checkedText,
  type Setting,
  type SettingSpec,
  type SettingKind,
  type SettingGroup,
  type SettingDescription,
} from './setting.js';
export { editDistance } from './shared/editDistance.js';
export * from './errors.js';
export { DatabaseUnavailable } from './adapters/db/DatabaseUnavailable.js';
export { silentLogger, type Logger } from './logger.js';
export {
  parseInput,
  required,
  optional,
  type Parsed,
  type RawParams,
  type InputSpec,
  type Field,
} from './shared/input.js';
export {
  SkippingEmailVerifier,
  type EmailVerifier,
  type EmailVerdict,
  type EmailVerdictStatus,
} from './users/EmailVerifier.js';
export { HunterEmailVerifier } from './adapters/hunter/HunterEmailVerifier.js';
export { FakeEmailVerifier } from './adapters/fake/FakeEmailVerifier.js';
export {
  signUpInput,
  profileInput,
  type SignUpInput,
  type ProfileInput,
} from './users/userInputs.js';
export type { Profile } from './users/Profile.js';
export type { SignUpResult, UserService } from './users/UserService.js';
export {
  loginInput,
  verifyTokenInput,
  changePasswordInput,
  type LoginInput,
  type VerifyTokenInput,
  type ChangePasswordInput,
} from './auth/authInputs.js';
export type { AuthService, LoginContext, VerifiedToken } from './auth/AuthService.js';
export { DEFAULT_TOKEN_VERSION_SETTINGS, type TokenVersionSettings } from './auth/TokenVersions.js';
export { DEFAULT_LOGIN_THROTTLE, type LoginThrottleSettings } from './auth/LoginThrottle.js';
export { canonicalIp, clientNetwork } from './shared/clientNetwork.js';
export type { RateLimitStore } from './limits/RateLimitStore.js';
export { InMemoryRateLimitStore } from './limits/InMemoryRateLimitStore.js';
export type { IssuedToken } from './auth/TokenIssuer.js';
export {
  createPostInput,
  postIdInput,
  listPostsInput,
  type CreatePostInput,
  type PostIdInput,
  type ListPostsInput,
} from './posts/postInputs.js';
export type { PostView, PostPage, PostService } from './posts/PostService.js';
export type { LikeService } from './likes/LikeService.js';
export type {
  ProfileEnricher,
  EnrichmentResult,
  EnrichmentKind,
  EnrichedProfile,
} from './enrichment/ProfileEnricher.js';
export { sanitizeProfile } from './enrichment/sanitizeProfile.js';
export { ClearbitProfileEnricher } from './adapters/clearbit/ClearbitProfileEnricher.js';
export { HunterPeopleEnricher } from './adapters/hunter/HunterPeopleEnricher.js';
export type { EventBus, EventListener, Unsubscribe } from './events/EventBus.js';
export {
  PLAZA_EVENT_TYPES,
  type PlazaEvents,
  type PlazaEvent,
  type PlazaEventType,
  type PostLikeChange,
} from './events/PlazaEvents.js';
export { InProcessEventBus } from './events/InProcessEventBus.js';
export { PostgresEventBus, type PostgresEventBusOptions } from './events/PostgresEventBus.js';
export {
  ENRICHMENT_PROVIDERS,
  DEFAULT_CLEARBIT_URL,
  type EnrichmentOptions,
  type EnrichmentProviderName,
  type ClearbitOptions,
} from './config.js';
export type { EnrichmentService, EnrichmentRequest } from './enrichment/EnrichmentService.js';
export type { EnrichmentJobRow, EnrichmentJobState } from './enrichment/EnrichmentJobs.js';
export {
  FAILURE_REASONS,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from './enrichment/retryPolicy.js';
export { DEFAULT_WORKER_SETTINGS } from './enrichment/workerSettings.js';
export { ENRICHABLE_FIELDS } from './enrichment/fillEmptyFields.js';
export { FakeProfileEnricher, fakeProfileFor } from './adapters/fake/FakeProfileEnricher.js';
