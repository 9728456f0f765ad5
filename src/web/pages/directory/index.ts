export {
  DirectoryDate,
  type DirectoryPerson,
  DirectorySearch,
  type DirectorySearchProps,
  displayName,
  placesLabel,
} from './DirectorySearch';
