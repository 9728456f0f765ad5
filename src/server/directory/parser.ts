// Streaming parser of the ANS extract "PS_LibreAcces_Personne_activite_*.txt": bytes in, one
// row per person × place of practice out. Columns are found by header name (the ANS appends
// columns over time), lines are cut on '\n' with CRLF, BOM, UTF-8 or Latin-1 (Windows-1252)
// tolerated, and memory stays bounded whatever a line or the file holds. No I/O here: the
// importer feeds it chunks; tests feed it files.
import { isUtf8 } from 'node:buffer';
import { departmentOf, fold } from './normalize.js';

export const COLUMNS = {
  idType: "Type d'identifiant PP",
  identifier: 'Identifiant PP',
  nationalId: 'Identification nationale PP',
  practiceCivilityCode: "Code civilité d'exercice",
  practiceCivility: "Libellé civilité d'exercice",
  civilityCode: 'Code civilité',
  civility: 'Libellé civilité',
  familyName: "Nom d'exercice",
  givenName: "Prénom d'exercice",
  professionCode: 'Code profession',
  profession: 'Libellé profession',
  specialtyCode: 'Code savoir-faire',
  specialty: 'Libellé savoir-faire',
  modeCode: 'Code mode exercice',
  mode: 'Libellé mode exercice',
  structureId: 'Identifiant technique de la structure',
  siteName: 'Raison sociale site',
  brand: 'Enseigne commerciale site',
  streetNumber: 'Numéro Voie (coord. structure)',
  streetRepeat: 'Indice répétition voie (coord. structure)',
  streetType: 'Libellé type de voie (coord. structure)',
  street: 'Libellé Voie (coord. structure)',
  cedexOffice: 'Bureau cedex (coord. structure)',
  postalCode: 'Code postal (coord. structure)',
  communeCode: 'Code commune (coord. structure)',
  commune: 'Libellé commune (coord. structure)',
} as const;

export type ColumnKey = keyof typeof COLUMNS;
const KEYS = Object.keys(COLUMNS) as ColumnKey[];
const SLOT = Object.fromEntries(KEYS.map((k, i) => [k, i])) as Record<ColumnKey, number>;
const S = SLOT;
/** Characters that COPY's text format must escape: a line without them is copied as is. */
const COPY_SPECIAL = /[\\\t\r]/;

/** Without these a row cannot be searched or shown: a file that lacks one is refused. */
export const REQUIRED_COLUMNS: readonly ColumnKey[] = [
  'idType',
  'identifier',
  'nationalId',
  'familyName',
  'givenName',
  'professionCode',
  'siteName',
  'postalCode',
  'commune',
];

export interface PersonFields {
  nationalId: string;
  idType: string;
  identifier: string;
  civilityCode: string;
  civility: string;
  practiceCivilityCode: string;
  practiceCivility: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  profession: string;
  specialtyCode: string;
  specialty: string;
}

export interface PlaceFields {
  name: string;
  address: string;
  postalCode: string;
  commune: string;
  /** From the postal code (and the INSEE commune code overseas); null without a postal code. */
  department: string | null;
  modeCode: string;
  mode: string;
}

export interface ParsedRow {
  line: number;
  /** No character of the line needs escaping for COPY. */
  plain: boolean;
  person: PersonFields;
  /** Null for a person with no activity (empty structure fields). */
  place: PlaceFields | null;
}

export interface LineError {
  line: number;
  reason: string;
}

/** The file as a whole cannot be imported (no header, a required column missing, no data). */
export class DirectoryFormatError extends Error {
  override name = 'DirectoryFormatError';
}

export type Encoding = 'auto' | 'utf8' | 'latin1';

export interface ParserOptions {
  encoding?: Encoding;
  /** A longer line is reported and skipped without ever being held in memory. */
  maxLineBytes?: number;
}

export interface ParserStats {
  /** Physical lines read, header included. */
  lines: number;
  rows: number;
  rejected: number;
  /** Lines that were not valid UTF-8 and were read as Latin-1 (Windows-1252). */
  latin1Lines: number;
  /** Header columns this parser does not use (kept for the report). */
  unknownColumns: number;
}

const NEWLINE = 0x0a;
const latin1 = new TextDecoder('windows-1252');

