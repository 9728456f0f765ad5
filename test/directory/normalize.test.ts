// The pure rules of the directory: name parts, departments (overseas collectivities), the
// town read in « Bureau cedex », the extract's date from a download, COPY array literals and
// the wording of the directory's date. No database.
import { describe, expect, it } from 'vitest';
import { copyArray } from '../../src/server/directory/assembler.js';
import { downloadDate } from '../../src/server/directory/auto-import.js';
import { departmentOf, familyNameParts, postalFilter } from '../../src/server/directory/normalize.js';
import { placeTown } from '../../src/server/directory/parser.js';
import {
  extractDateFromLastModified,
  extractDateFromName,
  extractDateFromUrl,
  looksLikeExtract,
} from '../../src/server/directory/source.js';
import { directoryDateLabel } from '../../src/shared/directory.js';

describe('family name parts', () => {
  it('gives each word and each ending of a compound name, never its start nor a particle', () => {
    expect(familyNameParts('GARCÍA-LÓPEZ')).toEqual(['lopez']);
    expect(familyNameParts('LEBRUN-CARPENTIER')).toEqual(['carpentier']);
    expect(familyNameParts("D'ALMEIDA")).toEqual(['almeida']);
    expect(familyNameParts('DE LA FONTAINE')).toEqual(['lafontaine', 'fontaine']);
    expect(familyNameParts("N'DIAYE-LE GOFF")).toEqual(['diaye', 'diayelegoff', 'legoff', 'goff']);
    expect(familyNameParts('DA SILVA')).toEqual(['silva']);
    expect(familyNameParts('MARTIN')).toEqual([]);
    expect(familyNameParts('LOPEZ-LOPEZ')).toEqual([]); // "lopez" starts the name already
    expect(familyNameParts('A-B-C-D-E-F-G-H-I-J-K-L-M-N').length).toBeLessThanOrEqual(8);
  });
});

describe('departments', () => {
  it('puts Saint-Barthélemy in 977 and Saint-Martin in 978, not in Guadeloupe', () => {
    expect(departmentOf('97133')).toBe('977');
    expect(departmentOf('97150')).toBe('978');
    expect(departmentOf('97110')).toBe('971');
    expect(departmentOf('97150', '97801')).toBe('978');
    expect(departmentOf('97190', '97801')).toBe('978'); // the INSEE code has the last word overseas
    expect(departmentOf('69003', '97801')).toBe('69');
    expect(postalFilter('978')).toEqual({ department: '978', postalCode: null });
    expect(postalFilter('977')).toEqual({ department: '977', postalCode: null });
    expect(postalFilter('97150')).toEqual({ department: '978', postalCode: '97150' });
    expect(postalFilter('97133')).toEqual({ department: '977', postalCode: '97133' });
  });
});

describe('town of a place', () => {
  it('falls back to « Bureau cedex » without its postal code (nor CEDEX and its number)', () => {
    expect(placeTown('01390', '', '01390 MIONNAY')).toEqual({ postalCode: '01390', commune: 'MIONNAY' });
    expect(placeTown('25300', '', '25300 DOUBS')).toEqual({ postalCode: '25300', commune: 'DOUBS' });
    expect(placeTown('75015', '', '75743 PARIS CEDEX 15')).toEqual({ postalCode: '75015', commune: 'PARIS' });
    expect(placeTown('', '', '13008 MARSEILLE')).toEqual({ postalCode: '13008', commune: 'MARSEILLE' });
    expect(placeTown('69003', 'Lyon', '69003 LYON')).toEqual({ postalCode: '69003', commune: 'Lyon' });
    expect(placeTown('69003', '', '')).toEqual({ postalCode: '69003', commune: '' });
    expect(placeTown('69003', '', 'LYON')).toEqual({ postalCode: '69003', commune: '' });
  });
});

