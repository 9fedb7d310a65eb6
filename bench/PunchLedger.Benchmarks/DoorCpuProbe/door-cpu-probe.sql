-- Backend CPU per batch door call, two versions of the door interleaved call by call (bench/PunchLedger.Benchmarks/README.md,
-- "2026-12-06"). For a private Postgres 15 with the ledger migrated and a tenant with >= 2,500 persons (StagingProbe's
-- server, bench/Import.Benchmarks/README.md, "StagingProbe"), as the superuser (pg_read_file). The versions are copies of
-- staffing.submit_time_punch_events_any_person and staffing.project_daily_attendance_results renamed into this schema
-- as doorbench.door_<v> and doorbench.proj_<v>, e.g. from a migration file (the checked door it may define is renamed
-- too; 0021's batch_event_uuid is replaced by its own text):
--   sed -e 's/staffing.submit_time_punch_events_any_person(/doorbench.door_new(/' \
--       -e 's/staffing.project_daily_attendance_results(/doorbench.proj_new(/' \
--       -e 's/staffing.submit_time_punch_events(/doorbench.checked_door_new(/' \
--       -e 's/^CREATE FUNCTION/CREATE OR REPLACE FUNCTION/' -e '/^REVOKE\|^GRANT/d' \
--       0026_plain_inserts_where_no_key_exists.sql | psql … attendance
-- Then: CALL doorbench.compare('<tenant>', 100, <fresh run number>, 'old', 'new');
--       SELECT variant, avg(ns) / 1e6 AS cpu_ms FROM doorbench.samples WHERE run = <run> GROUP BY 1;
-- Each run number gets days of its own (21-day blocks far from any other run's), so every call starts on new days.
CREATE SCHEMA IF NOT EXISTS doorbench;

-- This backend's time on the CPU so far, in nanoseconds.
CREATE OR REPLACE FUNCTION doorbench.cpu_ns() RETURNS bigint LANGUAGE sql AS $$
  SELECT split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint $$;

-- Import-shaped call k of a run: the tenant's persons block k % 100 (25 persons), 20 days, IN ~08:50 and OUT ~18:05
-- local, in person-then-day order, into doorbench.door_<v>; returns the door's CPU nanoseconds (generator excluded).
CREATE OR REPLACE FUNCTION doorbench.call(t uuid, k int, run int, v text) RETURNS bigint LANGUAGE plpgsql
SET search_path = pg_catalog, staffing AS $$
DECLARE persons uuid[]; times timestamptz[]; types text[]; rids text[]; n int; c0 bigint;
BEGIN
  PERFORM set_config('app.current_tenant', t::text, true);
  SELECT array_agg(p.person_uuid ORDER BY p.person_uuid) INTO persons
  FROM (SELECT person_uuid FROM person.persons WHERE tenant_id = t ORDER BY person_uuid OFFSET (k % 100) * 25 LIMIT 25) p;
  SELECT array_agg(x.person_uuid ORDER BY x.o), array_agg(x.at ORDER BY x.o), array_agg(x.ty ORDER BY x.o),
         array_agg('doorbench:' || run || ':' || k || ':' || x.o ORDER BY x.o)
    INTO persons, times, types, rids
  FROM (SELECT pp.person_uuid,
               (date '2030-01-07' + 21 * (k / 100 + run * 5) + d)::timestamp AT TIME ZONE 'Asia/Shanghai'
                 + CASE WHEN io = 0 THEN interval '8 hours 50 minutes' ELSE interval '18 hours 5 minutes' END
                 + ((hashint4((k * 1000 + i * 40 + d * 2 + io)::int) & 1023) % 20) * interval '1 minute' AS at,
               CASE WHEN io = 0 THEN 'IN' ELSE 'OUT' END AS ty,
               (i * 40 + d * 2 + io) AS o
        FROM unnest(persons) WITH ORDINALITY pp(person_uuid, i), generate_series(0, 19) d, generate_series(0, 1) io) x;
  n := cardinality(times);
  c0 := doorbench.cpu_ns();
  EXECUTE format('SELECT count(*) FROM doorbench.door_%s($1, $2, $3, $4, $5, $6, $7, $8, $9)', v)
    USING t, persons, times, types, array_fill('IMPORT'::text, ARRAY[n]), array_fill(NULL::text, ARRAY[n]), rids,
          array_fill('{}'::jsonb, ARRAY[n]), 'doorbench';
  RETURN doorbench.cpu_ns() - c0;
END $$;

CREATE TABLE IF NOT EXISTS doorbench.samples (variant text, run int, k int, ns bigint, at timestamptz DEFAULT clock_timestamp());

-- calls pairs, each call its own transaction, the order within a pair alternating (va vb, vb va, …).
CREATE OR REPLACE PROCEDURE doorbench.compare(t uuid, calls int, run int, va text, vb text) LANGUAGE plpgsql AS $$
DECLARE ns bigint;
BEGIN
  FOR k IN 1..calls LOOP
    FOR turn IN 0..1 LOOP
      IF (k + turn) % 2 = 0 THEN
        ns := doorbench.call(t, k, run, va); INSERT INTO doorbench.samples VALUES (va, run, k, ns); COMMIT;
      ELSE
        ns := doorbench.call(t, k, run + 1, vb); INSERT INTO doorbench.samples VALUES (vb, run, k, ns); COMMIT;
      END IF;
    END LOOP;
  END LOOP;
END $$;
