import { Model } from 'objection';

/** A person with an account. Bound to one database per Plaza instance with `bindKnex`. */
export class User extends Model {
  static override get tableName(): string {
    return 'users';
  }

  declare id: number;
  declare username: string;
  declare username_key: string;
  /** What the name looks like (usernameSkeleton); null only for look-alikes older than it. */
  declare username_skeleton: string | null;
  declare email: string;
  declare email_verdict: string;
  declare password_hash: string;
  /** Raised to invalidate every token issued before; tokens carry it as `ver`. */
  declare token_version: number;
  declare first_name: string | null;
  declare last_name: string | null;
  declare birth_date: string | null;
  declare location: string | null;
  declare city: string | null;
  declare state: string | null;
  declare country: string | null;
  declare lat: number | null;
  declare lng: number | null;
  declare bio: string | null;
  declare site: string | null;
  declare avatar: string | null;
  /** Kept with the `follows` rows, in the transaction that adds or removes one. */
  declare followers_count: number;
  declare following_count: number;
  declare created_at: string | Date;
  declare updated_at: string | Date;
}

/** The profile fields a person may fill in at sign-up, and that enrichment may fill later. */
export const PROFILE_FIELDS = [
  'first_name',
  'last_name',
  'birth_date',
  'location',
  'city',
  'state',
  'country',
  'lat',
  'lng',
  'bio',
  'site',
  'avatar',
] as const;

export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** One spelling per name: "Ada", "ADA" and "ａｄａ" are the same username. */
export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase();
