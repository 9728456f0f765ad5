// `npm run directory:import -- <file> [--max-errors N] [--encoding auto|utf8|latin1] [--force] [--json]`
// Imports the ANS extract (PS_LibreAcces_Personne_activite_*.txt or data.gouv.fr's
// ps-libreacces-personne-activite.txt, any name; gzipped as .txt.gz; or the zip that holds it)
// into the application's database: DATABASE_URL, else the embedded PostgreSQL under DATA_DIR
// (the running application's own, or started for the import and stopped after). Searches keep
// answering from the previous directory until the new one is swapped in.
import { parseArgs } from 'node:util';
import { DirectoryImportError, importDirectory } from '../src/server/directory/importer.js';
import { DirectoryFormatError } from '../src/server/directory/parser.js';
import { openSource } from '../src/server/directory/source.js';
import { ConfigError, loadConfig } from '../src/server/platform/config.js';
import { DomainError } from '../src/server/platform/errors.js';
import { startRuntime } from '../src/server/platform/runtime.js';

const USAGE = `Usage : npm run directory:import -- <fichier .txt, .txt.gz ou .zip> [--max-errors N] [--encoding auto|utf8|latin1] [--force] [--json]

  --max-errors N   nombre de lignes invalides tolérées (ignorées et signalées) ; 0 par défaut
  --encoding       auto (UTF-8, sinon Latin-1 ligne par ligne) par défaut
  --force          accepte un annuaire deux fois plus petit que l'annuaire en service
  --json           imprime le bilan en JSON`;

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      'max-errors': { type: 'string', default: '0' },
      encoding: { type: 'string', default: 'auto' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  args = parse();
} catch (err) {
  fail(`${(err as Error).message}\n\n${USAGE}`, 2);
}
if (args.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const file = args.positionals[0];
if (!file || args.positionals.length > 1) fail(USAGE, 2);
const maxErrors = Number(args.values['max-errors']);
if (!Number.isInteger(maxErrors) || maxErrors < 0)
  fail('--max-errors doit être un nombre entier positif.', 2);
const encoding = args.values.encoding;
if (encoding !== 'auto' && encoding !== 'utf8' && encoding !== 'latin1') {
  fail('--encoding doit valoir auto, utf8 ou latin1.', 2);
}
const json = args.values.json;
const say = (m: string) => {
  if (!json) console.log(m);
};

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ LOG_LEVEL: 'warn', ...process.env }, process.cwd(), { purpose: 'tool' });
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 78);
  throw err;
}

let source: Awaited<ReturnType<typeof openSource>>;
try {
  source = await openSource(file);
} catch (err) {
  if (err instanceof DirectoryFormatError) fail(`Import refusé : ${err.message}`);
  throw err;
}

const runtime = await startRuntime(config, { reuseRunning: true });
let exitCode = 0;
try {
  say(`Import de ${source.fileName}`);
  const report = await importDirectory(runtime.pool, source, {
    encoding,
    maxErrors,
    force: args.values.force,
    log: say,
  });
  const usage = process.resourceUsage();
  const maxRssMb = Math.round(usage.maxRSS / 1024);
  // The process's CPU (user + system), whatever else the machine runs: the parse and COPY text.
  const cpuMs = Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000);
  if (json) {
    console.log(JSON.stringify({ ...report, maxRssMb, cpuMs }));
  } else {
    const fr = (n: number) => n.toLocaleString('fr-FR');
    say(
      [
        `Annuaire importé en ${(report.durationMs / 1000).toFixed(1)} s (import n° ${report.importId}).`,
        report.extractAt
          ? `  extraction du ${report.extractAt.toLocaleString('fr-FR', { timeZone: 'Europe/Paris' })}`
          : "  date de l'extraction inconnue (absente du nom du fichier) : l'annuaire sera daté de son import",
        `  ${fr(report.rows)} lignes, ${fr(report.people)} personnes, ${fr(report.places)} lieux d'exercice`,
        report.duplicates ? `  ${fr(report.duplicates)} ligne(s) en double comptée(s) une fois` : '',
        report.scattered
          ? `  ${fr(report.scattered)} personne(s) dont les lignes étaient dispersées dans le fichier, regroupée(s)`
          : '',
        report.rejected
          ? `  ${fr(report.rejected)} ligne(s) invalide(s) ignorée(s) :`
          : '  aucune ligne invalide',
        ...report.errors.slice(0, 20).map((e) => `    ligne ${e.line} : ${e.reason}`),
        report.latin1Lines ? `  ${fr(report.latin1Lines)} ligne(s) lue(s) en Latin-1` : '',
        `  mémoire maximale du processus : ${maxRssMb} Mo`,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
} catch (err) {
  exitCode = 1;
  if (err instanceof DirectoryImportError || err instanceof DomainError) {
    if (json)
      console.log(JSON.stringify({ error: err.message, errors: (err as DirectoryImportError).errors ?? [] }));
    else console.error(err.message);
  } else {
    console.error(`Import interrompu par une erreur technique ; l'annuaire en service est inchangé.`);
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  }
} finally {
  await runtime.close();
}
process.exit(exitCode);
