// "Dossiers": the dossiers of the doctor the signed-in person acts for, and "Créer un dossier"
// when the context's rights allow it.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { frenchDate } from '../../../shared/calendar';
import { type ActingContext, doctorName } from '../../context';
import { dossiersKey, fetchDossiers } from './api';
import {
  DataTable,
  DossierStatusBadge,
  errorMessage,
  InActingContext,
  Loading,
  PageError,
  useRecheckOnRefusal,
  useTitle,
} from './components';
import { parisDateTime } from './format';
import './dossiers.css';

const TITLE = 'Dossiers';

export function DossiersPage() {
  useTitle(TITLE);
  return <InActingContext title={TITLE}>{(acting) => <Dossiers acting={acting} />}</InActingContext>;
}

/** Lowercase, without accents: "Guérin" is found with "guerin". */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('fr-FR');

function Dossiers({ acting }: { acting: ActingContext }) {
  const { onBehalfOf, state } = acting;
  const location = useLocation();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const list = useQuery({ queryKey: dossiersKey(onBehalfOf), queryFn: () => fetchDossiers(onBehalfOf) });
  useRecheckOnRefusal(list.error, acting);
  const [search, setSearch] = useState('');
  const whose = state.status === 'delegated' ? `Dossiers du ${doctorName(state.context)}` : 'Mes dossiers';
  const shown = useMemo(() => {
    const q = fold(search.trim());
    const all = list.data?.dossiers ?? [];
    if (!q) return all;
    return all.filter((d) =>
      fold(`${d.reference} ${d.patient.familyName} ${d.patient.givenName}`).includes(q),
    );
  }, [list.data, search]);

  if (list.isPending) return <Loading />;
  if (list.isError) return <PageError title={TITLE} message={errorMessage(list.error)} />;
  const canCreate = list.data.rights.includes('gerer');

  return (
    <>
      <div className="dossiers-title">
        <h1>{TITLE}</h1>
        {canCreate && (
          <Button linkProps={{ to: '/dossiers/nouveau' }} iconId="fr-icon-add-line">
            Créer un dossier
          </Button>
        )}
      </div>
      {flash && <Alert severity="success" small description={flash} className="fr-mb-3w" />}
      {list.data.dossiers.length === 0 ? (
        <p>Aucun dossier pour le moment.</p>
      ) : (
        <>
          <div className="dossiers-search">
            <Input
              label="Rechercher un patient ou une référence"
              hintText="Nom, prénom ou référence du dossier"
              nativeInputProps={{
                type: 'search',
                value: search,
                onChange: (e) => setSearch(e.target.value),
                maxLength: 100,
              }}
            />
          </div>
          <p className="fr-sr-only" aria-live="polite">
            {search ? `${shown.length} dossier(s) trouvé(s)` : ''}
          </p>
          <DataTable
            className="dossiers-table"
            caption={`${whose} (${shown.length}${shown.length === list.data.dossiers.length ? '' : ` sur ${list.data.dossiers.length}`})`}
            headers={[
              'Référence',
              'Patient',
              'Date de naissance',
              'Statut',
              'Demandes en cours',
              'Mise à jour',
            ]}
            rows={shown.map((d) => ({
              key: d.id,
              cells: [
                <Link key="ref" to={`/dossiers/${d.id}`}>
                  {d.reference}
                  <span className="fr-sr-only">
                    {' '}
                    — {d.patient.givenName} {d.patient.familyName}
                  </span>
                </Link>,
                `${d.patient.familyName} ${d.patient.givenName}`,
                frenchDate(d.patient.birthDate),
                <DossierStatusBadge key="status" status={d.status} />,
                d.requestsInProgress,
                parisDateTime(d.updatedAt),
              ],
            }))}
          />
          {shown.length === 0 && <p>Aucun dossier ne correspond à cette recherche.</p>}
        </>
      )}
    </>
  );
}
