// The client's pure rules against the real Pro Santé Connect samples (fixtures/psc-samples,
// copied from the sandbox): identifiers, card type, places, levels, RFC 9207, logout tokens.
import { describe, expect, it } from 'vitest';
import {
  authenticationLevel,
  ClaimsError,
  cardTypeFromClaims,
  codeOf,
  identityFromUserinfo,
} from '../../src/server/identity/claims.js';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  issParameterProblem,
  logoutTokenProblem,
} from '../../src/server/identity/psc-client.js';
import { pscSample } from './helpers.js';

const sample = pscSample;

const card = sample('userinfo-sandbox-card');
const edit = sample('userinfo-sandbox-edit-identity');
const minimal = sample('userinfo-minimal-fixture');

const reasonOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof ClaimsError ? err.reason : String(err);
  }
  return 'accepted';
};

describe('identity from the real userinfo samples', () => {
  it('reads the sandbox CPS card: names, profession, places, sector and authentication level', () => {
    const id = identityFromUserinfo(card);
    expect(id).toMatchObject({
      subjectNameId: '899700427885',
      familyName: 'DOC0042788',
      givenName: 'KIT',
      cardType: 'CPS',
      professionCode: '10',
      specialtyCode: 'SM26',
      specialtyLabel: 'Qualifié en médecine générale',
      postalCode: '75009',
      email: null,
      sectorCode: 'SA07',
      authLevel: 'APPPRIP3',
    });
    // Both places of practice, the one chosen at sign-in (SubjectOrganizationID) first.
    expect(id.places).toEqual([
      {
        name: 'CABINET M DOC0042788',
        postalCode: '75009',
        town: 'PARIS',
        sectorCode: 'SA07',
        modeCode: 'L',
        roleCode: null,
        structureId: 'R102671',
        professionCode: '10',
      },
      {
        name: 'HOPITAL GENERIQUE FIN VARI',
        postalCode: '75009',
        town: 'PARIS',
        sectorCode: 'SA01',
        modeCode: 'S',
        roleCode: null,
        structureId: 'F0B0193488',
        professionCode: '10',
      },
    ]);
  });

  it('chooses the main place by SubjectOrganizationID, else by Secteur_Activite, not by order', () => {
    const refPro = card.SubjectRefPro as { exercices: { activities: object[] }[] };
    const [cabinet, hospital] = refPro.exercices[0]?.activities ?? [];
    const reordered: Record<string, unknown> = {
      ...card,
      SubjectRefPro: { ...refPro, exercices: [{ ...refPro.exercices[0], activities: [hospital, cabinet] }] },
    };
    expect(identityFromUserinfo(reordered).places[0]?.structureId).toBe('R102671');
    const { SubjectOrganizationID: _, ...noOrganization } = reordered;
    expect(identityFromUserinfo(noOrganization).places[0]?.structureId).toBe('R102671');
    const hospitalSector = { ...noOrganization, Secteur_Activite: 'SA01^1.2.250.1.71.4.2.4' };
    expect(identityFromUserinfo(hospitalSector).places[0]?.structureId).toBe('F0B0193488');
  });

  it('accepts the ANS EDIT test identity of the sandbox (ANS20231122132732), a CPS by its claims', () => {
    const id = identityFromUserinfo(edit);
    expect(id).toMatchObject({
      subjectNameId: 'ANS20231122132732',
      familyName: 'Grominoch',
      givenName: 'Fistinien',
      cardType: 'CPS',
      professionCode: '80',
      postalCode: '75015',
      sectorCode: 'SA07',
      authLevel: 'APPPRIP3',
    });
    expect(id.places.map((p) => p.town)).toEqual(['PARIS']);
  });

  it('reads the minimal fixture (no sub, no activities): the profession, no place', () => {
    const id = identityFromUserinfo(minimal);
    expect(id).toMatchObject({
      subjectNameId: '899700218896',
      professionCode: '10',
      cardType: 'CPS',
      postalCode: null,
      places: [],
      authLevel: null,
    });
  });

  it('accepts every kind of SubjectNameID PSC issues, bounded in length and charset', () => {
    for (const subjectNameId of [
      '899700427885', // RPPS
      '0123456789', // ADELI
      '4123456782/CPAT0001', // CPA staff (SIREN)
      '3690012345/CPET0002', // CPE staff (FINESS)
      '130B0168811/CPET00001',
      '5123456789012345/CPAT01',
      '6R10000001/CPAT0001',
      'ANS20231122132732', // ANS EDIT tool (sandbox)
      `8${'9'.repeat(99)}`,
    ]) {
      expect(identityFromUserinfo({ ...card, SubjectNameID: subjectNameId }).subjectNameId).toBe(
        subjectNameId,
      );
    }
    for (const [value, reason] of [
      [undefined, 'subject_name_id_missing'],
      ['', 'subject_name_id_missing'],
      [899700427885, 'subject_name_id_invalid'],
      ['8', 'subject_name_id_invalid'],
      [`8${'9'.repeat(100)}`, 'subject_name_id_invalid'],
      ['/8997004', 'subject_name_id_invalid'],
      ['8997 00427885', 'subject_name_id_invalid'],
      ['ANS2023<script>', 'subject_name_id_invalid'],
      ['ANS2023\u0000', 'subject_name_id_invalid'],
      ['ANSÉ2023', 'subject_name_id_invalid'],
    ] as const) {
      expect(
        reasonOf(() => identityFromUserinfo({ ...card, SubjectNameID: value })),
        String(value),
      ).toBe(reason);
    }
    expect(reasonOf(() => identityFromUserinfo(null))).toBe('userinfo_not_an_object');
    expect(
      reasonOf(() => identityFromUserinfo({ ...minimal, given_name: '', SubjectRefPro: { exercices: [] } })),
    ).toBe('names_missing');
    expect(reasonOf(() => identityFromUserinfo({ ...card, SubjectRefPro: { exercices: 'x' } }))).toBe(
      'claims_malformed',
    );
  });

  it('derives the card type from the claims, not from the shape of the identifier', () => {
    const exercice = (
      codeProfession: string,
      codeCategorieProfessionnelle: string,
      activity: Record<string, string>,
    ) => [{ codeProfession, codeCategorieProfessionnelle, activities: [activity] }];
    const practice = { numeroSirenSite: '123456782', identifiantTechniqueDeLaStructure: 'R10000002' };
    const establishment = { numeroFinessSite: '690012345', identifiantTechniqueDeLaStructure: 'F690012345' };
    expect(cardTypeFromClaims(exercice('10', 'C', practice))).toBe('CPS');
    expect(cardTypeFromClaims(exercice('10', 'E', practice))).toBe('CPF');
    expect(cardTypeFromClaims(exercice('', '', establishment))).toBe('CPE');
    expect(cardTypeFromClaims(exercice('', '', { identifiantTechniqueDeLaStructure: 'F0B0193488' }))).toBe(
      'CPE',
    );
    expect(cardTypeFromClaims(exercice('', '', practice))).toBe('CPA');
    expect(cardTypeFromClaims([])).toBeNull();
    // An identifier that "looks like" a CPA staff member's, with a health profession: a CPS.
    const nurse = {
      ...card,
      SubjectNameID: '4123456782/CPAT0001',
      SubjectRefPro: { exercices: exercice('60', 'C', practice) },
    };
    expect(identityFromUserinfo(nurse).cardType).toBe('CPS');
    // And an RPPS-shaped one without a profession, in an establishment: a CPE.
    const staff = {
      ...card,
      SubjectNameID: '810001234565',
      SubjectRole: [],
      SubjectRefPro: { exercices: exercice('', '', establishment) },
    };
    expect(identityFromUserinfo(staff)).toMatchObject({ cardType: 'CPE', professionCode: null });
  });

  it('falls back on SubjectRole for the profession when SubjectRefPro gives none', () => {
    const { SubjectRefPro: _, ...noRefPro } = minimal;
    expect(identityFromUserinfo(noRefPro).professionCode).toBe('10');
  });

  it('reads codes before their OID, refusing anything else', () => {
    expect(codeOf('APPPRIP3^1.2.250.1.213.1.5.1.1.1')).toBe('APPPRIP3');
    expect(codeOf('SA07^1.2.250.1.71.4.2.4')).toBe('SA07');
    expect(codeOf('SA07')).toBe('SA07');
    expect(codeOf('')).toBeNull();
    expect(codeOf('<b>x</b>^1.2')).toBeNull();
    expect(codeOf(undefined)).toBeNull();
  });
});

