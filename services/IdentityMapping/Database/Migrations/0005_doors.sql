-- The write doors: the only way the service role changes anything in `person` (0006 grants EXECUTE on
-- these and SELECT on the tables, nothing else). Each is SECURITY DEFINER with a pinned search_path,
-- runs as attendance_owner (still under RLS: the tables FORCE it) and takes the tenant from
-- app.current_tenant, which the service sets with set_config(..., true) in the same transaction.
--
-- Failures are raised with a stable code as the MESSAGE and a human sentence as the DETAIL; the service
-- passes both on unchanged as the gRPC status message "CODE: detail".
--
-- Argument shapes (lengths, allowed providers) are checked by the service first, naming the field, and
-- by the tables' CHECK constraints as a backstop; the doors check what only the database knows.

-- ---------------------------------------------------------------------------------------------------
-- Tenant
-- ---------------------------------------------------------------------------------------------------

-- The tenant of this transaction. RLS alone would fail late and with a cast error; this names the problem.
CREATE FUNCTION person.current_tenant()
RETURNS uuid
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
  v_setting text := current_setting('app.current_tenant', true);
BEGIN
  IF v_setting IS NULL OR v_setting = '' THEN
    RAISE EXCEPTION USING
      MESSAGE = 'IDENTITY_TENANT_MISSING',
      DETAIL = 'app.current_tenant is not set in this transaction';
  END IF;
  BEGIN
    RETURN v_setting::uuid;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION USING
      MESSAGE = 'IDENTITY_TENANT_INVALID',
      DETAIL = 'app.current_tenant is not a UUID';
  END;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Persons
-- ---------------------------------------------------------------------------------------------------

CREATE FUNCTION person.create_person(p_employee_number text, p_display_name text)
RETURNS person.persons
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := person.current_tenant();
  v_row person.persons;
  v_holder uuid;
BEGIN
  INSERT INTO person.persons (tenant_id, employee_number, display_name)
  VALUES (v_tenant, p_employee_number, p_display_name)
  ON CONFLICT (tenant_id, employee_number) DO NOTHING
  RETURNING * INTO v_row;
  IF FOUND THEN
    RETURN v_row;
  END IF;

  SELECT p.person_uuid INTO v_holder
  FROM person.persons p
  WHERE p.tenant_id = v_tenant AND p.employee_number = p_employee_number;
  RAISE EXCEPTION USING
    MESSAGE = 'IDENTITY_EMPLOYEE_NUMBER_TAKEN',
    DETAIL = format('employee number %L is already used by person %s', p_employee_number, coalesce(v_holder::text, 'another person'));
END;
$$;

-- NULL leaves a field as it is. updated_at moves only when something changed.
CREATE FUNCTION person.update_person(p_person_uuid uuid, p_display_name text, p_active boolean)
RETURNS person.persons
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := person.current_tenant();
  v_row person.persons;
BEGIN
  UPDATE person.persons p
  SET display_name = coalesce(p_display_name, p.display_name),
      active = coalesce(p_active, p.active),
      updated_at = CASE
        WHEN (coalesce(p_display_name, p.display_name), coalesce(p_active, p.active))
             IS DISTINCT FROM (p.display_name, p.active)
        THEN now()
        ELSE p.updated_at
      END
  WHERE p.tenant_id = v_tenant AND p.person_uuid = p_person_uuid
  RETURNING p.* INTO v_row;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING
      MESSAGE = 'IDENTITY_PERSON_NOT_FOUND',
      DETAIL = format('no person %s in this tenant', p_person_uuid);
  END IF;
  RETURN v_row;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Links
-- ---------------------------------------------------------------------------------------------------

-- Links a platform user id to an active person and takes the id off the unmapped queue, in one
-- transaction. A second active link for the same id is refused with IDENTITY_LINK_EXISTS naming the
-- person it is linked to: never a silent overwrite.
CREATE FUNCTION person.link_identity(
  p_provider text,
  p_external_user_id text,
  p_union_id text,
  p_person_uuid uuid,
  p_linked_by text)
RETURNS person.external_identity_links
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := person.current_tenant();
  v_active boolean;
  v_row person.external_identity_links;
  v_holder uuid;
  v_holder_number text;
