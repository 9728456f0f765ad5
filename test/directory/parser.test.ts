// The extract parser on the reference sample and on hostile files. No database.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DirectoryFormatError,
  DirectoryParser,
  type LineError,
  type ParsedRow,
} from '../../src/server/directory/parser.js';
import { openSource } from '../../src/server/directory/source.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => path.join(FIXTURES, name);

/** Feeds the bytes in chunks of `chunkSize` (lines cut anywhere, even inside a character). */
function parse(
  bytes: Buffer,
  options: { chunkSize?: number; encoding?: 'auto' | 'utf8' | 'latin1'; maxLineBytes?: number } = {},
) {
  const rows: ParsedRow[] = [];
  const errors: LineError[] = [];
  const parser = new DirectoryParser(
    (r) => rows.push(r),
    (e) => errors.push(e),
    { encoding: options.encoding, maxLineBytes: options.maxLineBytes },
  );
  const size = options.chunkSize ?? 64 * 1024;
  for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
  parser.end();
  return { rows, errors, stats: parser.stats };
}

const sample = readFileSync(fixture('sample.txt'));

describe('directory parser', () => {
  it('reads the reference sample: one row per person × place, by header name', () => {
    const { rows, errors, stats } = parse(sample);
    expect(errors).toEqual([]);
    expect(stats).toMatchObject({ lines: 9, rows: 8, rejected: 0, latin1Lines: 0 });
    expect(new Set(rows.map((r) => r.person.nationalId)).size).toBe(7);
    const martin = rows[0];
    expect(martin?.line).toBe(2);
    expect(martin?.person).toMatchObject({
      nationalId: '810001234565',
      idType: '8',
      identifier: '10001234565',
      practiceCivility: 'Docteur',
      civility: 'Madame',
      familyName: 'MARTIN',
      givenName: 'Camille',
      professionCode: '10',
      profession: 'Médecin',
      specialtyCode: 'SM54',
      specialty: 'Médecine générale',
    });
    expect(martin?.place).toEqual({
      name: 'CABINET DU DR MARTIN',
      address: '12 Rue DE LA PART-DIEU',
      postalCode: '69003',
      commune: 'Lyon',
      department: '69',
      modeCode: 'L',
      mode: 'Libéral',
    });
    const lefevre = rows.filter((r) => r.person.identifier === '10002345675');
    expect(lefevre.map((r) => r.place?.postalCode)).toEqual(['69006', '69100']);
    expect(rows.find((r) => r.person.identifier === '10003456786')?.person.familyName).toBe(
      "N'DIAYE-LE GOFF",
    );
    const adeli = rows.find((r) => r.person.idType === '0');
    expect(adeli?.person).toMatchObject({
      nationalId: '0691234567',
      identifier: '691234567',
      familyName: 'DUBOIS',
    });
    expect(adeli?.place?.postalCode).toBe('69007');
    // a person with no activity: one row, empty structure fields
    const almeida = rows.find((r) => r.person.identifier === '10006789019');
    expect(almeida?.person.givenName).toBe('Éric');
    expect(almeida?.place).toBeNull();
  });

  it('gives the same rows whatever the chunk boundaries (inside lines and characters)', () => {
    const whole = parse(sample).rows;
    for (const chunkSize of [1, 2, 3, 7, 100, 1499]) {
      expect(parse(sample, { chunkSize }).rows).toEqual(whole);
    }
  });

  it('tolerates a BOM, CRLF line ends and columns appended to the header', () => {
    const { rows, errors, stats } = parse(readFileSync(fixture('sample-56-bom-crlf.txt')), {
      chunkSize: 333,
    });
    expect(errors).toEqual([]);
    expect(stats.unknownColumns).toBeGreaterThanOrEqual(30);
    expect(rows.map((r) => r.person)).toEqual(parse(sample).rows.map((r) => r.person));
    expect(rows[0]?.person.nationalId).toBe('810001234565');
    expect(rows.at(-1)?.person.givenName).toBe('Éric');
  });

  it('detects Latin-1 line by line and reads accents right', () => {
    const bytes = readFileSync(fixture('latin1.txt'));
    const { rows, errors, stats } = parse(bytes);
    expect(errors).toEqual([]);
    expect(stats.latin1Lines).toBeGreaterThan(0);
    expect(rows.map((r) => r.person)).toEqual(parse(sample).rows.map((r) => r.person));
    expect(rows.find((r) => r.person.identifier === '10002345675')?.person.familyName).toBe('LEFÈVRE');
    // with --encoding utf8 the same file is refused: its header already is not UTF-8 …
    expect(() => parse(bytes, { encoding: 'utf8' })).toThrow(/en-tête n’est pas en UTF-8/);
    // … and a Latin-1 line in a UTF-8 file is reported with its number
    const mixed = Buffer.concat([
      sample.subarray(0, sample.indexOf(10) + 1),
      bytes.subarray(bytes.indexOf(10) + 1),
    ]);
    const strict = parse(mixed, { encoding: 'utf8' });
    expect(strict.errors[0]).toEqual({ line: 2, reason: expect.stringMatching(/UTF-8/) });
    expect(parse(mixed).errors).toEqual([]);
  });

  it('refuses a file without a required column before any row, naming the column', () => {
    const rows: ParsedRow[] = [];
    const parser = new DirectoryParser(
      (r) => rows.push(r),
      () => {},
    );
    expect(() => parser.push(readFileSync(fixture('missing-column.txt')))).toThrow(DirectoryFormatError);
    expect(rows).toEqual([]);
    expect(() => parse(readFileSync(fixture('missing-column.txt')))).toThrow(/« Nom d'exercice »/);
    expect(() => parse(readFileSync(fixture('missing-columns.txt')))).toThrow(
      /« Nom d'exercice ».*« Code postal \(coord\. structure\) »/,
    );
  });

  it('refuses an empty file and a file with a header only', () => {
    expect(() => parse(readFileSync(fixture('empty.txt')))).toThrow(/vide/);
    expect(() => parse(readFileSync(fixture('header-only.txt')))).toThrow(/aucune ligne de données/);
  });

  it('reports a truncated last line with its number and reason', () => {
    const { rows, errors } = parse(readFileSync(fixture('truncated.txt')));
    expect(rows).toHaveLength(6);
    expect(errors).toEqual([{ line: 8, reason: expect.stringMatching(/incomplète.*tronquée/) }]);
    // cut right before the final '|': every field is there but the line is still incomplete
    const cut = sample.toString('utf8').trimEnd().slice(0, -1);
    const last = parse(Buffer.from(cut, 'utf8'));
    expect(last.errors).toEqual([{ line: 9, reason: expect.stringMatching(/tronquée/) }]);
  });

  it('skips a 10 MB line with a reason, without holding it in memory', () => {
    const lines = sample.toString('utf8').split('\n');
    const huge = `8|1|81|${'X'.repeat(10 * 1024 * 1024)}|`;
    const bytes = Buffer.from([lines[0], lines[1], huge, ...lines.slice(2)].join('\n'), 'utf8');
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const rows: ParsedRow[] = [];
    const errors: LineError[] = [];
    const parser = new DirectoryParser(
      (r) => rows.push(r),
      (e) => errors.push(e),
    );
    for (let i = 0; i < bytes.length; i += 64 * 1024) {
      parser.push(bytes.subarray(i, i + 64 * 1024));
      peak = Math.max(peak, (parser as unknown as { pendingBytes: number }).pendingBytes);
    }
    parser.end();
    expect(errors).toEqual([{ line: 3, reason: expect.stringMatching(/trop longue/) }]);
    expect(rows).toHaveLength(8);
    expect(rows[1]?.line).toBe(4);
    expect(peak).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(bytes.length);
  });

  it('reports malformed lines with their number and reason, and reads the others', () => {
    const lines = sample.toString('utf8').trimEnd().split('\n');
    const bad = [
      lines[0],
      lines[1],
      lines[2]?.replace('|10002345675|', '||'), // no RPPS
      lines[3]?.replace('|LEFÈVRE|', '||'), // no name
      lines[4]?.replace('|10|Médecin|', '|xx|Médecin|'), // bad profession code
      `${lines[5]}extra|`, // one field too many
      lines[6]?.replace('|BENALI|', '|BEN\u0000ALI|'),
      lines[7],
    ].join('\n');
    const { rows, errors } = parse(Buffer.from(bad, 'utf8'));
    expect(rows.map((r) => r.line)).toEqual([2, 8]);
    expect(errors).toEqual([
      { line: 3, reason: 'identifiant PP manquant ou invalide' },
      { line: 4, reason: "nom d'exercice manquant ou invalide" },
      { line: 5, reason: 'code profession manquant ou invalide' },
      { line: 6, reason: 'trop de champs : 53 au lieu de 52' },
      { line: 7, reason: 'caractère nul dans la ligne' },
    ]);
  });

  it('reads the town in « Bureau cedex » when « Libellé commune » is empty, and the « Enseigne » of a structure with no name', () => {
    const header = sample.toString('utf8').split('\n')[0];
    const line = (fields: Record<number, string>) => {
      const f = new Array<string>(52).fill('');
      Object.assign(
        f,
        { 0: '8', 1: '10001234565', 2: '810001234565', 7: 'MARTIN', 8: 'Camille', 9: '10' },
        fields,
      );
      return `${f.join('|')}|`;
    };
    const text = [
      header,
      line({ 24: 'CABINET MÉDICAL', 34: '01390 MIONNAY', 35: '01390' }),
      line({ 24: 'CABINET', 34: '25300 DOUBS', 35: '25300', 37: '' }),
      line({ 24: 'CENTRE HOSPITALIER', 34: '75743 PARIS CEDEX 15', 35: '75015' }),
      line({ 25: 'PHARMACIE DU MARCHÉ', 34: '69003 LYON', 35: '69003', 37: 'Lyon' }),
      line({ 24: 'CABINET', 34: '97150 SAINT MARTIN', 36: '97801' }),
      line({ 24: 'CABINET', 34: '97133', 35: '97133', 37: 'Saint-Barthélemy' }),
      '',
    ].join('\n');
    const { rows, errors } = parse(Buffer.from(text, 'utf8'));
    expect(errors).toEqual([]);
    expect(
      rows.map((r) => [r.place?.name, r.place?.postalCode, r.place?.commune, r.place?.department]),
    ).toEqual([
      ['CABINET MÉDICAL', '01390', 'MIONNAY', '01'],
      ['CABINET', '25300', 'DOUBS', '25'],
      ['CENTRE HOSPITALIER', '75015', 'PARIS', '75'],
      ['PHARMACIE DU MARCHÉ', '69003', 'Lyon', '69'],
      // no postal code column value: the code of « Bureau cedex » is taken too
      ['CABINET', '97150', 'SAINT MARTIN', '978'],
      ['CABINET', '97133', 'Saint-Barthélemy', '977'],
    ]);
  });

  it('opens the extract inside the ANS zip, and refuses a zip without it', async () => {
    const source = await openSource(fixture('extract.zip'));
    expect(source.extractName).toBe('PS_LibreAcces_Personne_activite_202504150830.txt');
    expect(source.fileName).toBe('extract.zip › PS_LibreAcces_Personne_activite_202504150830.txt');
    const chunks: Buffer[] = [];
    for await (const c of source.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(sample)).toBe(true);
    await expect(openSource(fixture('no-member.zip'))).rejects.toThrow(
      /aucun fichier PS_LibreAcces_Personne_activite_\*\.txt/,
    );
    await expect(openSource(fixture('absent.txt'))).rejects.toThrow(/introuvable/);
  });
});
