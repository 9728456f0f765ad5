export { JournalPage } from './JournalPage';
export { RecentChanges } from './RecentChanges';
