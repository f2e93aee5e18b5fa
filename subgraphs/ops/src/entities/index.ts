import { ApiClient } from './api-client.entity.js';
import { AuditLog } from './audit-log.entity.js';
import { PasswordResetToken } from './password-reset-token.entity.js';
import { OrganizationMember } from './organization-member.entity.js';
import { Organization } from './organization.entity.js';
import { SigningKey } from './signing-key.entity.js';
import { User } from './user.entity.js';

export const entities = [User, Organization, OrganizationMember, AuditLog, ApiClient, SigningKey, PasswordResetToken];
