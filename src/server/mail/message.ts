// Pure rules for an outgoing email: what may be queued. Headers are built by nodemailer from
// these values, so a CR or LF in a recipient or a subject (header injection) is refused here,
// before anything is written.
import { z } from 'zod';
import { DomainError } from '../platform/errors.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What the email is about (e.g. `invitation`), for counting and debugging, never personal. */
  kind: string;
}

/** Text + HTML bodies, in bytes (UTF-8). Far above any notification; far below SMTP limits. */
export const MAX_BODY_BYTES = 512 * 1024;
export const MAX_SUBJECT_LENGTH = 200;

const email = z.email();

export function checkEmail(message: OutgoingEmail): OutgoingEmail {
  const to = message.to.trim();
  if (/[\r\n]/.test(message.to) || /[,;<>]/.test(to)) {
    throw new DomainError(
      'mail_header_injection',
      'L’adresse électronique du destinataire contient des caractères interdits (retour à la ligne, virgule, point-virgule ou chevron) : le courriel n’a pas été envoyé.',
      422,
    );
  }
  if (to.length > 254 || !email.safeParse(to).success) {
    throw new DomainError(
      'mail_invalid_recipient',
      'L’adresse électronique du destinataire est invalide : le courriel n’a pas été envoyé.',
      422,
    );
  }
  if (/[\r\n]/.test(message.subject)) {
    throw new DomainError(
      'mail_header_injection',
      'L’objet du courriel ne doit pas contenir de retour à la ligne : le courriel n’a pas été envoyé.',
      422,
    );
  }
  const subject = message.subject.trim();
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw new DomainError(
      'mail_invalid_subject',
      `L’objet du courriel doit contenir entre 1 et ${MAX_SUBJECT_LENGTH} caractères.`,
      422,
    );
  }
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(message.kind)) {
    throw new DomainError('mail_invalid_kind', 'Le type de courriel est invalide.', 422);
  }
  if (message.text.trim() === '' || message.html.trim() === '') {
    throw new DomainError(
      'mail_missing_body',
      'Un courriel doit avoir une version HTML et une version texte.',
      422,
    );
  }
  const size = Buffer.byteLength(message.text, 'utf8') + Buffer.byteLength(message.html, 'utf8');
  if (size > MAX_BODY_BYTES) {
    throw new DomainError(
      'mail_too_large',
      `Le courriel est trop volumineux (${Math.ceil(size / 1024)} Kio ; ${MAX_BODY_BYTES / 1024} Kio au maximum) : il n’a pas été envoyé.`,
      413,
    );
  }
  return { ...message, to, subject };
}

/** The Message-ID of an outbox row: the same at every attempt, so receivers can drop a repeat. */
export function messageIdFor(outboxId: string, mailFrom: string): string {
  const address = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom.trim();
  const domain = address.split('@')[1] || 'localhost';
  return `<${outboxId}@${domain}>`;
}
