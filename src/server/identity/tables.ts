// The identity tables as Kysely sees them (see migrations/0002_identity.sql).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type OptionalTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface UsersTable {
  id: Generated<string>;
  subject_name_id: string;
  family_name: string;
  given_name: string;
  card_type: string | null;
  profession_code: string | null;
  declared_profession: string | null;
  declared_profession_other: string | null;
  specialty_code: string | null;
  specialty_label: string | null;
  postal_code: string | null;
  claims_email: string | null;
  email: string | null;
  email_verified_at: OptionalTimestamp;
  password_hash: string | null;
  charter_version: string | null;
  charter_accepted_at: OptionalTimestamp;
  first_signin_completed_at: OptionalTimestamp;
  failed_password_attempts: Generated<number>;
  locked_until: OptionalTimestamp;
  last_signin_at: OptionalTimestamp;
  /** How the person last signed in (SessionStrength). */
  last_signin_method: ColumnType<string | null, string | null | undefined, string | null>;
  /** AES-256-GCM (second-factor.ts), never the clear secret. */
  totp_secret: ColumnType<string | null, string | null | undefined, string | null>;
  totp_last_step: ColumnType<string | null, number | null | undefined, number | null>;
  totp_created_at: OptionalTimestamp;
  totp_pending_secret: ColumnType<string | null, string | null | undefined, string | null>;
  /** PscPlace[] (claims.ts), written as JSON text. */
  psc_places: ColumnType<unknown[], string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  id_hash: Buffer;
  user_id: string;
  id_token: string | null;
  method: 'psc' | 'password';
  return_to: string | null;
  psc_sid: ColumnType<string | null, string | null | undefined, string | null>;
  psc_sub: ColumnType<string | null, string | null | undefined, string | null>;
  acr: ColumnType<string | null, string | null | undefined, string | null>;
  auth_level: ColumnType<string | null, string | null | undefined, string | null>;
  /** Password sessions: the second factor proved, null while it is awaited. */
  second_factor: ColumnType<SecondFactor | null, SecondFactor | null | undefined, SecondFactor | null>;
  webauthn_challenge: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface PscTransactionsTable {
  state: string;
  browser_hash: Buffer;
  nonce: string;
  code_verifier: string;
  return_to: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface PasswordThrottleTable {
  identifier_hash: Buffer;
  failed_attempts: number;
  locked_until: OptionalTimestamp;
  updated_at: Timestamp;
}

export interface EmailConfirmationsTable {
  token_hash: Buffer;
  user_id: string;
  email: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: OptionalTimestamp;
}

export type SecondFactor = 'passkey' | 'totp' | 'recovery';

export interface PasskeysTable {
  id: Generated<string>;
  user_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: ColumnType<string, number, number>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  name: string;
  created_at: Timestamp;
  last_used_at: OptionalTimestamp;
}

export interface RecoveryCodesTable {
  user_id: string;
  code_hash: Buffer;
  created_at: Timestamp;
  used_at: OptionalTimestamp;
}

export interface IdentityTables {
  passkeys: PasskeysTable;
  recovery_codes: RecoveryCodesTable;
  users: UsersTable;
  sessions: SessionsTable;
  psc_transactions: PscTransactionsTable;
  password_throttle: PasswordThrottleTable;
  email_confirmations: EmailConfirmationsTable;
}
