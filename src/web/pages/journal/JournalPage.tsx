// "Journal": for a doctor, what happened to his or her dossiers and delegations, one sentence per
// entry (« Nadia BENALI a complété le volet médical de Ginette GUÉRIN pour votre compte ») with what
// changed, filtered by délégataire, action, dates and dossier, with the CSV export; for everyone,
// "Mes actions". Repeated reads of one dossier by one person within 10 minutes show as one line
// that opens onto each entry. Times in Paris time. Filters live in the address (`delegataire`,
// `action`, `dossier`, `du`, `au`, `vue`).
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useSearchParams } from 'react-router';
import type { Me } from '../../../shared/identity';
import { ACTION_FILTER_GROUPS, ACTION_LABELS, JOURNAL_ACTIONS } from '../../../shared/journal';
import { personName } from '../../../shared/names';
import { ApiError } from '../../api/client';
import { useSession } from '../../api/session';
import { clientError, dateProblem, ErrorSummary } from '../../components/ErrorSummary';
import { Loading, useTitle } from '../dossiers/components';
import { fetchJournalActors, fetchJournalPage, type JournalFilters, journalCsvHref } from './api';
import { JournalTable } from './JournalTable';
import './journal.css';

export function JournalPage() {
  const session = useSession();
  const { pathname, search } = useLocation();
  useTitle('Journal');
  if (session.isPending) return <Loading />;
  const user = session.data?.user;
  if (!user) return <Navigate to={`/connexion?retour=${encodeURIComponent(pathname + search)}`} replace />;
  return <Journal user={user} />;
}

const isAction = (v: string | null): v is string => (JOURNAL_ACTIONS as readonly string[]).includes(v ?? '');

