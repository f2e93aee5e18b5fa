import type { TwoFactorSettings } from '../settings.js';
import type { LoginLimits } from './login-limits.js';
import type { TokenIssuer } from './tokens.js';

/** What signing up, logging in, resetting a password and two-factor sign-in share. */
export interface AccountDeps {
  tokens: TokenIssuer;
  /** Failed passwords and wrong two-factor codes. */
  limits: LoginLimits;
  twoFactor: TwoFactorSettings;
}