function headerKey(name: string): string {
  return fold(name.replace(/^\uFEFF/, '').replace(/[’`]/g, "'"))
    .replace(/\s+/g, ' ')
    .trim();
}

/** "01390 MIONNAY", "75743 PARIS CEDEX 15": the postal code, then the town. */
const CEDEX_OFFICE = /^(\d{5})\s+(.+?)(?:\s+CEDEX(?:\s+\d{1,3})?)?$/i;

/**
 * The town (and postal code) of a place. Real rows often leave « Libellé commune » empty and
 * give the town only in « Bureau cedex » ("01390 MIONNAY"): the town is then read there,
 * without its postal code (nor the word CEDEX and its number).
 */
export function placeTown(
  postalCode: string,
  commune: string,
  cedexOffice: string,
): { postalCode: string; commune: string } {
  if (commune !== '' && postalCode !== '') return { postalCode, commune };
  const m = CEDEX_OFFICE.exec(cedexOffice);
  if (!m) return { postalCode, commune };
  return { postalCode: postalCode || (m[1] as string), commune: commune || (m[2] as string) };
}

const ID = /^[0-9A-Za-z]{1,20}$/;
const NATIONAL_ID = /^[0-9A-Za-z]{2,21}$/;
const DIGIT = /^\d$/;
const PROFESSION = /^\d{1,3}$/;

export class DirectoryParser {
  readonly stats: ParserStats = { lines: 0, rows: 0, rejected: 0, latin1Lines: 0, unknownColumns: 0 };
  private readonly encoding: Encoding;
  private readonly maxLineBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line that was too long: drop bytes until its end. */
  private skipping = false;
  private header: { count: number; trailingBar: boolean; slots: number[] } | undefined;
  /** The fields of the current line, by SLOT. */
  private readonly values: string[] = new Array<string>(KEYS.length).fill('');

  constructor(
    private readonly onRow: (row: ParsedRow) => void,
    private readonly onError: (error: LineError) => void,
    options: ParserOptions = {},
  ) {
    this.encoding = options.encoding ?? 'auto';
    this.maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.skipping || this.pendingBytes > 0) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.hold(chunk);
        return;
      }
      if (this.skipping) {
        this.skipping = false;
        this.tooLong();
      } else if (this.pendingBytes + nl > this.maxLineBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        this.tooLong();
      } else {
        const line = Buffer.concat([...this.pending, chunk.subarray(0, nl)]);
        this.pending = [];
        this.pendingBytes = 0;
        this.block(line);
      }
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.block(chunk.subarray(start, last));
      start = last + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /** The end of the input: the last line may lack its newline (and may be truncated). */
  end(): void {
    if (this.skipping) {
      this.skipping = false;
      this.tooLong();
    } else if (this.pendingBytes > 0) {
      const line = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingBytes = 0;
      this.block(line);
    }
    if (!this.header) throw new DirectoryFormatError('Le fichier est vide : aucune ligne d’en-tête.');
    if (this.stats.rows === 0 && this.stats.rejected === 0) {
      throw new DirectoryFormatError('Le fichier ne contient aucune ligne de données.');
    }
  }

  private hold(bytes: Buffer): void {
    if (this.skipping) return;
    this.pendingBytes += bytes.length;
    if (this.pendingBytes > this.maxLineBytes) {
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = true;
      return;
    }
    // A copy: the stream may reuse the chunk's memory.
    this.pending.push(Buffer.from(bytes));
  }

  private tooLong(): void {
    this.stats.lines++;
    this.reject(`ligne trop longue (plus de ${this.maxLineBytes} octets)`);
  }

  /** Complete lines (no final newline): decoded at once when the whole block is valid UTF-8. */
  private block(bytes: Buffer): void {
    if (this.encoding === 'latin1') {
      this.lines(latin1.decode(bytes), true);
    } else if (isUtf8(bytes)) {
      this.lines(bytes.toString('utf8'), false);
    } else {
      let from = 0;
      while (from <= bytes.length) {
        let nl = bytes.indexOf(NEWLINE, from);
        if (nl < 0) nl = bytes.length;
        const line = bytes.subarray(from, nl);
        if (isUtf8(line)) this.line(line.toString('utf8'));
        else if (this.encoding === 'auto') {
          this.stats.latin1Lines++;
          this.line(latin1.decode(line));
        } else if (!this.header) {
          throw new DirectoryFormatError(
            'La ligne d’en-tête n’est pas en UTF-8 : importez avec l’encodage auto ou latin1.',
          );
        } else {
          this.stats.lines++;
          this.reject('caractères invalides : le fichier devait être en UTF-8');
        }
        from = nl + 1;
      }
    }
  }

  private lines(text: string, isLatin1: boolean): void {
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      const line = nl < 0 ? text.slice(from) : text.slice(from, nl);
      if (isLatin1) this.stats.latin1Lines++;
      this.line(line);
      if (nl < 0) return;
      from = nl + 1;
    }
  }

  /** True when the line gave a row (or was the header, or blank). */
  private line(raw: string): boolean {
    this.stats.lines++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.length > this.maxLineBytes)
      return this.reject(`ligne trop longue (plus de ${this.maxLineBytes} octets)`);
    if (!this.header) {
      if (this.stats.lines === 1 && text.replace(/^\uFEFF/, '').trim() === '') {
        throw new DirectoryFormatError('Le fichier est vide : aucune ligne d’en-tête.');
      }
      this.readHeader(text);
      return true;
    }
    if (text.trim() === '') return true;
    if (text.includes('\u0000')) return this.reject('caractère nul dans la ligne');
    const { count, trailingBar, slots } = this.header;
    // Only the fields we use are cut out of the line (a line has 52 to 56 fields, we read 24).
    const v = this.values;
    let n = 0;
    let from = 0;
    let endsWithBar = false;
    for (;;) {
      const bar = text.indexOf('|', from);
      const end = bar < 0 ? text.length : bar;
      const slot = n < slots.length ? (slots[n] as number) : -1;
      if (slot >= 0) {
        let value = end > from ? text.slice(from, end) : '';
        if (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32) value = value.trim();
        v[slot] = value;
      }
      n++;
      if (bar < 0) {
        endsWithBar = end === from && n > 1;
        break;
      }
      from = bar + 1;
    }
    if (trailingBar && endsWithBar) n--;
    if (n < count)
      return this.reject(`ligne incomplète : ${n} champs au lieu de ${count} (ligne tronquée ?)`);
    if (n > count) return this.reject(`trop de champs : ${n} au lieu de ${count}`);
    if (trailingBar && !endsWithBar) return this.reject('ligne tronquée : le séparateur final « | » manque');

    const idType = v[S.idType] as string;
    const identifier = v[S.identifier] as string;
    const nationalId = v[S.nationalId] as string;
    const familyName = v[S.familyName] as string;
    const professionCode = v[S.professionCode] as string;
    if (!DIGIT.test(idType)) return this.reject("type d'identifiant PP manquant ou invalide");
    if (!ID.test(identifier)) return this.reject('identifiant PP manquant ou invalide');
    if (!NATIONAL_ID.test(nationalId))
      return this.reject('identification nationale PP manquante ou invalide');
    if (familyName === '' || familyName.length > 200)
      return this.reject("nom d'exercice manquant ou invalide");
    if (!PROFESSION.test(professionCode)) return this.reject('code profession manquant ou invalide');
    const givenName = v[S.givenName] as string;
    if (givenName.length > 200) return this.reject("prénom d'exercice invalide");

    // A structure without a name is shown by its « Enseigne commerciale ».
    const siteName = (v[S.siteName] as string) || (v[S.brand] as string);
    const cedexOffice = v[S.cedexOffice] as string;
    const { postalCode, commune } = placeTown(v[S.postalCode] as string, v[S.commune] as string, cedexOffice);
    const hasPlace =
      siteName !== '' || postalCode !== '' || commune !== '' || (v[S.structureId] as string) !== '';
    let address = '';
    if (hasPlace) {
      for (const part of [
        v[S.streetNumber] as string,
        v[S.streetRepeat] as string,
        v[S.streetType] as string,
        v[S.street] as string,
      ]) {
        if (part) address = address ? `${address} ${part}` : part;
      }
    }
    this.stats.rows++;
    this.onRow({
      line: this.stats.lines,
      plain: !COPY_SPECIAL.test(text),
      person: {
        nationalId: nationalId.toUpperCase(),
        idType,
        identifier: identifier.toUpperCase(),
        civilityCode: v[S.civilityCode] as string,
        civility: v[S.civility] as string,
        practiceCivilityCode: v[S.practiceCivilityCode] as string,
        practiceCivility: v[S.practiceCivility] as string,
        familyName,
        givenName,
        professionCode,
        profession: v[S.profession] as string,
        specialtyCode: v[S.specialtyCode] as string,
        specialty: v[S.specialty] as string,
      },
      place: hasPlace
        ? {
            name: siteName,
            address,
            postalCode,
            commune,
            department: departmentOf(postalCode, v[S.communeCode] as string),
            modeCode: v[S.modeCode] as string,
            mode: v[S.mode] as string,
          }
        : null,
    });
    return true;
  }

  private readHeader(text: string): void {
    const names = text.replace(/^\uFEFF/, '').split('|');
    const trailingBar = names.length > 1 && names[names.length - 1]?.trim() === '';
    if (trailingBar) names.pop();
    const keys = names.map(headerKey);
    const index = {} as Record<ColumnKey, number>;
    const missing: string[] = [];
    for (const [key, label] of Object.entries(COLUMNS) as [ColumnKey, string][]) {
      index[key] = keys.indexOf(headerKey(label));
      if (index[key] < 0 && REQUIRED_COLUMNS.includes(key)) missing.push(`« ${label} »`);
    }
    if (missing.length > 0) {
      throw new DirectoryFormatError(
        missing.length === 1
          ? `Colonne obligatoire absente de l’en-tête (ligne 1) : ${missing[0]}.`
          : `Colonnes obligatoires absentes de l’en-tête (ligne 1) : ${missing.join(', ')}.`,
      );
    }
    const used = new Set(Object.values(index).filter((i) => i >= 0));
    this.stats.unknownColumns = names.length - used.size;
    const slots = new Array<number>(names.length).fill(-1);
    for (const key of KEYS) if (index[key] >= 0) slots[index[key]] = SLOT[key];
    this.header = { count: names.length, trailingBar, slots };
  }

  private reject(reason: string): false {
    this.stats.rejected++;
    this.onError({ line: this.stats.lines, reason });
    return false;
  }
}
