// The common email layout and the rules for what may be queued (pure, no I/O).
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/server/mail/layout.js';
import { checkEmail, MAX_BODY_BYTES, messageIdFor } from '../../src/server/mail/message.js';
import { loadConfig } from '../../src/server/platform/config.js';
import type { DomainError } from '../../src/server/platform/errors.js';

describe('renderEmail', () => {
  const email = renderEmail({
    title: 'Votre délégation a été modifiée',
    paragraphs: ['Bonjour,', 'Le Dr <b>MARTIN</b> & associés a modifié vos droits.'],
    action: {
      label: 'Voir mes délégations',
      url: 'https://delegations.example.fr/delegations-recues?a=1&b=2',
    },
    notes: ['Vous pouvez ignorer ce message.'],
  });

  it('writes accessible French HTML with inline styles and the link as a button and in clear', () => {
    expect(email.html).toMatch(/^<!doctype html>\n<html lang="fr">/);
    expect(email.html).toContain('<meta charset="utf-8">');
    expect(email.html).toContain('<title>Votre délégation a été modifiée</title>');
    expect(email.html).toContain('<h1 style="');
    expect(email.html).toContain('role="presentation"');
    expect(email.html).not.toContain('<style');
    expect(
      email.html.match(/href="https:\/\/delegations\.example\.fr\/delegations-recues\?a=1&amp;b=2"/g),
    ).toHaveLength(2);
    expect(email.html).toContain('Si le bouton ne fonctionne pas, copiez cette adresse');
    expect(email.html).toContain('Merci de ne pas y répondre.');
  });

  it('escapes the text it is given', () => {
    expect(email.html).toContain('Le Dr &lt;b&gt;MARTIN&lt;/b&gt; &amp; associés');
    expect(email.html).not.toContain('<b>MARTIN');
  });

  it('has a faithful plain-text version with the link written out', () => {
    expect(email.text).toBe(
      [
        'Votre délégation a été modifiée',
        '===============================',
        '',
        'Bonjour,',
        '',
        'Le Dr <b>MARTIN</b> & associés a modifié vos droits.',
        '',
        'Voir mes délégations :',
        'https://delegations.example.fr/delegations-recues?a=1&b=2',
        '',
        'Vous pouvez ignorer ce message.',
        '',
        '--',
        'Ce courriel vous a été envoyé automatiquement par le service Délégations de droits. Merci de ne pas y répondre.',
        '',
      ].join('\n'),
    );
  });

  it('refuses a link that is not http(s)', () => {
    expect(() =>
      renderEmail({ title: 't', paragraphs: [], action: { label: 'x', url: 'javascript:alert(1)' } }),
    ).toThrow();
  });
});

describe('checkEmail', () => {
  const ok = { to: 'a@example.fr', subject: 'Objet', text: 't', html: '<p>h</p>', kind: 'test' };
  const code = (m: typeof ok) => {
    try {
      checkEmail(m);
      return 'ok';
    } catch (e) {
      return (e as DomainError).code;
    }
  };
  it('accepts a normal message and trims the recipient', () => {
    expect(checkEmail({ ...ok, to: ' a@example.fr ' }).to).toBe('a@example.fr');
  });
  it('refuses CR/LF and address lists in the recipient, CR/LF in the subject', () => {
    for (const to of [
      'a@example.fr\r\nBcc: b@x.fr',
      'a@example.fr\n',
      'a@x.fr,b@x.fr',
      'A <a@x.fr>',
      'a@x.fr;b@x.fr',
    ]) {
      expect(code({ ...ok, to })).toBe('mail_header_injection');
    }
    for (const subject of ['a\r\nBcc: b@x.fr', 'a\nb', 'a\rb']) {
      expect(code({ ...ok, subject })).toBe('mail_header_injection');
    }
  });
  it('refuses an empty or too long subject, a missing body, a bad kind, an oversized message', () => {
    expect(code({ ...ok, subject: ' ' })).toBe('mail_invalid_subject');
    expect(code({ ...ok, subject: 'x'.repeat(201) })).toBe('mail_invalid_subject');
    expect(code({ ...ok, text: '' })).toBe('mail_missing_body');
    expect(code({ ...ok, html: ' ' })).toBe('mail_missing_body');
    expect(code({ ...ok, kind: 'Avec espace' })).toBe('mail_invalid_kind');
    expect(code({ ...ok, text: 'x'.repeat(MAX_BODY_BYTES) })).toBe('mail_too_large');
    expect(code({ ...ok, text: 'x'.repeat(MAX_BODY_BYTES - 20) })).toBe('ok');
  });
  it('gives a stable Message-ID on the sender’s domain', () => {
    expect(messageIdFor('1234', 'Délégations de droits <no-reply@dd.example.fr>')).toBe(
      '<1234@dd.example.fr>',
    );
    expect(messageIdFor('1234', 'no-reply@dd.example.fr')).toBe('<1234@dd.example.fr>');
  });
});

describe('mail configuration', () => {
  it('reads SMTP_URL (smtp or smtps) and MAIL_FROM, defaulting the sender to the PUBLIC_URL host', () => {
    expect(loadConfig({}).mailFrom).toBe('Délégations de droits <no-reply@localhost>');
    const c = loadConfig({ SMTP_URL: 'smtps://u:p@smtp.example.fr:465', MAIL_FROM: 'DD <dd@example.fr>' });
    expect(c).toMatchObject({ smtpUrl: 'smtps://u:p@smtp.example.fr:465', mailFrom: 'DD <dd@example.fr>' });
    expect(loadConfig({ PUBLIC_URL: 'https://dd.sante.fr' }).mailFrom).toBe(
      'Délégations de droits <no-reply@dd.sante.fr>',
    );
  });
  it('names the variable when a value is wrong', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://smtp.example.fr' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ MAIL_FROM: 'pas une adresse' })).toThrow(/MAIL_FROM/);
  });
});
