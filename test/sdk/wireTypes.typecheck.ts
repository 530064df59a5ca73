/**
 * The SDK declares the wire types itself, so that it depends on nothing of the server's;
 * this file keeps them from drifting from what the core answers. `tsc -b` fails when they
 * part: nothing here runs.
 */
import type * as core from '@plaza/core';
import type * as sdk from '@plaza/client-sdk';
import type * as server from '@plaza/server-koa';

/** Compiles only when its type argument is `true`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- an assertion on types only
const holds = <_Proof extends true>(): void => undefined;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** An event as its JSON frame carries it: the inbox place as the frame's `id`. */
type Framed<T> = Omit<T, 'inbox_id' | 'inbox_after'> & { readonly id: number };

holds<Same<core.Profile, sdk.Profile>>();
holds<Same<core.PostView, sdk.Post>>();
holds<Same<keyof core.PostPage, keyof sdk.PostPage>>();
holds<Same<core.SignUpResult, sdk.Session>>();
holds<Same<core.SessionView, sdk.SignedInSession>>();
holds<Same<keyof core.SignUpInput, keyof sdk.SignUpInput>>();
holds<Same<keyof core.CreatePostInput, keyof sdk.NewPost>>();
holds<Same<keyof core.ListPostsInput, keyof sdk.PostQuery>>();
// auth.changePassword(oldPassword, newPassword) sends these two names.
holds<Same<keyof core.ChangePasswordInput, 'old_password' | 'new_password'>>();
// Every code the server can send is one the SDK knows.
holds<core.ErrorCode extends sdk.PlazaErrorCode ? true : false>();
// Every field of an error answer reaches the SDK's error, as the same type.
holds<[Exclude<keyof server.ErrorBody, keyof sdk.PlazaApiError>] extends [never] ? true : false>();
holds<Same<core.PlazaError['hint'], sdk.PlazaApiError['hint']>>();
// The events the JSON protocol sends, minus what it leaves out (the author, who is the receiver).
holds<Same<Framed<Omit<core.PostLikeChange, 'author_id'>>, sdk.PostLikeChange>>();
holds<Same<Framed<core.PlazaEvents['enrichment.failed']>, sdk.LiveEventMap['enrichment.failed']>>();
holds<Same<Framed<Omit<core.CommentCreated, 'author_id'>>, sdk.CommentCreated>>();
holds<Same<core.CommentView, sdk.Comment>>();
holds<Same<core.AuthorSummary, sdk.AuthorSummary>>();
holds<Same<keyof core.CommentPage, keyof sdk.CommentPage>>();
holds<Same<Exclude<keyof core.ListCommentsInput, 'post_id'>, keyof sdk.CommentQuery>>();
holds<
  Same<Framed<core.PlazaEvents['enrichment.completed']>, sdk.LiveEventMap['enrichment.completed']>
>();
// The export, field for field (the SDK's lists are plain arrays).
holds<Same<core.ExportedAccount, sdk.ExportedAccount>>();
holds<Same<keyof core.AccountExport, keyof sdk.AccountExport>>();
holds<Same<core.AccountExport['posts'][number], sdk.ExportedPost>>();
holds<Same<core.AccountExport['comments'][number], sdk.ExportedComment>>();
holds<Same<core.AccountExport['likes'][number], sdk.ExportedLike>>();
holds<Same<core.AccountExport['following'][number], sdk.ExportedFollow>>();
holds<Same<core.AccountExport['sessions'][number], sdk.ExportedSession>>();
holds<Same<core.AccountExport['enrichment_jobs'][number], sdk.ExportedEnrichmentJob>>();
holds<Same<keyof core.DeleteAccountInput, 'password'>>();
holds<Same<core.UserActivity, sdk.UserActivity>>();
holds<Same<keyof core.ActivityInput, 'user_id'>>();
// user.followed goes to the followed user, so their own id is left out.
holds<Same<Framed<Omit<core.UserFollowed, 'user_id'>>, sdk.UserFollowed>>();
// The inbox: its query, and an entry's fields beside the event's.
holds<Same<keyof core.ListNotificationsInput, keyof sdk.NotificationQuery>>();
holds<Same<keyof core.NotificationPage, keyof sdk.NotificationPage>>();
holds<Same<keyof core.ProfilePage, keyof sdk.ProfilePage>>();
holds<Same<keyof core.FollowListInput, keyof sdk.FollowQuery | 'user_id'>>();
holds<Same<keyof core.UpdateProfileInput, keyof sdk.ProfileChanges>>();
holds<Same<core.LikesOnDay, sdk.LikesOnDay>>();
holds<Same<keyof core.LikesByDay, keyof sdk.LikesByDay>>();
holds<Same<keyof core.LikesByDayInput, keyof sdk.LikesByDayQuery>>();
