// The journal's sentences (pure): every action kind, from both viewpoints — the doctor reading the
// journal of his or her dossiers and delegations, and a delegate reading his or her own actions —
// refusals, what changed (before → after), and names in one case (given name capitalised, family
// name in capitals).
import { describe, expect, it } from 'vitest';
import {
  changedFieldsText,
  delegationChanges,
  journalSentence,
  type SentenceInput,
} from '../../src/server/journal/sentences.js';
import { JOURNAL_ACTIONS } from '../../src/shared/journal.js';
import { capitalised, personName } from '../../src/shared/names.js';

const NADIA = 'Nadia BENALI';
const GINETTE = 'Ginette GUÉRIN';
const MARTIN = 'Camille MARTIN';

/** Nadia acting for Dr MARTIN, read by Dr MARTIN. */
const byDelegate = (action: string, extra: Partial<SentenceInput> = {}): SentenceInput => ({
  viewpoint: 'owner',
  action,
  outcome: action.startsWith('dossier.') || action.startsWith('access.') ? 'allowed' : 'ok',
  actor: NADIA,
  actorIsViewer: false,
  actorIsOwner: false,
  owner: MARTIN,
  delegate: null,
  patient: GINETTE,
  details: {},
  ...extra,
});
/** The same entry read by Nadia in « Mes actions ». */
const asOwnAction = (action: string, extra: Partial<SentenceInput> = {}): SentenceInput => ({
  ...byDelegate(action, extra),
  viewpoint: 'actor',
  actorIsViewer: true,
  ...extra,
});
/** Dr MARTIN's own delegation events, read by him. */
const byDoctor = (action: string, extra: Partial<SentenceInput> = {}): SentenceInput => ({
  viewpoint: 'owner',
  action,
  outcome: 'ok',
  actor: MARTIN,
  actorIsViewer: true,
  actorIsOwner: true,
  owner: MARTIN,
  delegate: NADIA,
  patient: null,
  details: {},
  ...extra,
});

