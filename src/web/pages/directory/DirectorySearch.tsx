// Search in the national directory, reusable (the peer delegation embeds it with profession
// 10): "Nom", optional "Code postal", "Rechercher", then each result with "Sélectionner", the
// fuzzy fallback ("Vouliez-vous dire …") and more results on demand. The directory's date is
// shown ("annuaire à jour du JJ/MM/AAAA", or its import's when the extract's is unknown).
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { z } from 'zod';
import {
  type DirectoryPerson,
  directoryDateLabel,
  directoryPageSchema as page,
  directoryStatusSchema as status,
} from '../../../shared/directory';
import { ApiError, apiGet } from '../../api/client';

export type { DirectoryPerson };

type Page = z.infer<typeof page>;

/** "Dr Jean-Pierre LEFÈVRE" */
export function displayName(p: DirectoryPerson): string {
  const title = p.practiceCivility === 'Docteur' ? 'Dr ' : p.practiceCivility === 'Professeur' ? 'Pr ' : '';
  return `${title}${p.givenName} ${p.familyName}`.trim();
}

export function placesLabel(p: DirectoryPerson): string {
  return p.places
    .map((pl) => [pl.name, [pl.postalCode, pl.commune].filter(Boolean).join(' ')].filter(Boolean).join(', '))
    .join(' ; ');
}

/**
 * "annuaire à jour du JJ/MM/AAAA", once the directory has been imported ("annuaire importé le
 * JJ/MM/AAAA (date de l’extraction inconnue)" when the extract carried no date).
 */
export function DirectoryDate() {
  const query = useQuery({
    queryKey: ['directory', 'status'],
    queryFn: () => apiGet('/api/directory/status', status),
    staleTime: 5 * 60_000,
    retry: false,
  });
  const label = query.data ? directoryDateLabel(query.data) : null;
  if (!label) return null;
  return <p className="fr-text--sm fr-mb-2w">{label}</p>;
}

function searchUrl(
  name: string,
  postalCode: string,
  profession: string | undefined,
  cursor?: string,
): string {
  const q = new URLSearchParams({ name: name.trim(), limit: '20' });
  if (postalCode.trim()) q.set('postalCode', postalCode.trim());
  if (profession) q.set('profession', profession);
  if (cursor) q.set('cursor', cursor);
  return `/api/directory/search?${q}`;
}

export interface DirectorySearchProps {
  /** "10" to find doctors only (peer delegation). */
  profession?: string;
  onSelect(person: DirectoryPerson): void;
  /** Names the list for assistive technologies, e.g. "Médecins trouvés". */
  resultsLabel?: string;
}

export function DirectorySearch({
  profession,
  onSelect,
  resultsLabel = 'Professionnels trouvés',
}: DirectorySearchProps) {
  const id = useId();
  const [name, setName] = useState('');
  const [postalCode, setPostalCode] = useState('');
  const [results, setResults] = useState<Page | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const statusRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (results || error) statusRef.current?.focus();
  }, [results, error]);

  // "Afficher plus de résultats" continues the search that was made, not what the fields hold now.
  const [asked, setAsked] = useState({ name: '', postalCode: '' });

  const search = async (value: string, cursor?: string) => {
    const query = cursor ? asked : { name: value, postalCode };
    if (!cursor) setAsked(query);
    setBusy(true);
    setError(undefined);
    try {
      const found = await apiGet(searchUrl(query.name, query.postalCode, profession, cursor), page);
      setResults((previous) =>
        cursor && previous ? { ...found, items: [...previous.items, ...found.items] } : found,
      );
    } catch (err) {
      setResults(undefined);
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'La recherche n’a pas pu aboutir.'));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void search(name);
  };

  const fieldError = (field: string) => error?.fields.find((f) => f.path === `querystring.${field}`)?.message;
  const nameError = fieldError('name');
  const postalError = fieldError('postalCode');
  const otherError = error && !nameError && !postalError ? error.message : undefined;

  return (
    <div className="directory-search">
      <DirectoryDate />
      <search aria-label="Rechercher dans l’annuaire national">
        <form onSubmit={onSubmit} noValidate>
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-5">
              <Input
                label="Nom"
                hintText="Nom de famille, éventuellement suivi du prénom"
                state={nameError ? 'error' : 'default'}
                stateRelatedMessage={nameError}
                nativeInputProps={{
                  id: `${id}-nom`,
                  name: 'name',
                  autoComplete: 'off',
                  maxLength: 100,
                  value: name,
                  onChange: (e) => setName(e.target.value),
                }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-3">
              <Input
                label="Code postal (facultatif)"
                hintText="5 chiffres, ou 2 pour un département"
                state={postalError ? 'error' : 'default'}
                stateRelatedMessage={postalError}
                nativeInputProps={{
                  id: `${id}-code-postal`,
                  name: 'postalCode',
                  autoComplete: 'off',
                  inputMode: 'numeric',
                  maxLength: 5,
                  value: postalCode,
                  onChange: (e) => setPostalCode(e.target.value),
                }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <Button type="submit" iconId="fr-icon-search-line" disabled={busy}>
                Rechercher
              </Button>
            </div>
          </div>
        </form>
      </search>

      <div className="fr-mt-3w">
        {(results || otherError) && (
          <p ref={statusRef} tabIndex={-1} className="fr-text--bold" aria-live="polite">
            {otherError
              ? 'La recherche n’a pas abouti.'
              : results && results.items.length === 0
                ? 'Aucun professionnel ne correspond à cette recherche.'
                : `${results?.items.length ?? 0}${results?.nextCursor ? ' premiers' : ''} résultat(s).`}
          </p>
        )}
        {otherError && <Alert severity="error" small description={otherError} />}
        {results && results.items.length === 0 && results.suggestions.length > 0 && (
          <p>
            Vouliez-vous dire{' '}
            {results.suggestions.map((s, i) => (
              <span key={s}>
                {i > 0 && ', '}
                <button
                  type="button"
                  className="fr-link"
                  onClick={() => {
                    setName(s);
                    void search(s);
                  }}
                >
                  {s}
                </button>
              </span>
            ))}{' '}
            ?
          </p>
        )}
        {results && results.items.length > 0 && (
          <ul className="fr-raw-list" aria-label={resultsLabel}>
            {results.items.map((p) => (
              <li
                key={p.nationalId}
                className="fr-grid-row fr-grid-row--middle fr-py-2w directory-search-result"
              >
                <div className="fr-col">
                  <p className="fr-text--bold fr-mb-0">{displayName(p)}</p>
                  <p className="fr-text--sm fr-mb-0">
                    {p.specialty?.label ?? p.professions.map((pr) => pr.label).join(', ')}
                    {p.rpps ? ` — RPPS ${p.rpps}` : ` — ${p.identifierType} ${p.identifier}`}
                  </p>
                  {p.places.length > 0 && <p className="fr-text--sm fr-mb-0">{placesLabel(p)}</p>}
                </div>
                <div className="fr-col-auto">
                  <Button priority="secondary" size="small" onClick={() => onSelect(p)}>
                    Sélectionner<span className="fr-sr-only"> {displayName(p)}</span>
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
        {results?.nextCursor && (
          <Button
            priority="tertiary"
            className="fr-mt-2w"
            disabled={busy}
            onClick={() => void search(name, results.nextCursor ?? undefined)}
          >
            Afficher plus de résultats
          </Button>
        )}
      </div>
    </div>
  );
}
