// Search of a doctor in the national directory (GET /api/directory/search, profession 10):
// "Nom", optional "Code postal", "Rechercher", then each result with "Sélectionner".
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { ApiError, apiGet } from '../../api/client';
import { personName, placeLabel } from './format';

const place = z.object({ name: z.string(), postalCode: z.string(), commune: z.string() });
const person = z.object({
  nationalId: z.string(),
  rpps: z.string().nullable(),
  familyName: z.string(),
  givenName: z.string(),
  profession: z.object({ code: z.string(), label: z.string() }),
  specialty: z.object({ code: z.string(), label: z.string() }).nullable(),
  places: z.array(place),
});
const page = z.object({
  items: z.array(person),
  nextCursor: z.string().nullable(),
  suggestions: z.array(z.string()),
});
export type DirectoryDoctor = z.infer<typeof person>;

function searchUrl(name: string, postalCode: string, cursor?: string) {
  const q = new URLSearchParams({ name, profession: '10', limit: '20' });
  if (postalCode.trim()) q.set('postalCode', postalCode.trim());
  if (cursor) q.set('cursor', cursor);
  return `/api/directory/search?${q}`;
}

export function doctorPlaces(d: DirectoryDoctor): string {
  return d.places
    .map((p) =>
      [p.name, placeLabel({ postalCode: p.postalCode, city: p.commune })].filter(Boolean).join(', '),
    )
    .join(' ; ');
}

export function DoctorSearch({ onSelect }: { onSelect: (doctor: DirectoryDoctor) => void }) {
  const [name, setName] = useState('');
  const [postalCode, setPostalCode] = useState('');
  const [results, setResults] = useState<z.infer<typeof page> | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const statusRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (results || error) statusRef.current?.focus();
  }, [results, error]);

  const search = async (value = name, cursor?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const found = await apiGet(searchUrl(value, postalCode, cursor), page);
      setResults((previous) =>
        cursor && previous ? { ...found, items: [...previous.items, ...found.items] } : found,
      );
    } catch (err) {
      setResults(undefined);
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', 'La recherche a échoué.'));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void search();
  };

  const nameError = error?.field('name') ?? (error && error.fields.length === 0 ? error.message : undefined);
  const postalError = error?.field('postalCode');

  return (
    <>
      <search aria-label="Rechercher un médecin dans l’annuaire national">
        <form onSubmit={onSubmit} noValidate>
          <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
            <div className="fr-col-12 fr-col-md-5">
              <Input
                label="Nom"
                hintText="Nom du médecin, éventuellement suivi de son prénom"
                state={nameError ? 'error' : 'default'}
                stateRelatedMessage={nameError}
                nativeInputProps={{
                  id: 'recherche-nom',
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
                  id: 'recherche-code-postal',
                  autoComplete: 'off',
                  inputMode: 'numeric',
                  maxLength: 5,
                  value: postalCode,
                  onChange: (e) => setPostalCode(e.target.value),
                }}
              />
            </div>
            <div className="fr-col-12 fr-col-md-4 delegation-search-button">
              <Button type="submit" iconId="fr-icon-search-line" disabled={busy}>
                Rechercher
              </Button>
            </div>
          </div>
        </form>
      </search>

      <div className="fr-mt-4w">
        {results && (
          <p ref={statusRef} tabIndex={-1} className="fr-text--bold" aria-live="polite">
            {results.items.length === 0
              ? 'Aucun médecin ne correspond à cette recherche.'
              : `${results.items.length}${results.nextCursor ? ' premiers' : ''} médecin(s) trouvé(s).`}
          </p>
        )}
        {error && !nameError && !postalError && <Alert severity="error" small description={error.message} />}
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
          <ul className="fr-raw-list delegation-search-results" aria-label="Médecins trouvés">
            {results.items.map((d) => (
              <li key={d.nationalId} className="delegation-search-result">
                <div>
                  <p className="fr-text--bold fr-mb-0">Dr {personName(d)}</p>
                  <p className="fr-text--sm fr-mb-0">
                    {d.specialty?.label ?? d.profession.label}
                    {d.rpps ? ` — RPPS ${d.rpps}` : ''}
                  </p>
                  {d.places.length > 0 && <p className="fr-text--sm fr-mb-0">{doctorPlaces(d)}</p>}
                </div>
                <Button priority="secondary" size="small" onClick={() => onSelect(d)} disabled={!d.rpps}>
                  Sélectionner<span className="fr-sr-only"> Dr {personName(d)}</span>
                </Button>
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
    </>
  );
}
