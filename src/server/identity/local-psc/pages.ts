// HTML of the local Pro Santé Connect: DSFR look, French, no inline script (the CSP says
// script-src 'self'), forms that post to this same origin (form-action 'self').
import { CARD_TYPES } from '../../../shared/identity.js';
import type { LocalIdentity } from './cards.js';

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function layout(prefix: string, title: string, body: string, scripts: string[] = []): string {
  return `<!doctype html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — Pro Santé Connect (démonstration)</title>
<link rel="stylesheet" href="${prefix}/assets/dsfr/dsfr.min.css">
${scripts.map((s) => `<script src="${esc(s)}" defer></script>`).join('\n')}
</head>
<body>
<div class="fr-skiplinks"><nav class="fr-container" role="navigation" aria-label="Accès rapide"><ul class="fr-skiplinks__list"><li><a class="fr-link" href="#contenu">Contenu</a></li></ul></nav></div>
<header role="banner" class="fr-header">
  <div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
    <div class="fr-header__brand"><div class="fr-header__brand-top">
      <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
    </div>
    <div class="fr-header__service">
      <p class="fr-header__service-title">Pro Santé Connect <span class="fr-badge fr-badge--sm fr-badge--new">démonstration</span></p>
      <p class="fr-header__service-tagline">Fournisseur d’identité local, pour la démonstration et les tests</p>
    </div></div>
  </div></div></div>
</header>
<main id="contenu" class="fr-container fr-py-6w" tabindex="-1">
${body}
</main>
<footer class="fr-footer" role="contentinfo"><div class="fr-container"><div class="fr-footer__body">
<div class="fr-footer__content"><p class="fr-footer__content-desc">Ce fournisseur d’identité imite Pro Santé Connect (mêmes échanges OpenID Connect, mêmes attributs et identifiants). Il n’existe qu’en mode démonstration : aucune carte réelle n’est utilisée.</p></div>
</div></div></footer>
</body>
</html>`;
}

export interface OtherIdentityForm {
  subjectNameId: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  cardType: string;
  acr: string;
}

export const EMPTY_FORM: OtherIdentityForm = {
  subjectNameId: '',
  familyName: '',
  givenName: '',
  professionCode: '',
  cardType: 'CPS',
  acr: 'eidas1',
};

const ACR_OPTIONS: [string, string][] = [
  ['eidas1', 'eidas1 — carte CPx ou e-CPS (niveau attendu)'],
  ['jeton', 'eidas1 dans le jeton d’accès seulement, pas dans le jeton d’identité'],
  ['identite', 'eidas1 dans le jeton d’identité seulement, pas dans le jeton d’accès'],
  ['0', '0 — niveau insuffisant (pour tester le refus)'],
  ['aucun', 'Aucun niveau transmis (pour tester le refus)'],
];

