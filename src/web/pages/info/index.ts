export { AccessibilityPage } from './AccessibilityPage';
export { CookiesPage, LegalNoticePage, PersonalDataPage, SiteMapPage } from './LegalPages';
