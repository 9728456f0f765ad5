// Parsed rows → COPY text for the directory tables, pure (the importer does the I/O). One
// person has several rows (one per place of practice, sometimes one per profession, sometimes
// the same line twice): they are gathered into one person with all their professions and each
// place once. The rare person whose rows are not contiguous in the file is set aside ("late"
// rows, kept compactly) and merged with what was already written once the file has been read.
import { PROFESSIONS } from './codes.js';
import { IdMap } from './id-set.js';
import { compactKey, familyNameParts, personKeys } from './normalize.js';
import type { ParsedRow, PersonFields, PlaceFields } from './parser.js';

export const PERSON_COLUMNS = [
  'id',
  'national_id',
  'id_type',
  'identifier',
  'civility_code',
  'civility',
  'practice_civility_code',
  'practice_civility',
  'family_name',
  'given_name',
  'profession_code',
  'profession',
  'specialty_code',
  'specialty',
  'name_key',
  'given_name_key',
  'professions',
  'profession_labels',
];
export const PLACE_COLUMNS = [
  'person_id',
  'position',
  'name',
  'address',
  'postal_code',
  'commune',
  'department',
  'mode_code',
  'mode',
  'professions',
  'name_key',
];
export const PART_COLUMNS = ['person_id', 'part_key', 'professions', 'department', 'postal_code'];

/** Rows of persons already written that reappear later in the file, kept until the end. */
export const MAX_LATE_ROWS = 100_000;