describe('authentication level: ID token, else access token, else refused', () => {
  const accessTokenClaims = sample('access-token-claims-sandbox');
  const introspection = sample('introspection-sandbox-card');

  it('takes the ID token’s acr when it has one', () => {
    expect(authenticationLevel('eidas1', undefined)).toEqual({ ok: true, acr: 'eidas1', source: 'id_token' });
    expect(authenticationLevel('eidas3', 'eidas1')).toEqual({ ok: true, acr: 'eidas3', source: 'id_token' });
    // The ID token decides: a low level there is not rescued by the access token.
    expect(authenticationLevel('0', 'eidas1')).toEqual({ ok: false, reason: 'acr_insufficient' });
  });

  it('else the access token’s, as the sandbox sends it (and as introspection shows it)', () => {
    expect(accessTokenClaims.acr).toBe('eidas1');
    expect(introspection.acr).toBe('eidas3');
    expect(authenticationLevel(undefined, accessTokenClaims.acr)).toEqual({
      ok: true,
      acr: 'eidas1',
      source: 'access_token',
    });
    expect(authenticationLevel('', introspection.acr)).toMatchObject({ ok: true, source: 'access_token' });
    expect(authenticationLevel(undefined, '0')).toEqual({ ok: false, reason: 'acr_insufficient' });
  });

  it('else refuses', () => {
    expect(authenticationLevel(undefined, undefined)).toEqual({ ok: false, reason: 'acr_missing' });
    expect(authenticationLevel(null, '')).toEqual({ ok: false, reason: 'acr_missing' });
    expect(authenticationLevel(1, undefined)).toEqual({ ok: false, reason: 'acr_insufficient' });
  });
});