describe('journal sentences, the doctor reading his or her journal', () => {
  it.each([
    ['dossier.list', 'Nadia BENALI a consulté la liste des dossiers pour votre compte.'],
    ['dossier.read', 'Nadia BENALI a consulté le dossier de Ginette GUÉRIN pour votre compte.'],
    ['dossier.read_medical', 'Nadia BENALI a consulté le volet médical de Ginette GUÉRIN pour votre compte.'],
    ['dossier.create', 'Nadia BENALI a créé le dossier de Ginette GUÉRIN pour votre compte.'],
    ['dossier.write', 'Nadia BENALI a modifié le volet administratif de Ginette GUÉRIN pour votre compte.'],
    [
      'dossier.write_medical',
      'Nadia BENALI a complété le volet médical de Ginette GUÉRIN pour votre compte.',
    ],
  ])('%s by a delegate', (action, sentence) => {
    expect(journalSentence(byDelegate(action))).toBe(sentence);
  });

  it('sent and cancelled requests, and « Pourquoi ai-je accès ? »', () => {
    expect(journalSentence(byDelegate('dossier.send', { details: { request: 'sent' } }))).toBe(
      'Nadia BENALI a envoyé une demande à un établissement pour le dossier de Ginette GUÉRIN pour votre compte.',
    );
    expect(journalSentence(byDelegate('dossier.send', { details: { request: 'cancelled' } }))).toBe(
      'Nadia BENALI a annulé une demande à un établissement pour le dossier de Ginette GUÉRIN pour votre compte.',
    );
    expect(journalSentence(byDelegate('access.explained', { details: { asked: 'read' } }))).toBe(
      'Nadia BENALI a consulté « Pourquoi ai-je accès ? » sur le dossier de Ginette GUÉRIN (pour consulter le dossier) pour votre compte.',
    );
  });

  it('a refusal says what was attempted and why', () => {
    expect(
      journalSentence(
        byDelegate('dossier.write_medical', { outcome: 'denied', details: { reason: 'missing_right' } }),
      ),
    ).toBe(
      'Nadia BENALI a tenté de compléter le volet médical de Ginette GUÉRIN pour votre compte : accès refusé (droit manquant).',
    );
    expect(
      journalSentence(
        byDelegate('dossier.create', { outcome: 'denied', details: { reason: 'delegation_expired' } }),
      ),
    ).toBe('Nadia BENALI a tenté de créer un dossier pour votre compte : accès refusé (délégation expirée).');
  });

  it.each([
    ['delegation.created', 'Vous avez créé la délégation de droits de Nadia BENALI.'],
    ['delegation.modified', 'Vous avez modifié la délégation de droits de Nadia BENALI.'],
    ['delegation.deleted', 'Vous avez supprimé la délégation de droits de Nadia BENALI.'],
    ['invitation.sent', 'Vous avez envoyé l’invitation à Nadia BENALI.'],
    ['invitation.resent', 'Vous avez renvoyé l’invitation à Nadia BENALI.'],
  ])('%s by the doctor himself or herself', (action, sentence) => {
    expect(journalSentence(byDoctor(action))).toBe(sentence);
  });

  it('a colleague is « du Dr », a vowel elides « de »', () => {
    expect(journalSentence(byDoctor('delegation.created', { delegate: 'Dr Jean-Pierre LEFÈVRE' }))).toBe(
      'Vous avez créé la délégation de droits du Dr Jean-Pierre LEFÈVRE.',
    );
    expect(journalSentence(byDoctor('invitation.sent', { delegate: 'Dr Jean-Pierre LEFÈVRE' }))).toBe(
      'Vous avez envoyé l’invitation au Dr Jean-Pierre LEFÈVRE.',
    );
    expect(journalSentence(byDelegate('dossier.read', { patient: 'Aurélie ROUX' }))).toBe(
      'Nadia BENALI a consulté le dossier d’Aurélie ROUX pour votre compte.',
    );
  });

  it('events of the delegate and of the system', () => {
    expect(
      journalSentence(byDelegate('invitation.accepted', { outcome: 'ok', delegate: NADIA, patient: null })),
    ).toBe('Nadia BENALI a accepté votre invitation : sa délégation de droits est finalisée.');
    expect(
      journalSentence(
        byDelegate('invitation.refused_identity', { actor: 'Paul DUPUIS', delegate: NADIA, patient: null }),
      ),
    ).toBe(
      'Paul DUPUIS a ouvert l’invitation destinée à Nadia BENALI : refusée, l’identité ne correspond pas à celle de la personne invitée.',
    );
    expect(
      journalSentence(
        byDoctor('delegation.expired', { actor: null, actorIsViewer: false, actorIsOwner: false }),
      ),
    ).toBe('La délégation de droits de Nadia BENALI est arrivée à son terme : elle a expiré.');
    expect(journalSentence(byDelegate('access.refusals_throttled', { outcome: 'denied' }))).toBe(
      'Accès refusés en série à Nadia BENALI : les refus suivants de cette personne ne sont plus journalisés un par un pendant une minute.',
    );
  });
});

