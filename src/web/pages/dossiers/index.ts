export { DossierPage } from './DossierPage';
export { DossiersPage } from './DossiersPage';
export { NewDossierPage } from './NewDossierPage';
