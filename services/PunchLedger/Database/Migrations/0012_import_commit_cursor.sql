-- The import commit's cursor (issue 13): every valid row of the batch up to this line has its outcome. The worker
-- reads the next chunk after it and moves it in the transaction of each chunk, instead of looking for the rows that
-- have no outcome yet (which rescanned every committed row for each chunk).
ALTER TABLE staffing.import_batches ADD COLUMN commit_after_line integer NOT NULL DEFAULT 0;
