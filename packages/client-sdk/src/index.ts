export { createClient, type ClientOptions, type PlazaClient } from './createClient.js';
export {
  PlazaApiError,
  PlazaNetworkError,
  isPlazaApiError,
  isPlazaNetworkError,
  type PlazaErrorCode,
  type PlazaApiErrorDetails,
} from './errors.js';
export type { FetchFunction } from './http.js';
export type { AuthApi, UsersApi, PostsApi, LikesApi } from './namespaces.js';
export type { LiveEvents, ReconnectSettings } from './LiveEvents.js';
export type { ProfilesApi, ProfileChanges, FollowQuery, ProfilePage } from './follows.js';
export type { ActivityApi, UserActivity } from './activity.js';
export type {
  AccountApi,
  AccountExport,
  ExportedAccount,
  ExportedPost,
  ExportedComment,
  ExportedLike,
  ExportedFollow,
  ExportedSession,
  ExportedEnrichmentJob,
} from './account.js';
export type {
  LiveEventMap,
  LiveEventType,
  LiveEventListener,
  PostLikeChange,
  CommentCreated,
  UserFollowed,
  InboxEvent,
  ConnectionState,
} from './liveEventTypes.js';
export type { CommentsApi, Comment, CommentQuery, CommentPage } from './comments.js';
export type {
  NotificationsApi,
  Notification,
  NotificationQuery,
  NotificationPage,
} from './notifications.js';
export type { Unsubscribe, StoredTokens } from './TokenStore.js';
export type { SignedInSession, SignedInSessions, SignedOutEvent } from './sessions.js';
export type { WebSocketLike, WebSocketConstructor } from './webSocketLike.js';
export type {
  Profile,
  SignUpInput,
  Session,
  NewPost,
  Post,
  PostQuery,
  PostPage,
  PostChanges,
  AuthorSummary,
} from './types.js';
export type { FeedApi, FeedQuery } from './feed.js';
export type { AnalyticsApi, LikesByDay, LikesOnDay, LikesByDayQuery } from './analytics.js';
