// The generated directory (demo, `directory:generate`, `bench:directory`) has the shapes of the
// real extracts, at their size per person and per line. No database.
import { describe, expect, it } from 'vitest';
import { RowAssembler } from '../../src/server/directory/assembler.js';
import { generateDirectory, HEADER_56 } from '../../src/server/directory/generator.js';
import { DirectoryParser, type ParsedRow } from '../../src/server/directory/parser.js';

async function generated(options: Parameters<typeof generateDirectory>[0]) {
  const chunks: Buffer[] = [];
  for await (const chunk of generateDirectory(options)) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const lines = bytes.toString('utf8').split('\n').slice(1, -1);
  const rows: ParsedRow[] = [];
  const assembler = new RowAssembler();
  const parser = new DirectoryParser(
    (row) => {
      rows.push(row);
      assembler.add(row);
    },
    (error) => {
      throw new Error(`ligne ${error.line} : ${error.reason}`);
    },
  );
  parser.push(bytes);
  parser.end();
  assembler.flush();
  return { bytes, lines, rows, assembler };
}

const column = (name: string) => HEADER_56.indexOf(name);

describe('generated directory', () => {
  it('has the shapes of real extracts', async () => {
    const { lines, rows, assembler } = await generated({ people: 20_000, seed: 3 });
    const fields = lines.map((l) => l.split('|'));
    const commune = column('Libellé commune (coord. structure)');
    const cedex = column('Bureau cedex (coord. structure)');
    const siteName = column('Raison sociale site');
    const brand = column('Enseigne commerciale site');
    const postal = column('Code postal (coord. structure)');
    // town only in « Bureau cedex »: the parser reads it there
    const townInCedex = fields.filter((f) => f[commune] === '' && f[cedex] !== '');
    expect(townInCedex.length).toBeGreaterThan(1000);
    expect(rows.filter((r) => r.place && r.place.commune === '')).toEqual([]);
    // structures known by their « Enseigne » only
    expect(fields.filter((f) => f[siteName] === '' && f[brand] !== '').length).toBeGreaterThan(100);
    // the same line twice in a row
    expect(lines.filter((l, i) => i > 0 && l === lines[i - 1]).length).toBeGreaterThan(100);
    expect(assembler.duplicates).toBeGreaterThan(100);
    // persons with two professions
    const professions = new Map<string, Set<string>>();
    for (const r of rows) {
      const set = professions.get(r.person.nationalId) ?? new Set<string>();
      set.add(r.person.professionCode);
      professions.set(r.person.nationalId, set);
    }
    expect([...professions.values()].filter((s) => s.size === 2).length).toBeGreaterThan(20);
    // persons whose rows are not contiguous
    expect(assembler.late.size).toBeGreaterThan(10);
    // Saint-Martin and Saint-Barthélemy
    expect(rows.some((r) => r.place?.postalCode === '97150' && r.place.department === '978')).toBe(true);
    expect(rows.some((r) => r.place?.postalCode === '97133' && r.place.department === '977')).toBe(true);
    expect(fields.some((f) => f[postal] === '97150')).toBe(true);
    expect(assembler.people).toBe(20_000);
  });

  it('is at the size of the real file: about 2,400,000 lines and 830 MB for 1,465,000 people', async () => {
    const { bytes, lines } = await generated({ people: 20_000, seed: 5 });
    const linesPerPerson = lines.length / 20_000;
    const bytesPerLine = bytes.length / lines.length;
    expect(linesPerPerson * 1_465_000).toBeGreaterThan(2_300_000);
    expect(linesPerPerson * 1_465_000).toBeLessThan(2_500_000);
    expect(bytesPerLine).toBeGreaterThan(320);
    expect(bytesPerLine).toBeLessThan(370);
  });

  it('without the shapes, has none of them', async () => {
    const none = { townInCedexOnly: 0, brandOnly: 0, duplicateLines: 0, twoProfessions: 0, scattered: 0 };
    const { lines, assembler } = await generated({ people: 5_000, seed: 3, shapes: none });
    expect(lines.filter((l, i) => i > 0 && l === lines[i - 1])).toEqual([]);
    expect(assembler.duplicates).toBe(0);
    expect(assembler.late.size).toBe(0);
  });
});
