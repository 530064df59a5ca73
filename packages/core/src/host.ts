/**
 * `@plaza/core/host`: what Plaza's own server, benchmarks and test kit need beyond the
 * embedding API. Not a stable API: names here may change in any release. Embedders use the
 * root export (`@plaza/core`).
 */

// Configuration: every setting declared once (plazaSettings), read from the environment.
export {
  parseDatabaseUrl,
  definedOnly,
  OWASP_SCRYPT_COST,
  DEFAULT_DATABASE_URL,
  DEFAULT_CLEARBIT_URL,
  ENRICHMENT_PROVIDERS,
  type DatabaseLocation,
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

// Error factories and the contract's messages, for the HTTP layer.
export {
  MISSING_PARAM_MESSAGE,
  NOT_FOUND_MESSAGE,
  EMAIL_DOES_NOT_VERIFY_MESSAGE,
  PASSWORD_TOO_WEAK_MESSAGE,
  USERNAME_TAKEN_MESSAGE,
  INVALID_TOKEN_MESSAGE,
  WRONG_CREDENTIALS_MESSAGE,
  HUNTER_UNAVAILABLE_MESSAGE,
  OVERLOADED_MESSAGE,
  TOO_MANY_LOGINS_MESSAGE,
  TOO_MANY_REQUESTS_MESSAGE,
  MIN_JWT_SECRET_BYTES_MESSAGE,
  missingParam,
  malformedParam,
  objectNotFound,
  emailDoesNotVerify,
  passwordTooWeak,
  usernameTaken,
  invalidToken,
  wrongCredentials,
  emailVerifierUnavailable,
  overloaded,
  tooManyLogins,
  tooManyRequests,
} from './errors.js';

// Request parameters: specs and parsing.
export {
  parseInput,
  required,
  optional,
  type Parsed,
  type InputSpec,
  type Field,
} from './shared/input.js';
export {
  signUpInput,
  profileInput,
  usernameLookupInput,
  updateProfileInput,
} from './users/userInputs.js';
export { followInput, followListInput } from './follows/followInputs.js';
export {
  AUTHOR_SUMMARY_COLUMNS,
  toAuthorSummary,
  type AuthorSummarySource,
} from './users/AuthorSummary.js';
export { loginInput, verifyTokenInput, changePasswordInput } from './auth/authInputs.js';
export { refreshInput } from './sessions/sessionInputs.js';
export { MAX_LISTED_SESSIONS } from './sessions/SessionStore.js';
export { MAX_DEVICE_LABEL_LENGTH } from './sessions/deviceLabel.js';
export {
  createPostInput,
  postIdInput,
  listPostsInput,
  editPostInput,
  feedInput,
} from './posts/postInputs.js';
export { deleteAccountInput } from './account/accountInputs.js';
export { activityInput } from './activity/activityInputs.js';
export {
  createCommentInput,
  listCommentsInput,
  commentIdInput,
  MAX_COMMENT_TEXT_LENGTH,
} from './comments/commentInputs.js';
export { likesByDayInput, MAX_ANALYTICS_DAYS } from './analytics/analyticsInputs.js';
export { canonicalIp, clientNetwork } from './shared/clientNetwork.js';
export { listNotificationsInput, markNotificationsReadInput } from './inbox/inboxInputs.js';
export {
  notificationFields,
  NOTIFICATION_TYPES,
  type NotifiedEvent,
  type NotificationType,
} from './inbox/notificationFields.js';
export { DEFAULT_INBOX_RETENTION, type InboxRetention } from './inbox/InboxWriter.js';

// Defaults and settings of the parts createPlaza wires.
export { DEFAULT_TOKEN_VERSION_SETTINGS, type TokenVersionSettings } from './auth/TokenVersions.js';
export { DEFAULT_LOGIN_THROTTLE, type LoginThrottleSettings } from './auth/LoginThrottle.js';
export {
  FAILURE_REASONS,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from './enrichment/retryPolicy.js';
export { DEFAULT_WORKER_SETTINGS } from './enrichment/workerSettings.js';
export { ENRICHABLE_FIELDS } from './enrichment/fillEmptyFields.js';
export { fakeProfileFor } from './adapters/fake/FakeProfileEnricher.js';
export type { EnrichmentJobRow, EnrichmentJobState } from './enrichment/EnrichmentJobs.js';
export { enrichmentJobsOf } from './enrichment/enrichmentJobsOf.js';
// Takes Plaza's knex; createPlaza starts it by itself on PostgreSQL.
export { PostgresEventBus, type PostgresEventBusOptions } from './events/PostgresEventBus.js';

// The database, for @plaza/testkit and the benchmarks.
export { createKnex, dialectOf, type Dialect } from './adapters/db/createKnex.js';
export { migrateToLatest } from './adapters/db/migrateToLatest.js';
export { selectRows } from './adapters/db/selectRows.js';