const COPY_ESCAPE = /[\\\t\n\r]/;
export function copyText(value: string): string {
  if (!COPY_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** A PostgreSQL array literal of strings, as COPY text. */
export function copyArray(values: readonly string[]): string {
  const literal = `{${values.map((v) => (/^[0-9A-Za-z]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;
  return copyText(literal);
}

/** Profession codes in numeric order: the first is the person's main profession (10 first). */
function byCode(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface PlaceEntry {
  place: PlaceFields;
  /** The line of the file it came from: the order of a person's places. */
  line: number;
  /** No field needs escaping for COPY. */
  plain: boolean;
}

/** One person being gathered from their rows. */
export class PersonBuilder {
  readonly codes: string[] = [];
  readonly labels: string[] = [];
  specialtyCode = '';
  specialty = '';
  readonly places: PlaceEntry[] = [];
  private readonly signatures: string[] = [];

  constructor(
    readonly id: number,
    readonly person: PersonFields,
    /** No field of the person needs escaping for COPY. */
    readonly plain: boolean,
    readonly nameKey: string,
    readonly givenNameKey: string,
  ) {}

  /** False when the profession (and specialty) add nothing: already known. */
  addProfession(code: string, label: string, specialtyCode: string, specialty: string): boolean {
    let added = false;
    if (!this.codes.includes(code)) {
      this.codes.push(code);
      this.labels.push(label || PROFESSIONS[code] || '');
      added = true;
    }
    if (!this.specialtyCode && specialtyCode) {
      this.specialtyCode = specialtyCode;
      this.specialty = specialty;
      added = true;
    }
    return added;
  }

  /** False when the place is already known (a repeated line, or another profession's row). */
  addPlace(entry: PlaceEntry): boolean {
    const p = entry.place;
    // A person has a handful of places: a list beats a Set here.
    const signature = `${p.name}|${p.address}|${p.postalCode}|${p.commune}|${p.modeCode}`;
    if (this.signatures.includes(signature)) return false;
    this.signatures.push(signature);
    this.places.push(entry);
    return true;
  }

  /** Adds a row; false when it brought nothing new (an exact duplicate, for the directory). */
  addRow(row: ParsedRow): boolean {
    const p = row.person;
    const profession = this.addProfession(p.professionCode, p.profession, p.specialtyCode, p.specialty);
    const place = row.place ? this.addPlace({ place: row.place, line: row.line, plain: row.plain }) : false;
    return profession || place;
  }
}

interface ProfessionArrays {
  codes: string;
  labels: string;
  mainCode: string;
  mainLabel: string;
}
const arrayCache = new Map<string, ProfessionArrays>();
/** The professions as COPY array literals (codes, labels), cached: a few combinations only. */
function professionArrays(b: PersonBuilder): ProfessionArrays {
  const key =
    b.codes.length === 1
      ? `${b.codes[0]}\u0001${b.labels[0]}`
      : `${b.codes.join(',')}\u0001${b.labels.join('\u0001')}`;
  let cached = arrayCache.get(key);
  if (cached === undefined) {
    const order = b.codes.map((_, i) => i).sort((i, j) => byCode(b.codes[i] ?? '', b.codes[j] ?? ''));
    const codes = order.map((i) => b.codes[i] as string);
    const labels = order.map((i) => b.labels[i] as string);
    cached = {
      codes: copyArray(codes),
      labels: copyArray(labels),
      mainCode: codes[0] as string,
      mainLabel: copyText(labels[0] as string),
    };
    if (arrayCache.size < 10_000) arrayCache.set(key, cached);
  }
  return cached;
}

/** The COPY lines of one gathered person: the person, their places, their name parts. */
export function emitPerson(b: PersonBuilder): { person: string; place: string; part: string } {
  const p = b.person;
  const arrays = professionArrays(b);
  let person: string;
  if (b.plain) {
    person = `${b.id}\t${p.nationalId}\t${p.idType}\t${p.identifier}\t${p.civilityCode}\t${p.civility}\t${p.practiceCivilityCode}\t${p.practiceCivility}\t${p.familyName}\t${p.givenName}\t${arrays.mainCode}\t${arrays.mainLabel}\t${copyText(b.specialtyCode)}\t${copyText(b.specialty)}\t${b.nameKey}\t${b.givenNameKey}\t${arrays.codes}\t${arrays.labels}\n`;
  } else {
    const fields = [
      p.nationalId,
      p.idType,
      p.identifier,
      p.civilityCode,
      p.civility,
      p.practiceCivilityCode,
      p.practiceCivility,
      p.familyName,
      p.givenName,
      arrays.mainCode,
    ].map(copyText);
    person = `${b.id}\t${fields.join('\t')}\t${arrays.mainLabel}\t${copyText(b.specialtyCode)}\t${copyText(b.specialty)}\t${b.nameKey}\t${b.givenNameKey}\t${arrays.codes}\t${arrays.labels}\n`;
  }

  let place = '';
  for (const { place: pl, line, plain } of b.places) {
    const department = pl.department ?? '\\N';
    if (plain) {
      place += `${b.id}\t${line}\t${pl.name}\t${pl.address}\t${pl.postalCode}\t${pl.commune}\t${department}\t${pl.modeCode}\t${pl.mode}\t${arrays.codes}\t${b.nameKey}\n`;
    } else {
      place += `${b.id}\t${line}\t${copyText(pl.name)}\t${copyText(pl.address)}\t${copyText(pl.postalCode)}\t${copyText(pl.commune)}\t${department}\t${copyText(pl.modeCode)}\t${copyText(pl.mode)}\t${arrays.codes}\t${b.nameKey}\n`;
    }
  }

  let part = '';
  const parts = familyNameParts(p.familyName);
  if (parts.length > 0) {
    const given = b.givenNameKey.slice(0, b.givenNameKey.indexOf(' '));
    // One row per part and distinct (department, postal code): a search within a department
    // reads that department's rows only.
    const where: string[] = [];
    for (const { place: pl } of b.places) {
      const at = `${pl.department ?? '\\N'}\t${copyText(pl.postalCode)}`;
      if (!where.includes(at)) where.push(at);
    }
    if (where.length === 0) where.push('\\N\t');
    for (const name of parts) {
      for (const at of where) part += `${b.id}\t${name} ${given}\t${arrays.codes}\t${at}\n`;
    }
  }
  return { person, place, part };
}

/** What is kept of a row whose person was already written: one flat string (no chunk kept alive). */
function compactRow(row: ParsedRow): string {
  return JSON.stringify([
    row.line,
    row.plain,
    row.person.professionCode,
    row.person.profession,
    row.person.specialtyCode,
    row.person.specialty,
    row.place,
  ]);
}

export function readCompactRow(text: string): {
  line: number;
  plain: boolean;
  code: string;
  label: string;
  specialtyCode: string;
  specialty: string;
  place: PlaceFields | null;
} {
  const [line, plain, code, label, specialtyCode, specialty, place] = JSON.parse(text) as [
    number,
    boolean,
    string,
    string,
    string,
    string,
    PlaceFields | null,
  ];
  return { line, plain, code, label, specialtyCode, specialty, place };
}

/** Too many rows of persons seen earlier: the file is not ordered by person. */
export class UnorderedFileError extends Error {
  override name = 'UnorderedFileError';
}

/** Turns parsed rows into COPY text for the person, place and name-part tables. */
export class RowAssembler {
  people = 0;
  places = 0;
  /** Rows that brought nothing new (exact duplicates of an earlier row of the same person). */
  duplicates = 0;
  private personOut = '';
  private placeOut = '';
  private partOut = '';
  /** Every person seen, to recognise a person whose rows are not contiguous. */
  private readonly seen = new IdMap();
  /** Rows of persons already written, by person number (merged by the importer at the end). */
  readonly late = new Map<number, string[]>();
  private lateRows = 0;
  /** Distinct family names (by key) for the fuzzy fallback: first spelling, people, professions. */
  private readonly families = new Map<string, { label: string; people: number; professions: string[] }>();
  private current: PersonBuilder | undefined;

  constructor(private readonly maxLateRows = MAX_LATE_ROWS) {}

  add(row: ParsedRow): void {
    const p = row.person;
    const current = this.current;
    if (current && current.person.nationalId === p.nationalId) {
      if (!current.addRow(row)) this.duplicates++;
      return;
    }
    this.flush();
    const id = this.seen.getOrAdd(p.nationalId, this.people + 1);
    if (id <= this.people) {
      this.addLate(id, row);
      return;
    }
    this.people = id;
    const keys = personKeys(p.familyName, p.givenName);
    const familyKey = keys.nameKey.slice(0, keys.nameKey.indexOf(' '));
    const family = this.families.get(familyKey);
    if (!family) {
      // The label is copied: a slice would keep the whole decoded chunk it came from alive.
      const label = Buffer.from(p.familyName, 'utf8').toString('utf8');
      this.families.set(familyKey, { label, people: 1, professions: [p.professionCode] });
    } else {
      family.people++;
      if (!family.professions.includes(p.professionCode)) family.professions.push(p.professionCode);
    }
    const builder = new PersonBuilder(id, p, row.plain, keys.nameKey, keys.givenNameKey);
    builder.addRow(row);
    this.current = builder;
  }

  private addLate(id: number, row: ParsedRow): void {
    if (++this.lateRows > this.maxLateRows) {
      throw new UnorderedFileError(
        `plus de ${this.maxLateRows.toLocaleString('fr-FR')} lignes reprennent une personne déjà rencontrée plus haut dans le fichier (ligne ${row.line}) : le fichier ne semble pas regroupé par personne.`,
      );
    }
    const rows = this.late.get(id);
    if (rows) rows.push(compactRow(row));
    else this.late.set(id, [compactRow(row)]);
    const family = this.families.get(compactKey(row.person.familyName));
    if (family && !family.professions.includes(row.person.professionCode))
      family.professions.push(row.person.professionCode);
  }

  /** Writes the person being gathered (at a change of person, and at the end). */
  flush(): void {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    const out = emitPerson(c);
    this.places += c.places.length;
    this.personOut += out.person;
    this.placeOut += out.place;
    this.partOut += out.part;
  }

  /** A late person's places were counted when written; the merge corrects the count. */
  adjustPlaces(delta: number): void {
    this.places += delta;
  }

  /** The family names as COPY input (key, label, people, professions). */
  familyText(): string {
    let out = '';
    for (const [key, f] of this.families) {
      const professions = `{${f.professions.sort().join(',')}}`;
      out += `${key}\t${copyText(f.label)}\t${f.people}\t${copyText(professions)}\n`;
    }
    return out;
  }

  /** The text accumulated since the last call, as COPY input. */
  take(): { person: string; place: string; part: string } {
    const out = { person: this.personOut, place: this.placeOut, part: this.partOut };
    this.personOut = '';
    this.placeOut = '';
    this.partOut = '';
    return out;
  }
}
