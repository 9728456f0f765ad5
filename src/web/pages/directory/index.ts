export {
  DirectoryDate,
  type DirectoryPerson,
  DirectorySearch,
  type DirectorySearchProps,
  displayName,
  frenchDate,
  placesLabel,
} from './DirectorySearch';
