export { AllDoctorsPage } from './AllDoctorsPage';
export { createSharedStaff } from './api';
export { CabinetInvitationsBanner } from './CabinetInvitationsBanner';
export { CabinetPage } from './CabinetPage';
export { ProposalsSection } from './ProposalsSection';
export { NO_SHARE, RightsTemplateSelect, type ShareValue, ShareWithCabinet } from './ShareWithCabinet';
