-- The daily download of the ANS extract (DIRECTORY_IMPORT_URL): an import remembers where its
-- file came from and the HTTP validators it was served with, so that the next run can ask for it
-- conditionally and skip a file it already holds. The URL is kept without its query string or
-- credentials (a mirror may put a token there).
alter table directory_import
  add column source_url text,
  add column etag text,
  add column last_modified text,
  add column bytes bigint;

-- /ready and the metrics read the last finished attempt, successful or not.
create index directory_import_finished on directory_import (finished_at desc) where status <> 'running';
