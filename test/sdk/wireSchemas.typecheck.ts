/**
 * The SDK's wire types against the route catalog's declarations, the ones `/openapi.json` is
 * generated from and every API test answer is checked against: `tsc -b` fails when they part.
 * Nothing here runs.
 */
import type { z } from 'zod';
import type * as sdk from '@plaza/client-sdk';
import type { ROUTES, WIRE_SCHEMAS } from '@plaza/server-koa';

/** Compiles only when its type argument is `true`. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- an assertion on types only
const holds = <_Proof extends true>(): void => undefined;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** What a declared wire schema gives a client, after JSON parsing. */
type Wire<K extends keyof typeof WIRE_SCHEMAS> = z.infer<(typeof WIRE_SCHEMAS)[K]>;
/** The `data` of a route's success answer. */
type DataOf<R extends keyof typeof ROUTES> = (typeof ROUTES)[R]['answer'] extends {
  schema: infer S extends z.ZodType;
}
  ? z.infer<S> extends { data: infer D }
    ? D
    : never
  : never;
type Resolved<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

holds<Same<Wire<'Profile'>, sdk.Profile>>();
holds<Same<Wire<'Session'>, sdk.Session>>();
holds<Same<Wire<'Post'>, sdk.Post>>();
holds<Same<keyof Wire<'PostPage'>, keyof sdk.PostPage>>();
holds<Same<Wire<'PostPage'>['posts'][number], sdk.PostPage['posts'][number]>>();
holds<Same<Wire<'PostPage'>['next'], sdk.PostPage['next']>>();

// Each SDK call resolves with the `data` its route declares.
holds<Same<DataOf<'signUp'>, Resolved<sdk.AuthApi['signup']>>>();
holds<Same<DataOf<'login'>, Resolved<sdk.AuthApi['login']>>>();
holds<Same<DataOf<'changePassword'>, Resolved<sdk.AuthApi['changePassword']>>>();
holds<Same<DataOf<'refreshToken'>, Resolved<sdk.AuthApi['refresh']>>>();
holds<Same<keyof DataOf<'listSessions'>, keyof Resolved<sdk.AuthApi['sessions']>>>();
holds<
  Same<
    DataOf<'listSessions'>['sessions'][number],
    Resolved<sdk.AuthApi['sessions']>['sessions'][number]
  >
>();
holds<Same<Wire<'SignedInSession'>, sdk.SignedInSession>>();
holds<Same<DataOf<'verifyToken'>, Resolved<sdk.AuthApi['verify']>>>();
holds<Same<DataOf<'showProfile'>, Resolved<sdk.UsersApi['get']>>>();
holds<Same<DataOf<'createPost'>, Resolved<sdk.PostsApi['create']>>>();
holds<Same<DataOf<'readPost'>, Resolved<sdk.PostsApi['get']>>>();
holds<Same<DataOf<'listPosts'>['posts'][number], Resolved<sdk.PostsApi['get']>>>();
holds<Same<DataOf<'listLikers'>['user_ids'][number], Resolved<sdk.PostsApi['likers']>[number]>>();
holds<Same<DataOf<'exportAccount'>, Resolved<sdk.AccountApi['export']>>>();
holds<Same<Wire<'AccountExport'>, sdk.AccountExport>>();
holds<Same<DataOf<'userActivity'>, Resolved<sdk.ActivityApi['get']>>>();
holds<Same<Wire<'UserActivity'>, sdk.UserActivity>>();
holds<Same<DataOf<'createComment'>, Resolved<sdk.CommentsApi['create']>>>();
holds<Same<DataOf<'listComments'>['comments'][number], sdk.Comment>>();
holds<Same<DataOf<'listComments'>['next'], Resolved<sdk.CommentsApi['list']>['next']>>();
holds<Same<Wire<'Comment'>, sdk.Comment>>();

// The parameters the SDK sends are the ones the core's input specs declare.
holds<Same<keyof (typeof ROUTES)['signUp']['input'], keyof sdk.SignUpInput>>();
holds<Same<keyof (typeof ROUTES)['createPost']['input'], keyof sdk.NewPost>>();
holds<Same<keyof (typeof ROUTES)['listPosts']['input'], keyof sdk.PostQuery>>();
holds<
  Same<Exclude<keyof (typeof ROUTES)['listComments']['input'], 'post_id'>, keyof sdk.CommentQuery>
>();

// Every field of a declared error answer reaches the SDK's error.
holds<[Exclude<keyof Wire<'Error'>, keyof sdk.PlazaApiError>] extends [never] ? true : false>();
holds<Same<Wire<'Error'>['hint'], sdk.PlazaApiError['hint']>>();
holds<Same<DataOf<'likesByDay'>['days'][number], sdk.LikesOnDay>>();
holds<Same<DataOf<'likesByDayOriginal'>, DataOf<'likesByDay'>>>();
holds<Same<keyof (typeof ROUTES)['likesByDay']['input'], keyof sdk.LikesByDayQuery>>();
