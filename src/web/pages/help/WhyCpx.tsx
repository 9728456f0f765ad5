// « Pourquoi une carte CPx ? », in the flow of adding a staff delegation and on the help page.
import { Accordion } from '@codegouvfr/react-dsfr/Accordion';
import { CallOut } from '@codegouvfr/react-dsfr/CallOut';
import { TOPS_URL } from '../../../shared/help';

export function TopsLink() {
  return (
    <a href={TOPS_URL} target="_blank" rel="noopener noreferrer" title="TOPS — nouvelle fenêtre">
      TOPS
    </a>
  );
}

/** The seed's notice: a CPx card is required, ordered with TOPS. */
export function CpxCallOut({ titleAs }: { titleAs: 'h2' | 'h3' }) {
  return (
    <CallOut
      iconId="fr-icon-information-line"
      title="Carte CPx obligatoire"
      titleAs={titleAs}
      className="fr-mb-3w"
    >
      <strong>
        Le professionnel à qui vous souhaitez confier la gestion de vos dossiers doit obligatoirement être
        muni d’une carte CPx (CPS/CPE/CPA) pour utiliser le logiciel. Pour commander une carte CPx, utilisez
        le service <TopsLink /> proposé par l’Agence du Numérique en Santé (ANS).
      </strong>
    </CallOut>
  );
}

export function WhyCpxText() {
  return (
    <>
      <p>
        Les dossiers de vos patients contiennent des données de santé. Chaque personne qui y accède doit
        prouver son identité avec un moyen reconnu par l’Agence du Numérique en Santé (ANS) : la carte de
        professionnel de santé (CPS), la carte de personnel d’établissement (CPE) ou la carte de personnel
        autorisé (CPA) — les cartes « CPx » — ou l’e-CPS sur téléphone, au travers de Pro Santé Connect.
      </p>
      <p>
        Ainsi, personne ne peut se faire passer pour votre secrétaire ou votre assistant(e), et le journal
        indique précisément qui a consulté ou modifié chaque dossier.
      </p>
      <p>
        Si la personne n’a pas encore de carte, vous pouvez la commander pour elle avec le service{' '}
        <TopsLink /> de l’ANS, en vous connectant avec votre propre carte CPS.
      </p>
    </>
  );
}

export function WhyCpx() {
  return (
    <Accordion label="Pourquoi une carte CPx ?" titleAs="h2" className="fr-mb-6w">
      <WhyCpxText />
    </Accordion>
  );
}
