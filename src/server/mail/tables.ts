// The mail tables as Kysely sees them (migration 0003_mail.sql).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface MailTables {
  mail_outbox: {
    id: Generated<string>;
    kind: string;
    to_address: string;
    subject: string;
    text_body: string;
    html_body: string;
    created_at: Generated<Date>;
    sent_at: NullableTimestamp;
    attempts: Generated<number>;
    last_attempt_at: NullableTimestamp;
    last_error: string | null;
  };
  demo_mailbox: {
    id: Generated<string>;
    received_at: Timestamp;
    message_id: string | null;
    from_address: string;
    to_addresses: string;
    subject: string;
    text_body: string | null;
    html_body: string | null;
    size_bytes: number;
  };
}