export function loginPage(options: {
  prefix: string;
  uid: string;
  clientName: string;
  cards: LocalIdentity[];
  form?: OtherIdentityForm;
  errors?: Partial<Record<keyof OtherIdentityForm | 'form', string>>;
}): string {
  const { prefix, uid, cards } = options;
  const form = options.form ?? EMPTY_FORM;
  const errors = options.errors ?? {};
  const action = `${prefix}/interaction/${esc(uid)}`;
  const cardItems = cards
    .map(
      (c) => `<li class="fr-col-12 fr-col-md-6 fr-col-lg-4">
  <div class="fr-card fr-card--no-arrow">
    <div class="fr-card__body">
      <div class="fr-card__content">
        <h3 class="fr-card__title">${esc(c.givenName)} ${esc(c.familyName)}</h3>
        <p class="fr-card__desc">${esc(c.description)}</p>
        <div class="fr-card__start"><ul class="fr-badges-group"><li><p class="fr-badge fr-badge--info fr-badge--no-icon">Carte ${esc(c.cardType)}</p></li></ul></div>
        <p class="fr-card__end fr-card__detail">Identifiant national : ${esc(c.subjectNameId)}</p>
      </div>
      <div class="fr-card__footer">
        <form method="post" action="${action}/login">
          <input type="hidden" name="card" value="${esc(c.subjectNameId)}">
          <button class="fr-btn" type="submit">Se connecter en tant que ${esc(c.givenName)} ${esc(c.familyName)}</button>
        </form>
      </div>
    </div>
  </div>
</li>`,
    )
    .join('\n');

  const field = (name: keyof OtherIdentityForm, label: string, hint: string, attrs = '') => {
    const error = errors[name];
    return `<div class="fr-input-group${error ? ' fr-input-group--error' : ''}">
  <label class="fr-label" for="autre-${name}">${esc(label)}<span class="fr-hint-text">${esc(hint)}</span></label>
  <input class="fr-input${error ? ' fr-input--error' : ''}" id="autre-${name}" name="${name}" value="${esc(form[name])}" ${attrs}${error ? ` aria-describedby="autre-${name}-erreur"` : ''}>
  ${error ? `<p class="fr-error-text" id="autre-${name}-erreur">${esc(error)}</p>` : ''}
</div>`;
  };
  const select = (name: keyof OtherIdentityForm, label: string, choices: [string, string][]) => {
    const error = errors[name];
    return `<div class="fr-select-group${error ? ' fr-select-group--error' : ''}">
  <label class="fr-label" for="autre-${name}">${esc(label)}</label>
  <select class="fr-select" id="autre-${name}" name="${name}"${error ? ` aria-describedby="autre-${name}-erreur"` : ''}>
    ${choices.map(([v, l]) => `<option value="${esc(v)}"${form[name] === v ? ' selected' : ''}>${esc(l)}</option>`).join('')}
  </select>
  ${error ? `<p class="fr-error-text" id="autre-${name}-erreur">${esc(error)}</p>` : ''}
</div>`;
  };

  const body = `
<h1>Se connecter avec une carte de démonstration</h1>
<p class="fr-text--lead">Le service « ${esc(options.clientName)} » demande votre identité professionnelle.</p>
<div class="fr-notice fr-notice--info fr-mb-4w"><div class="fr-container"><div class="fr-notice__body">
<p class="fr-notice__title">Pro Santé Connect de démonstration : choisissez une des cartes ci-dessous, ou saisissez une autre identité.</p>
</div></div></div>
${errors.form ? `<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${esc(errors.form)}</p></div>` : ''}
<h2>Cartes de démonstration</h2>
<ul class="fr-grid-row fr-grid-row--gutters fr-raw-list fr-mb-6w">
${cardItems}
</ul>
<h2 id="autre-identite">Se connecter avec une autre identité</h2>
<form method="post" action="${action}/login" class="fr-mb-6w fr-col-12 fr-col-md-8 fr-px-0" aria-labelledby="autre-identite" novalidate>
  <input type="hidden" name="card" value="autre">
  ${field('subjectNameId', 'Identifiant national (SubjectNameID)', '8 + RPPS (11 chiffres), 0 + ADELI, 1/3/4/5/6 + identifiant de structure / identifiant interne, ou ANS + chiffres (identité de test EDIT)', 'autocomplete="off" spellcheck="false" maxlength="100" required')}
  ${field('familyName', 'Nom', 'Tel qu’il figure sur la carte', 'autocomplete="off" maxlength="100" required')}
  ${field('givenName', 'Prénom', '', 'autocomplete="off" maxlength="100" required')}
  ${field('professionCode', 'Code profession', '10 pour médecin, 60 pour infirmier(e) ; vide pour un personnel sans profession de santé', 'autocomplete="off" maxlength="2" inputmode="numeric"')}
  ${select(
    'cardType',
    'Type de carte',
    CARD_TYPES.map((t) => [t, t]),
  )}
  ${select('acr', 'Niveau d’authentification (acr)', ACR_OPTIONS)}
  <button class="fr-btn" type="submit">Se connecter avec cette identité</button>
</form>
<form method="post" action="${action}/abort">
  <button class="fr-btn fr-btn--secondary" type="submit">Annuler et revenir au service</button>
</form>`;
  return layout(prefix, 'Connexion', body);
}

export function messagePage(prefix: string, title: string, message: string, extra = ''): string {
  return layout(
    prefix,
    title,
    `<h1>${esc(title)}</h1>
<p>${esc(message)}</p>
${extra}`,
  );
}

export function logoutPage(prefix: string, form: string): string {
  return layout(
    prefix,
    'Déconnexion',
    `<h1>Déconnexion de Pro Santé Connect</h1>
<p>Vous allez être déconnecté(e) de Pro Santé Connect (démonstration).</p>
${form}
<button class="fr-btn" type="submit" form="op.logoutForm" name="logout" value="yes" id="psc-logout">Se déconnecter</button>`,
    [`${prefix}/assets/logout.js`],
  );
}
