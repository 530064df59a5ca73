import { required, type Parsed } from '../shared/input.js';
import { secret } from '../shared/values.js';

/** The parameters of `POST /api-token-auth/`. */
export const loginInput = {
  username: required(secret('username')),
  password: required(secret('password')),
};

export type LoginInput = Parsed<typeof loginInput>;

/** The parameters of `POST /api-token-verify/`. */
export const verifyTokenInput = { token: required(secret('token')) };

export type VerifyTokenInput = Parsed<typeof verifyTokenInput>;

/** The parameters of `POST /user/password`. */
export const changePasswordInput = {
  old_password: required(secret('old_password')),
  new_password: required(secret('new_password')),
};

export type ChangePasswordInput = Parsed<typeof changePasswordInput>;
