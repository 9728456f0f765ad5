-- An address belongs to the account that confirmed it: uniqueness applies to confirmed addresses
-- only. An unconfirmed claim (anyone may type any address at first sign-in) never blocks the
-- confirmed owner, and is never a password sign-in identifier (identity/routes.ts).
drop index users_email_unique;
create unique index users_email_unique on users (lower(email))
  where email is not null and email_verified_at is not null;
