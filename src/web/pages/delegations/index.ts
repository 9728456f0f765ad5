export { GivenAttestationPage, ReceivedAttestationPage } from './AttestationPage';
export { InvitationPage } from './InvitationPage';
export { ModifyDelegationPage } from './ModifyDelegationPage';
export { MyDelegationsPage } from './MyDelegationsPage';
export { PeerDelegationPage } from './PeerDelegationPage';
export { ReceivedDelegationsPage } from './ReceivedDelegationsPage';
export { StaffDelegationPage } from './StaffDelegationPage';
