/**
 * `@plaza/core`: embed Plaza in a Node app. This root is the embedding API only (what
 * `createPlaza` takes and returns, the provider ports and their adapters, events, errors);
 * server plumbing lives behind `@plaza/core/host`. `publicSurface.test.ts` pins the list.
 */
export { createPlaza, type Plaza } from './createPlaza.js';
// For a host that runs its own migration step (`createPlaza({ knex, migrate: false })`).
export { migratePlaza, type MigratePlazaOptions } from './adapters/db/migratePlaza.js';
export type {
  PlazaOptions,
  HunterOptions,
  ScryptCost,
  LoginThrottleOptions,
  EnrichmentOptions,
  EnrichmentProviderName,
  ClearbitOptions,
} from './config.js';
export {
  PlazaError,
  isPlazaError,
  ConfigError,
  type ErrorCode,
  type PlazaErrorOptions,
} from './errors.js';
export { DatabaseUnavailable } from './adapters/db/DatabaseUnavailable.js';
export { silentLogger, type Logger } from './logger.js';
/** What the services' methods also take: parameters as they arrived, checked by the service. */
export type { RawParams } from './shared/input.js';

export type { Users, SignUpResult, ProfilePage } from './users/Users.js';
export type { Profile } from './users/Profile.js';
export type { AuthorSummary } from './users/AuthorSummary.js';
export type {
  SignUpInput,
  ProfileInput,
  UsernameLookupInput,
  UpdateProfileInput,
} from './users/userInputs.js';
export type { FollowInput, FollowListInput } from './follows/followInputs.js';
export type { Auth, LoginContext, VerifiedToken } from './auth/Auth.js';
export type { LoginInput, VerifyTokenInput, ChangePasswordInput } from './auth/authInputs.js';
export type { IssuedToken, IssuedSession } from './auth/TokenIssuer.js';
export type { SessionContext, SessionView, SessionList } from './sessions/Sessions.js';
export type { RefreshInput } from './sessions/sessionInputs.js';
export type { Posts, PostView, PostPage } from './posts/Posts.js';
export type {
  CreatePostInput,
  PostIdInput,
  ListPostsInput,
  EditPostInput,
  FeedInput,
} from './posts/postInputs.js';
export type { Likes } from './likes/Likes.js';
export type {
  Account,
  AccountExport,
  ExportedAccount,
  ExportedPost,
  ExportedComment,
  ExportedLike,
  ExportedFollow,
  ExportedSession,
  ExportedEnrichmentJob,
} from './account/Account.js';
export type { DeleteAccountInput } from './account/accountInputs.js';
export type { Activity, UserActivity } from './activity/Activity.js';
export type { ActivityInput } from './activity/activityInputs.js';
export type { Comments, CommentView, CommentPage } from './comments/Comments.js';
export type {
  CreateCommentInput,
  ListCommentsInput,
  CommentIdInput,
} from './comments/commentInputs.js';
export type { Analytics, LikesByDay, LikesOnDay } from './analytics/Analytics.js';
export type { LikesByDayInput } from './analytics/analyticsInputs.js';
export type { Enrichment, EnrichmentRequest } from './enrichment/Enrichment.js';
export type {
  Notifications,
  NotificationView,
  NotificationPage,
  KeptNotification,
  Replay,
} from './inbox/Notifications.js';
export type { ListNotificationsInput, MarkNotificationsReadInput } from './inbox/inboxInputs.js';

export {
  SkippingEmailVerifier,
  type EmailVerifier,
  type EmailVerdict,
  type EmailVerdictStatus,
} from './users/EmailVerifier.js';
export { HunterEmailVerifier } from './adapters/hunter/HunterEmailVerifier.js';
export { FakeEmailVerifier } from './adapters/fake/FakeEmailVerifier.js';
export type {
  ProfileEnricher,
  EnrichmentResult,
  EnrichmentKind,
  EnrichedProfile,
} from './enrichment/ProfileEnricher.js';
// For your own ProfileEnricher: what a provider says, cleaned as Plaza's own adapters clean it.
export { sanitizeProfile } from './enrichment/sanitizeProfile.js';
export { ClearbitProfileEnricher } from './adapters/clearbit/ClearbitProfileEnricher.js';
export { HunterPeopleEnricher } from './adapters/hunter/HunterPeopleEnricher.js';
export { FakeProfileEnricher } from './adapters/fake/FakeProfileEnricher.js';

export type { RateLimitStore } from './limits/RateLimitStore.js';
export { InMemoryRateLimitStore } from './limits/InMemoryRateLimitStore.js';

export type { EventBus, EventListener, Unsubscribe } from './events/EventBus.js';
export {
  PLAZA_EVENT_TYPES,
  type PlazaEvents,
  type PlazaEvent,
  type PlazaEventType,
  type PostLikeChange,
  type PostEdited,
  type PostDeleted,
  type CommentCreated,
  type UserFollowed,
  type InboxPlaced,
  type InboxPlacedForMany,
} from './events/PlazaEvents.js';
export { InProcessEventBus } from './events/InProcessEventBus.js';