describe('journal sentences, a delegate reading his or her own actions', () => {
  it.each([
    ['dossier.list', 'Vous avez consulté la liste des dossiers pour le compte du Dr Camille MARTIN.'],
    ['dossier.read', 'Vous avez consulté le dossier de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.'],
    [
      'dossier.read_medical',
      'Vous avez consulté le volet médical de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.',
    ],
    ['dossier.create', 'Vous avez créé le dossier de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.'],
    [
      'dossier.write',
      'Vous avez modifié le volet administratif de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.',
    ],
    [
      'dossier.write_medical',
      'Vous avez complété le volet médical de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.',
    ],
    [
      'dossier.send',
      'Vous avez envoyé une demande à un établissement pour le dossier de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.',
    ],
    [
      'access.explained',
      'Vous avez consulté « Pourquoi ai-je accès ? » sur le dossier de Ginette GUÉRIN pour le compte du Dr Camille MARTIN.',
    ],
  ])('%s', (action, sentence) => {
    expect(journalSentence(asOwnAction(action))).toBe(sentence);
  });

  it('invitation events, throttled and hidden refusals', () => {
    expect(journalSentence(asOwnAction('invitation.accepted', { outcome: 'ok', patient: null }))).toBe(
      'Vous avez accepté l’invitation du Dr Camille MARTIN : la délégation de droits est finalisée.',
    );
    expect(
      journalSentence(asOwnAction('invitation.refused_identity', { outcome: 'ok', patient: null })),
    ).toBe(
      'Vous avez ouvert une invitation du Dr Camille MARTIN destinée à une autre personne : refusée, l’identité ne correspond pas.',
    );
    expect(journalSentence(asOwnAction('access.refusals_throttled', { outcome: 'denied' }))).toBe(
      'Accès refusés en série : vos refus suivants ne sont plus journalisés un par un pendant une minute.',
    );
    // A refusal answered 404: neither the doctor nor the patient is named.
    expect(
      journalSentence(
        asOwnAction('dossier.read', { outcome: 'denied', owner: null, patient: null, details: {} }),
      ),
    ).toBe('Vous avez tenté de consulter un dossier : accès refusé.');
  });

  it('a doctor reading his or her own delegation events in « Mes actions » is not « pour le compte de »', () => {
    expect(journalSentence({ ...byDoctor('delegation.deleted'), viewpoint: 'actor' })).toBe(
      'Vous avez supprimé la délégation de droits de Nadia BENALI.',
    );
  });

  it('every action code has its own sentence, in both viewpoints (no raw code shown)', () => {
    for (const action of JOURNAL_ACTIONS) {
      for (const input of [byDelegate(action), asOwnAction(action), byDoctor(action)]) {
        const s = journalSentence(input);
        expect(s, action).not.toContain(action);
        expect(s, action).toMatch(/^[A-ZÀ-Ý«].*\.$/u);
      }
    }
  });
});

describe('what changed', () => {
  it('a delegation: only the fields that changed, before → after', () => {
    expect(
      delegationChanges({
        rights: ['consulter', 'volet_medical'],
        startsOn: '2026-12-01',
        endsOn: null,
        before: { rights: ['consulter'], startsOn: '2026-12-01', endsOn: '2027-01-31' },
      }),
    ).toEqual([
      { label: 'Droits', before: 'Consulter', after: 'Consulter, Volet médical' },
      { label: 'Fin', before: '31/01/2027', after: 'Sans date de fin' },
    ]);
  });

  it('an entry written before the state before was recorded gives the values after', () => {
    expect(
      delegationChanges({ rights: ['consulter'], startsOn: '2026-12-01', endsOn: '2027-01-31' }),
    ).toEqual([
      { label: 'Droits', before: null, after: 'Consulter' },
      { label: 'Début', before: null, after: '01/12/2026' },
      { label: 'Fin', before: null, after: '31/01/2027' },
    ]);
  });

  it('a dossier: the names of the fields, never their values', () => {
    expect(changedFieldsText({ fields: ['address', 'gir', 'unknown'] })).toBe('Adresse, GIR');
    expect(changedFieldsText({})).toBeNull();
  });
});

describe('names in one case', () => {
  it('given name capitalised, family name in capitals', () => {
    expect(personName('nadia', 'benali')).toBe('Nadia BENALI');
    expect(personName('JEAN-PIERRE', 'Lefèvre')).toBe('Jean-Pierre LEFÈVRE');
    expect(personName('marie claire', 'd’Arc')).toBe('Marie Claire D’ARC');
    expect(personName('ginette', 'guérin')).toBe('Ginette GUÉRIN');
    expect(personName('x', '  ')).toBeNull();
    expect(capitalised('anne-ÉLODIE')).toBe('Anne-Élodie');
  });
});