describe('date of an extract', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  it('reads the name, in both spellings', () => {
    expect(extractDateFromName('PS_LibreAcces_Personne_activite_202504150830.txt')).toEqual(
      new Date('2025-04-15T06:30:00Z'),
    );
    expect(extractDateFromName('ps-libreacces-personne-activite-202504150830.txt.gz')).toEqual(
      new Date('2025-04-15T06:30:00Z'),
    );
    expect(extractDateFromName('ps-libreacces-personne-activite.txt')).toBeNull();
  });

  it('reads a dated folder of the URL (data.gouv.fr: YYYYMMDD-HHMMSS, UTC)', () => {
    expect(
      extractDateFromUrl(
        'https://static.data.gouv.fr/resources/annuaire-sante/20250417-063000/ps-libreacces-personne-activite.txt',
        now,
      ),
    ).toEqual(new Date('2025-04-17T06:30:00Z'));
    expect(extractDateFromUrl('https://miroir.example.fr/annuaire/2025-04-18/extraction.txt', now)).toEqual(
      new Date('2025-04-17T22:00:00Z'),
    );
    expect(extractDateFromUrl('https://miroir.example.fr/annuaire/extraction-20250418.txt', now)).toBeNull();
    expect(extractDateFromUrl('https://miroir.example.fr/20251345-000000/x.txt', now)).toBeNull();
    expect(extractDateFromUrl('https://miroir.example.fr/20301231-000000/x.txt', now)).toBeNull();
  });

  it('reads Last-Modified, and prefers a dated URL to it', () => {
    const lastModified = 'Wed, 16 Apr 2025 04:10:00 GMT';
    expect(extractDateFromLastModified(lastModified, now)).toEqual(new Date('2025-04-16T04:10:00Z'));
    expect(extractDateFromLastModified('hier', now)).toBeNull();
    expect(extractDateFromLastModified('Wed, 16 Apr 2031 04:10:00 GMT', now)).toBeNull();
    const stable = 'https://www.data.gouv.fr/fr/datasets/r/8bc3bd1c-1f27-4ac1-b06f-8c2f7d2bc3a8';
    const dated =
      'https://static.data.gouv.fr/resources/x/20250417-063000/ps-libreacces-personne-activite.txt';
    expect(downloadDate(stable, dated, lastModified, now)).toEqual({
      at: new Date('2025-04-17T06:30:00Z'),
      source: 'url',
    });
    expect(downloadDate(stable, stable, lastModified, now)).toEqual({
      at: new Date('2025-04-16T04:10:00Z'),
      source: 'last_modified',
    });
    expect(downloadDate(stable, stable, null, now)).toBeUndefined();
  });

  it('is worded on « Mes délégations » as the extract’s date, or as the import’s when unknown', () => {
    expect(directoryDateLabel({ date: '2026-11-24', dateSource: 'extraction', people: 1 })).toBe(
      'annuaire à jour du 24/11/2026',
    );
    expect(directoryDateLabel({ date: '2026-11-24', dateSource: 'import', people: 1 })).toBe(
      'annuaire importé le 24/11/2026 (date de l’extraction inconnue)',
    );
    expect(directoryDateLabel({ date: null, dateSource: null, people: 0 })).toBeNull();
  });
});

describe('sniffing and COPY literals', () => {
  it('recognises the text extract by its first line', () => {
    expect(looksLikeExtract(Buffer.from("Type d'identifiant PP|Identifiant PP|\n8|1|"))).toBe(true);
    expect(looksLikeExtract(Buffer.from('<!DOCTYPE html><html>a|b</html>'))).toBe(false);
    expect(looksLikeExtract(Buffer.from([0x00, 0x7c, 0x01, 0x0a]))).toBe(false);
    expect(looksLikeExtract(Buffer.from('just some text\n'))).toBe(false);
  });

  it('writes arrays of codes and labels as PostgreSQL literals in COPY text', () => {
    expect(copyArray(['10', '40'])).toBe('{10,40}');
    expect(copyArray(['Médecin', 'Chirurgien-Dentiste'])).toBe('{"Médecin","Chirurgien-Dentiste"}');
    expect(copyArray(['a"b\\c'])).toBe('{"a\\\\"b\\\\\\\\c"}');
  });
});
