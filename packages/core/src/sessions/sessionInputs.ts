import { required, type Parsed } from '../shared/input.js';
import { secret } from '../shared/values.js';

/** The parameters of `POST /api-token-refresh/`. */
export const refreshInput = { refresh_token: required(secret('refresh_token')) };

export type RefreshInput = Parsed<typeof refreshInput>;