describe('RFC 9207: iss in the authorization response', () => {
  const metadata = sample('discovery-sandbox') as { issuer: string };
  const params = (q: string) => new URLSearchParams(q);

  it('the sandbox says it sends iss, from an authorization endpoint on another host', () => {
    expect(metadata).toMatchObject({ authorization_response_iss_parameter_supported: true });
    expect(new URL(String((metadata as Record<string, unknown>).authorization_endpoint)).host).not.toBe(
      new URL(metadata.issuer).host,
    );
  });

  it('accepts the issuer’s iss, refuses a missing or a different one', () => {
    expect(issParameterProblem(params(`code=x&iss=${encodeURIComponent(metadata.issuer)}`), metadata)).toBe(
      undefined,
    );
    expect(issParameterProblem(params('code=x'), metadata)).toBe('iss_missing');
    expect(issParameterProblem(params('code=x&iss=https%3A%2F%2Fevil.example'), metadata)).toBe(
      'iss_mismatch',
    );
    expect(
      issParameterProblem(params(`code=x&iss=${encodeURIComponent(`${metadata.issuer}/`)}`), metadata),
    ).toBe('iss_mismatch');
    // A provider that does not announce it may leave it out, but not send a wrong one.
    const silent = { ...metadata, authorization_response_iss_parameter_supported: false };
    expect(issParameterProblem(params('code=x'), silent)).toBe(undefined);
    expect(issParameterProblem(params('code=x&iss=other'), silent)).toBe('iss_mismatch');
  });
});

describe('back-channel logout token claims', () => {
  const events = { [BACKCHANNEL_LOGOUT_EVENT]: {} };
  const good = { iss: 'i', aud: 'a', iat: 1, jti: 'j1', events, sid: 'sid-1', sub: 'sub-1' };

  it('names a PSC session, a person, or both', () => {
    expect(logoutTokenProblem({ typ: 'logout+jwt' }, good)).toEqual({ sid: 'sid-1', sub: 'sub-1' });
    expect(logoutTokenProblem({}, { ...good, sub: undefined })).toEqual({ sid: 'sid-1', sub: null });
    expect(logoutTokenProblem({ typ: 'JWT' }, { ...good, sid: undefined })).toEqual({
      sid: null,
      sub: 'sub-1',
    });
  });

  it('refuses a token without the event, with a nonce, without jti, naming nobody, or of another type', () => {
    const { sid: _sid, sub: _sub, ...nobody } = good;
    for (const [header, payload, reason] of [
      [{}, { ...good, events: undefined }, 'logout_token_event'],
      [{}, { ...good, events: { other: {} } }, 'logout_token_event'],
      [{}, { ...good, events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }, 'logout_token_event'],
      [{}, { ...good, nonce: 'n' }, 'logout_token_nonce'],
      [{}, { ...good, jti: undefined }, 'logout_token_jti'],
      [{}, nobody, 'logout_token_no_target'],
      [{}, { ...good, sid: 42 }, 'logout_token_sid'],
      [{}, { ...good, sub: 'x'.repeat(201) }, 'logout_token_sub'],
      [{ typ: 'at+jwt' }, good, 'logout_token_type'],
    ] as const) {
      expect(logoutTokenProblem(header, payload as Record<string, unknown>)).toBe(reason);
    }
  });
});
