// The journal's lines: when, what happened as a sentence (with what changed), which dossier, the
// outcome. Consecutive reads of one dossier by one person within 10 minutes are one line,
// « 5 consultations entre 10 h 02 et 10 h 09 », whose button shows or hides each entry.
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { type ReactNode, useState } from 'react';
import { groupReads } from '../../../shared/journal-groups';
import { DataTable } from '../dossiers/components';
import { parisDateTime } from '../dossiers/format';
import type { JournalEntry, JournalFilters } from './api';

const OUTCOME_SEVERITY: Record<string, 'success' | 'error' | 'info'> = {
  ok: 'success',
  allowed: 'info',
  denied: 'error',
};

const hour = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  hour: '2-digit',
  minute: '2-digit',
});
/** « 10 h 02 » (Paris). */
export const parisHour = (iso: string) => hour.format(new Date(iso)).replace(':', ' h ');

export function When({ at }: { at: string }) {
  return (
    <time dateTime={at} className="journal-when">
      {parisDateTime(at, true)}
    </time>
  );
}

function Outcome({ e }: { e: JournalEntry }) {
  return (
    <Badge as="span" small noIcon severity={OUTCOME_SEVERITY[e.outcome]}>
      {e.outcomeLabel}
    </Badge>
  );
}

/** The sentence, then what changed: « Fin : 31/01/2027 → 28/02/2027 », « Champs modifiés : … ». */
export function What({ e }: { e: JournalEntry }) {
  return (
    <>
      <span className="journal-sentence">{e.sentence}</span>
      {e.changes.length > 0 && (
        <ul className="journal-changes">
          {e.changes.map((c) => (
            <li key={c.label}>
              {c.label} :{' '}
              {c.before !== null && (
                <>
                  {c.before} <span aria-hidden="true">→</span>
                  <span className="fr-sr-only"> devient</span>{' '}
                </>
              )}
              {c.after ?? '—'}
            </li>
          ))}
        </ul>
      )}
      {e.fields && <span className="journal-detail">Champs modifiés : {e.fields}</span>}
    </>
  );
}

export function JournalTable({
  entries,
  scope,
}: {
  entries: JournalEntry[];
  scope: JournalFilters['scope'];
}) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const toggle = (id: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const line = (e: JournalEntry, className?: string) => ({
    key: String(e.id),
    cells: [
      <When key="at" at={e.at} />,
      <What key="what" e={e} />,
      e.dossier ?? '—',
      <Outcome key="outcome" e={e} />,
    ] as ReactNode[],
    className,
  });
  const rows = groupReads(entries).flatMap((item) => {
    if (item.kind === 'entry') return [line(item.entry)];
    const [newest] = item.entries as [JournalEntry];
    const oldest = item.entries[item.entries.length - 1] as JournalEntry;
    const n = item.entries.length;
    const expanded = open.has(newest.id);
    const summary = {
      key: `groupe-${newest.id}`,
      cells: [
        <When key="at" at={newest.at} />,
        <div key="what">
          <span className="journal-sentence">
            <strong>
              {n} consultations entre {parisHour(oldest.at)} et {parisHour(newest.at)}
            </strong>{' '}
            : {newest.sentence}
          </span>
          <Button
            priority="tertiary no outline"
            size="small"
            iconId={expanded ? 'fr-icon-arrow-up-s-line' : 'fr-icon-arrow-down-s-line'}
            iconPosition="right"
            nativeButtonProps={{ 'aria-expanded': expanded }}
            onClick={() => toggle(newest.id)}
          >
            {expanded ? `Masquer les ${n} consultations` : `Afficher les ${n} consultations`}
          </Button>
        </div>,
        newest.dossier ?? '—',
        <Outcome key="outcome" e={newest} />,
      ] as ReactNode[],
      className: 'journal-group',
    };
    return expanded ? [summary, ...item.entries.map((e) => line(e, 'journal-grouped'))] : [summary];
  });
  return (
    <DataTable
      className="journal-table"
      caption={
        scope === 'mine'
          ? 'Journal de vos dossiers et délégations (heure de Paris)'
          : 'Vos actions (heure de Paris)'
      }
      captionHidden
      headers={['Date et heure', 'Évènement', 'Dossier', 'Résultat']}
      rows={rows}
    />
  );
}