BEGIN
  -- FOR SHARE: a concurrent deactivation waits for this link (or this link waits for it and then sees it).
  SELECT p.active INTO v_active
  FROM person.persons p
  WHERE p.tenant_id = v_tenant AND p.person_uuid = p_person_uuid
  FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING
      MESSAGE = 'IDENTITY_PERSON_NOT_FOUND',
      DETAIL = format('no person %s in this tenant', p_person_uuid);
  END IF;
  IF NOT v_active THEN
    RAISE EXCEPTION USING
      MESSAGE = 'IDENTITY_PERSON_INACTIVE',
      DETAIL = format('person %s is inactive; reactivate them before linking an identity', p_person_uuid);
  END IF;

  -- A concurrent link of the same id makes ON CONFLICT wait for it; a concurrent unlink of the holder
  -- can make the holder vanish between the two statements, hence the retry.
  FOR attempt IN 1..3 LOOP
    INSERT INTO person.external_identity_links (tenant_id, provider, external_user_id, union_id, person_uuid, linked_by)
    VALUES (v_tenant, p_provider, p_external_user_id, p_union_id, p_person_uuid, p_linked_by)
    ON CONFLICT (tenant_id, provider, external_user_id) WHERE unlinked_at IS NULL DO NOTHING
    RETURNING * INTO v_row;
    EXIT WHEN FOUND;

    SELECT l.* INTO v_row
    FROM person.external_identity_links l
    WHERE l.tenant_id = v_tenant AND l.provider = p_provider AND l.external_user_id = p_external_user_id
      AND l.unlinked_at IS NULL;
    -- A retry of the same link (same person, same union id) is answered with the existing link:
    -- the caller cannot tell a lost reply from a refusal, so retrying must be safe.
    IF FOUND AND v_row.person_uuid = p_person_uuid AND v_row.union_id IS NOT DISTINCT FROM p_union_id THEN
      RETURN v_row;
    END IF;
    v_holder := v_row.person_uuid;
    SELECT p.employee_number INTO v_holder_number
    FROM person.persons p WHERE p.tenant_id = v_tenant AND p.person_uuid = v_holder;
    IF v_holder IS NOT NULL OR attempt = 3 THEN
      RAISE EXCEPTION USING
        MESSAGE = 'IDENTITY_LINK_EXISTS',
        DETAIL = format('%s user id %L is already linked to person %s (employee number %s); unlink it first',
                        p_provider, p_external_user_id, coalesce(v_holder::text, '?'), coalesce(v_holder_number, '?'));
    END IF;
  END LOOP;

  DELETE FROM person.unmapped_identities u
  WHERE u.tenant_id = v_tenant AND u.provider = p_provider AND u.external_user_id = p_external_user_id;

  RETURN v_row;
END;
$$;

-- Ends the active link of a platform user id; the row stays as history.
CREATE FUNCTION person.unlink_identity(p_provider text, p_external_user_id text, p_unlinked_by text)
RETURNS person.external_identity_links
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := person.current_tenant();
  v_row person.external_identity_links;
BEGIN
  -- clock_timestamp(), not now(): this transaction may have started before the link it ends committed.
  UPDATE person.external_identity_links l
  SET unlinked_at = clock_timestamp(), unlinked_by = p_unlinked_by
  WHERE l.tenant_id = v_tenant AND l.provider = p_provider AND l.external_user_id = p_external_user_id
    AND l.unlinked_at IS NULL
  RETURNING l.* INTO v_row;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING
      MESSAGE = 'IDENTITY_LINK_NOT_FOUND',
      DETAIL = format('%s user id %L has no active link', p_provider, p_external_user_id);
  END IF;
  RETURN v_row;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Resolution
-- ---------------------------------------------------------------------------------------------------

-- One row per requested id, in request order (ordinal is 1-based): the person of its active link, or
-- NULL. Exact byte-wise match only; no fallback of any kind. With p_record_unmapped, the ids without a
-- link are upserted into the unmapped queue by the same statement, so what is reported unresolved and
-- what is queued come from one snapshot.
CREATE FUNCTION person.resolve_identities(p_provider text, p_external_user_ids text[], p_record_unmapped boolean)
RETURNS TABLE (ordinal integer, external_user_id text, person_uuid uuid)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := person.current_tenant();
BEGIN
  RETURN QUERY
    WITH requested AS (
      SELECT r.id, r.ord
      FROM unnest(p_external_user_ids) WITH ORDINALITY AS r(id, ord)
    ),
    -- One probe of the active-link index per id. LIMIT 1 (harmless: the index is unique) keeps the
    -- planner from turning this into a hash join over every link of the table, whose cost grows with
    -- all tenants' links instead of with the batch.
    resolved AS (
      SELECT q.ord, q.id, l.person_uuid
      FROM requested q
      LEFT JOIN LATERAL (
        SELECT a.person_uuid
        FROM person.external_identity_links a
        WHERE a.tenant_id = v_tenant AND a.provider = p_provider
          AND a.external_user_id = q.id COLLATE "C" AND a.unlinked_at IS NULL
        LIMIT 1
      ) l ON true
    ),
    recorded AS (
      INSERT INTO person.unmapped_identities AS u (tenant_id, provider, external_user_id, seen_count)
      SELECT v_tenant, p_provider, s.id, count(*)
      FROM resolved s
      WHERE p_record_unmapped AND s.person_uuid IS NULL
      GROUP BY s.id
      -- A fixed order: concurrent batches with overlapping ids lock their rows in the same order.
      ORDER BY s.id COLLATE "C"
      -- By constraint name: a column list here would be ambiguous with the OUT column external_user_id.
      ON CONFLICT ON CONSTRAINT unmapped_identities_pkey DO UPDATE
        SET last_seen_at = greatest(u.last_seen_at, excluded.last_seen_at),
            seen_count = u.seen_count + excluded.seen_count
    )
    SELECT s.ord::integer, s.id, s.person_uuid
    FROM resolved s
    ORDER BY s.ord;
END;
$$;

-- Private until 0006 grants them: Postgres gave PUBLIC EXECUTE on each function created above.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA person FROM PUBLIC;
