// « Tous mes médecins »: for a delegate with delegations from several doctors, every doctor's
// dossiers in one list, with the doctor in a column, a filter by doctor and a search by patient.
// Each doctor's rows and rights are decided by the server for that doctor; the list only reads:
// « Ouvrir » sets the acting context to the dossier's doctor (shown in the bar above every page)
// before anything can be changed.
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { frenchDate } from '../../../shared/calendar';
import { useSession } from '../../api/session';
import { DataTable } from '../../components/DataTable';
import { doctorName, useActingContext } from '../../context';
import { RightsSummary } from '../delegations/components';
import { DossierStatusBadge, errorMessage, Loading, PageError, useTitle } from '../dossiers/components';
import { parisDateTime } from '../dossiers/format';
import { acrossDoctorsKey, fetchAcrossDoctors } from './api';
import './cabinets.css';

const TITLE = 'Tous mes médecins';

export function AllDoctorsPage() {
  useTitle(TITLE);
  const session = useSession();
  const { pathname } = useLocation();
  if (session.isPending) return <Loading />;
  if (!session.data?.user)
    return <Navigate to={`/connexion?retour=${encodeURIComponent(pathname)}`} replace />;
  return <AllDoctors />;
}

function AllDoctors() {
  const navigate = useNavigate();
  const acting = useActingContext();
  const [doctor, setDoctor] = useState('');
  const [patient, setPatient] = useState('');
  const list = useQuery({
    queryKey: acrossDoctorsKey(doctor, patient.trim()),
    queryFn: () => fetchAcrossDoctors(doctor, patient),
    placeholderData: keepPreviousData,
  });
  if (list.isPending) return <Loading />;
  if (list.isError) return <PageError title={TITLE} message={errorMessage(list.error)} />;
  const { doctors, dossiers, truncated } = list.data;
  const byId = new Map(doctors.map((d) => [d.id, d]));
  const open = (dossierId: string, doctorId: string) => {
    acting.choose(doctorId);
    navigate(`/dossiers/${dossierId}`);
  };

  return (
    <>
      <h1>{TITLE}</h1>
      <p className="fr-text--lead">
        Les dossiers de chaque médecin qui vous a délégué ses droits. Vos droits sont ceux que chaque médecin
        vous a accordés sur ses propres dossiers ; ouvrir un dossier vous fait agir pour le compte de son
        médecin.
      </p>
      {doctors.length === 0 ? (
        <Alert
          severity="info"
          small
          description="Vous n’avez aucune délégation de droits active : aucun dossier ne peut être affiché."
        />
      ) : (
        <>
          <DataTable
            caption="Vos droits, médecin par médecin"
            headers={['Médecin', 'Vos droits sur ses dossiers']}
            rows={doctors.map((d) => ({
              key: d.id,
              cells: [
                `${doctorName(d)}${d.specialty ? `, ${d.specialty}` : ''}`,
                <RightsSummary key="r" kind="staff" rights={d.rights} />,
              ],
            }))}
          />
          <div className="all-doctors-filters fr-mb-2w">
            <Select
              label="Médecin"
              nativeSelectProps={{
                id: 'filtre-medecin',
                value: doctor,
                onChange: (e) => setDoctor(e.target.value),
              }}
            >
              <option value="">Tous les médecins</option>
              {doctors.map((d) => (
                <option key={d.id} value={d.id}>
                  {doctorName(d)}
                </option>
              ))}
            </Select>
            <Input
              label="Rechercher un patient ou une référence"
              hintText="Nom, prénom ou référence du dossier"
              nativeInputProps={{
                id: 'recherche-patient',
                type: 'search',
                maxLength: 100,
                value: patient,
                onChange: (e) => setPatient(e.target.value),
              }}
            />
          </div>
          <p className="fr-sr-only" aria-live="polite">
            {`${dossiers.length} dossier(s)`}
          </p>
          {truncated && (
            <Alert
              severity="info"
              small
              className="fr-mb-2w"
              description="Seuls les 1 000 dossiers mis à jour le plus récemment sont affichés : filtrez par médecin ou recherchez un patient."
            />
          )}
          <DataTable
            className="dossiers-table"
            caption={`Dossiers de tous mes médecins (${dossiers.length})`}
            headers={['Médecin', 'Référence', 'Patient', 'Date de naissance', 'Statut', 'Mise à jour']}
            rows={dossiers.map((d) => {
              const owner = byId.get(d.doctorId);
              const name = owner ? doctorName(owner) : '—';
              return {
                key: d.id,
                cells: [
                  name,
                  <a
                    key="ref"
                    href={`/dossiers/${d.id}`}
                    onClick={(event) => {
                      event.preventDefault();
                      open(d.id, d.doctorId);
                    }}
                  >
                    {d.reference}
                    <span className="fr-sr-only">
                      {' '}
                      — {d.patient.givenName} {d.patient.familyName}, dossier du {name}
                    </span>
                  </a>,
                  `${d.patient.familyName} ${d.patient.givenName}`,
                  frenchDate(d.patient.birthDate),
                  <DossierStatusBadge key="status" status={d.status} />,
                  parisDateTime(d.updatedAt),
                ],
              };
            })}
          />
          {dossiers.length === 0 && <p>Aucun dossier ne correspond à cette recherche.</p>}
        </>
      )}
    </>
  );
}
