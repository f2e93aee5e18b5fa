import { ApiClient } from './api-client.entity.js';
import { AuditLog } from './audit-log.entity.js';
import { FeatureFlag } from './feature-flag.entity.js';
import { PasswordResetToken } from './password-reset-token.entity.js';
import { RecoveryCode } from './recovery-code.entity.js';
import { RevokedToken } from './revoked-token.entity.js';
import { OrganizationMember } from './organization-member.entity.js';
import { Organization } from './organization.entity.js';
import { SigningKey } from './signing-key.entity.js';
import { TwoFactor } from './two-factor.entity.js';
import { User } from './user.entity.js';

export const entities = [
  User,
  Organization,
  OrganizationMember,
  AuditLog,
  ApiClient,
  SigningKey,
  PasswordResetToken,
  TwoFactor,
  RecoveryCode,
  RevokedToken,
  FeatureFlag,
];
