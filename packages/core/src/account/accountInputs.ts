import { required, type Parsed } from '../shared/input.js';
import { secret } from '../shared/values.js';

/** The parameters of `POST /user/delete`: the account's password, asked again. */
export const deleteAccountInput = {
  password: required(secret('password')),
};

export type DeleteAccountInput = Parsed<typeof deleteAccountInput>;
