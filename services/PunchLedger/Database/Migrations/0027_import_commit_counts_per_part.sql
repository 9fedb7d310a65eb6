-- The commit's counts per part (issue 13: 100,000 rows committed in seconds). Every chunk of every part added its counts
-- to the batch's row, in the chunk's transaction, so the parts queued there: a chunk waited for the other part's chunk
-- to commit before it could commit itself (~5 ms of a ~50 ms chunk in `auto_explain`, bench/Import.Benchmarks/README.md,
-- "2026-12-06"). Each part now counts in its own row, in the transaction that moves its cursor; while the batch is
-- COMMITTING its counts are its own plus its parts' (ImportStore), and the transaction that makes it COMMITTED adds the
-- parts' counts to it. The batch's row is written by a chunk only to renew the worker's lease, once half of it has run.
ALTER TABLE staffing.import_commit_parts
  ADD COLUMN rows_committed integer NOT NULL DEFAULT 0,
  ADD COLUMN rows_accepted integer NOT NULL DEFAULT 0,
  ADD COLUMN rows_duplicate integer NOT NULL DEFAULT 0,
  ADD COLUMN rows_rejected integer NOT NULL DEFAULT 0;
