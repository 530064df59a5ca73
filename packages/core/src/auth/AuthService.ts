import type { ModelClass } from 'objection';
import { wrongCredentials } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseInput } from '../shared/input.js';
import type { PasswordPolicy } from '../users/PasswordPolicy.js';
import { usernameKey, type User } from '../users/User.js';
import {
  loginInput,
  verifyTokenInput,
  type LoginInput,
  type VerifyTokenInput,
} from './authInputs.js';
import type { PasswordHasher } from './PasswordHasher.js';
import type { IssuedToken, TokenIssuer } from './TokenIssuer.js';

export interface AuthServiceDependencies {
  readonly User: ModelClass<User>;
  readonly policy: PasswordPolicy;
  readonly hasher: PasswordHasher;
  readonly tokens: TokenIssuer;
  readonly logger: Logger;
}

/** Logins and tokens. */
export class AuthService {
  readonly #deps: AuthServiceDependencies;

  constructor(deps: AuthServiceDependencies) {
    this.#deps = deps;
  }

  /**
   * Exchanges a username and password for a token. An unknown user and a wrong password
   * get the same AUT_02 after the same amount of hashing.
   *
   * @example const { token } = await plaza.auth.login({ username: 'ada', password })
   */
  async login(raw: LoginInput): Promise<IssuedToken> {
    const { username, password } = parseInput(loginInput, raw);
    const { User, policy, hasher, tokens, logger } = this.#deps;
    // No stored password is this long, so it cannot match; refuse it before any hashing.
    if (policy.isTooLong(password)) throw wrongCredentials();

    const user = await User.query()
      .select('id', 'password_hash')
      .findOne({ username_key: usernameKey(username) });
    if (!user) {
      await hasher.verifyAgainstDummy(password);
      throw wrongCredentials();
    }
    if (!(await hasher.verify(user.password_hash, password))) throw wrongCredentials();

    if (hasher.needsRehash(user.password_hash)) {
      const passwordHash = await hasher.hash(password);
      await User.query()
        .findById(user.id)
        .patch({ password_hash: passwordHash, updated_at: new Date().toISOString() });
      logger.info({ user_id: user.id }, 'password re-hashed at the configured cost');
    }
    return tokens.issue(user.id);
  }

  /** The user id a token stands for; AUT_01 when it is missing, malformed, expired or forged. */
  verifyToken(token: unknown): number {
    return this.#deps.tokens.verify(token);
  }

  /** `POST /api-token-verify/`: the token's user, or AUT_01. */
  checkToken(raw: VerifyTokenInput): { readonly token: string; readonly user_id: number } {
    const { token } = parseInput(verifyTokenInput, raw);
    return { token, user_id: this.#deps.tokens.verify(token) };
  }
}