function Journal({ user }: { user: Me }) {
  const [params, setParams] = useSearchParams();
  const scope: JournalFilters['scope'] =
    user.isDoctor && params.get('vue') !== 'actions' ? 'mine' : 'actions';
  const filters: JournalFilters = {
    scope,
    delegate: (scope === 'mine' && params.get('delegataire')) || undefined,
    dossier: params.get('dossier') || undefined,
    // An unknown action in the address is sent as is: the server answers in French.
    action: params.get('action') || undefined,
    from: params.get('du') || undefined,
    to: params.get('au') || undefined,
  };
  const title = scope === 'mine' ? 'Journal' : 'Journal — mes actions';
  // Dates checked before asking the server (complete, in order).
  const [formError, setFormError] = useState<ApiError | undefined>();

  const actors = useQuery({
    queryKey: ['journal', 'actors'],
    queryFn: fetchJournalActors,
    enabled: scope === 'mine',
  });
  const journal = useInfiniteQuery({
    queryKey: ['journal', filters],
    queryFn: ({ pageParam }) => fetchJournalPage(filters, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const entries = journal.data?.pages.flatMap((p) => p.entries) ?? [];

  // The form's own state; applied to the address (and the query) on "Filtrer".
  const formOf = (f: JournalFilters) => ({
    delegate: f.delegate ?? '',
    action: isAction(f.action ?? null) ? (f.action as string) : '',
    dossier: f.dossier ?? '',
    from: f.from ?? '',
    to: f.to ?? '',
  });
  const [form, setForm] = useState(() => formOf(filters));
  const paramsKey = params.toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset the form when the address changes
  useEffect(() => {
    setForm(formOf(filters));
  }, [paramsKey]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const from = dateProblem('filtre-du', form.from, false);
    const to = dateProblem('filtre-au', form.to, false);
    const problems = clientError([
      ...(from ? [{ path: 'from', message: from }] : []),
      ...(to ? [{ path: 'to', message: to }] : []),
      ...(!from && !to && form.from && form.to && form.to < form.from
        ? [{ path: 'to', message: 'La date de début doit précéder la date de fin.' }]
        : []),
    ]);
    setFormError(problems);
    if (problems) return;
    const next = new URLSearchParams();
    if (scope === 'actions' && user.isDoctor) next.set('vue', 'actions');
    if (scope === 'mine' && form.delegate) next.set('delegataire', form.delegate);
    if (form.action) next.set('action', form.action);
    if (form.dossier.trim()) next.set('dossier', form.dossier.trim());
    if (form.from) next.set('du', form.from);
    if (form.to) next.set('au', form.to);
    setParams(next);
  };
  const filtered = Boolean(
    filters.delegate || filters.action || filters.dossier || filters.from || filters.to,
  );
  const serverError = journal.error instanceof ApiError ? journal.error : undefined;
  const error = formError ?? serverError;
  const fieldErrors = error && error.fields.length > 0 ? error : undefined;
  useTitle(title, error !== undefined || journal.isError);
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  const countRef = useRef<HTMLParagraphElement>(null);

  return (
    <>
      <h1>{title}</h1>
      <p className="fr-text--lead">
        {scope === 'mine'
          ? 'Chaque évènement de vos délégations de droits et chaque accès d’un délégataire à vos dossiers, refus compris. Le journal ne peut être ni modifié ni effacé.'
          : 'Vos propres actions sur les dossiers des médecins qui vous ont délégué leurs droits, refus compris.'}
      </p>
      {user.isDoctor && (
        <nav aria-label="Vues du journal" className="fr-mb-3w journal-views">
          <ul className="fr-tags-group">
            <li>
              <Link className="fr-tag" to="/journal" aria-current={scope === 'mine' ? 'page' : undefined}>
                Mes dossiers et délégations
              </Link>
            </li>
            <li>
              <Link
                className="fr-tag"
                to="/journal?vue=actions"
                aria-current={scope === 'actions' ? 'page' : undefined}
              >
                Mes actions pour d’autres médecins
              </Link>
            </li>
          </ul>
        </nav>
      )}

      {fieldErrors && (
        <ErrorSummary
          error={fieldErrors}
          summaryRef={errorRef}
          fields={{
            from: { id: 'filtre-du', label: 'Du' },
            to: { id: 'filtre-au', label: 'Au' },
            dossier: { id: 'filtre-dossier', label: 'Dossier' },
            action: { id: 'filtre-action', label: 'Action' },
            delegate: { id: 'filtre-delegataire', label: 'Délégataire' },
          }}
        />
      )}
      <form onSubmit={apply} noValidate aria-label="Filtrer le journal" className="fr-mb-3w no-print">
        <div className="journal-filters">
          {scope === 'mine' && (
            <Select
              label="Délégataire"
              nativeSelectProps={{
                id: 'filtre-delegataire',
                value: form.delegate,
                onChange: (e) => setForm({ ...form, delegate: e.target.value }),
              }}
            >
              <option value="">Toutes les personnes</option>
              {(actors.data ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {personName(a.givenName, a.familyName)}
                </option>
              ))}
            </Select>
          )}
          <Select
            label="Action"
            nativeSelectProps={{
              id: 'filtre-action',
              value: form.action,
              onChange: (e) => setForm({ ...form, action: e.target.value }),
            }}
          >
            <option value="">Toutes les actions</option>
            {ACTION_FILTER_GROUPS.map((g) => (
              <optgroup key={g.label} label={g.label}>
                {g.actions.map((a) => (
                  <option key={a} value={a}>
                    {ACTION_LABELS[a]}
                  </option>
                ))}
              </optgroup>
            ))}
          </Select>
          <Input
            label="Du"
            hintText="Format attendu : JJ/MM/AAAA"
            state={error?.field('from') ? 'error' : 'default'}
            stateRelatedMessage={error?.field('from')}
            nativeInputProps={{
              id: 'filtre-du',
              type: 'date',
              value: form.from,
              onChange: (e) => setForm({ ...form, from: e.target.value }),
            }}
          />
          <Input
            label="Au"
            hintText="Format attendu : JJ/MM/AAAA"
            state={error?.field('to') ? 'error' : 'default'}
            stateRelatedMessage={error?.field('to')}
            nativeInputProps={{
              id: 'filtre-au',
              type: 'date',
              value: form.to,
              onChange: (e) => setForm({ ...form, to: e.target.value }),
            }}
          />
          <Input
            label="Dossier"
            hintText="Référence, par exemple GA-2026-000001"
            nativeInputProps={{
              id: 'filtre-dossier',
              value: form.dossier,
              maxLength: 64,
              onChange: (e) => setForm({ ...form, dossier: e.target.value }),
            }}
          />
        </div>
        <div className="journal-actions">
          <Button type="submit" iconId="fr-icon-filter-line">
            Filtrer
          </Button>
          {filtered && (
            <Link
              className="fr-link"
              to={scope === 'actions' && user.isDoctor ? '/journal?vue=actions' : '/journal'}
            >
              Effacer les filtres
            </Link>
          )}
          <a className="fr-link fr-link--download" href={journalCsvHref(filters)} download>
            Exporter en CSV
            <span className="fr-link__detail">
              CSV – UTF-8, séparateur « ; », {filtered ? 'entrées filtrées' : 'tout le journal'}
            </span>
          </a>
        </div>
      </form>

      {fieldErrors ? null : journal.isPending ? (
        <Loading />
      ) : error || journal.isError ? (
        <div ref={errorRef} tabIndex={-1}>
          <Alert
            severity="error"
            as="h2"
            title="Le journal ne peut pas être affiché"
            description={error?.message ?? 'Veuillez réessayer dans quelques instants.'}
          />
        </div>
      ) : entries.length === 0 ? (
        <p>
          {filtered ? 'Aucune entrée ne correspond à ces filtres.' : 'Le journal est vide pour le moment.'}
        </p>
      ) : (
        <>
          <p ref={countRef} aria-live="polite" className="fr-text--sm">
            {entries.length} entrée{entries.length > 1 ? 's' : ''} affichée{entries.length > 1 ? 's' : ''}
            {journal.hasNextPage ? ', les plus récentes d’abord' : ''}.
          </p>
          <JournalTable entries={entries} scope={scope} />
          {journal.hasNextPage && (
            <Button
              priority="secondary"
              disabled={journal.isFetchingNextPage}
              onClick={() => void journal.fetchNextPage()}
            >
              {journal.isFetchingNextPage ? 'Chargement…' : 'Entrées plus anciennes'}
            </Button>
          )}
        </>
      )}
    </>
  );
}
