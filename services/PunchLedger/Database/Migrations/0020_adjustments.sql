-- Adjustment requests with approval (issue 14): a person asks for a missing or wrong punch to be corrected; an
-- approver of that person (or a tenant-admin) approves or rejects it; the requester may withdraw it while it waits.
-- Approval records a CORRECTION punch through the kernel's door in the same transaction that marks the request
-- APPROVED (request_id 'adjustment:<request uuid>', so a retried approval records nothing twice), and the daily result
-- is current when the call returns.
--
-- State machine (enforced here, not only in the service): REQUESTED → APPROVED | REJECTED | WITHDRAWN; a decided
-- request never changes again and no request is ever deleted.
--
-- Approvers: staffing.approver_assignments says which persons an approver (a person, as in the approver's token
-- person_id) decides for; tenant-admins decide for everyone.

CREATE TABLE staffing.adjustment_requests (
  adjustment_id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  person_uuid uuid NOT NULL,
  punch_time timestamptz NOT NULL,
  punch_type text NOT NULL,
  reason text NOT NULL,
  -- The requester's idempotency key (optional): the same key from the same requester returns the first request.
  client_request_id text NULL,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'REQUESTED',
  decided_by text NULL,
  decided_at timestamptz NULL,
  decision_comment text NULL,
  -- The CORRECTION punch an approval recorded.
  correction_event_uuid uuid NULL,

  CONSTRAINT adjustment_requests_pkey PRIMARY KEY (adjustment_id),
  CONSTRAINT adjustment_requests_punch_type_check CHECK (punch_type IN ('IN', 'OUT')),
  CONSTRAINT adjustment_requests_reason_check CHECK (char_length(reason) BETWEEN 1 AND 500),
  CONSTRAINT adjustment_requests_client_request_id_check CHECK (char_length(client_request_id) BETWEEN 1 AND 200),
  CONSTRAINT adjustment_requests_status_check CHECK (status IN ('REQUESTED', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  CONSTRAINT adjustment_requests_decision_check CHECK (
    (status = 'REQUESTED') = (decided_at IS NULL) AND (status = 'REQUESTED') = (decided_by IS NULL)),
  CONSTRAINT adjustment_requests_correction_check CHECK ((status = 'APPROVED') = (correction_event_uuid IS NOT NULL)),
  CONSTRAINT adjustment_requests_comment_check CHECK (char_length(decision_comment) <= 500)
);
CREATE UNIQUE INDEX adjustment_requests_client_request_id ON staffing.adjustment_requests
  (tenant_id, requested_by, client_request_id) WHERE client_request_id IS NOT NULL;
CREATE INDEX adjustment_requests_person_idx ON staffing.adjustment_requests (tenant_id, person_uuid, requested_at DESC);
CREATE INDEX adjustment_requests_pending_idx ON staffing.adjustment_requests (tenant_id, requested_at)
  WHERE status = 'REQUESTED';

CREATE TABLE staffing.approver_assignments (
  tenant_id uuid NOT NULL,
  approver_person_uuid uuid NOT NULL,
  person_uuid uuid NOT NULL,
  assigned_by text NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT approver_assignments_pkey PRIMARY KEY (tenant_id, approver_person_uuid, person_uuid),
  CONSTRAINT approver_assignments_not_self CHECK (approver_person_uuid <> person_uuid)
);
CREATE INDEX approver_assignments_person_idx ON staffing.approver_assignments (tenant_id, person_uuid);

ALTER TABLE staffing.adjustment_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.adjustment_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.adjustment_requests
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
ALTER TABLE staffing.approver_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.approver_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.approver_assignments
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- A request or an assignment names persons of the tenant (identity-mapping's), active; the same refusals as the
-- kernel's, in the adjustment's words.
CREATE FUNCTION staffing.check_adjustment_person(p_tenant_id uuid, p_person uuid)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  CASE staffing.person_state(p_tenant_id, p_person)
    WHEN 'ACTIVE' THEN NULL;
    WHEN 'INACTIVE' THEN
      RAISE EXCEPTION USING MESSAGE = 'ADJUSTMENT_PERSON_INACTIVE', DETAIL = format('person %s is deactivated', p_person);
    ELSE
      RAISE EXCEPTION USING MESSAGE = 'ADJUSTMENT_PERSON_UNKNOWN', DETAIL = format('person %s is no person of this tenant', p_person);
  END CASE;
END;
$$;

CREATE FUNCTION staffing.check_adjustment_request_person()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM staffing.check_adjustment_person(NEW.tenant_id, NEW.person_uuid);
  RETURN NEW;
END;
$$;
CREATE TRIGGER adjustment_requests_person_check
  BEFORE INSERT ON staffing.adjustment_requests
  FOR EACH ROW EXECUTE FUNCTION staffing.check_adjustment_request_person();

CREATE FUNCTION staffing.check_approver_assignment_persons()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM staffing.check_adjustment_person(NEW.tenant_id, NEW.approver_person_uuid);
  PERFORM staffing.check_adjustment_person(NEW.tenant_id, NEW.person_uuid);
  RETURN NEW;
END;
$$;
CREATE TRIGGER approver_assignments_person_check
  BEFORE INSERT ON staffing.approver_assignments
  FOR EACH ROW EXECUTE FUNCTION staffing.check_approver_assignment_persons();

-- The state machine: only a REQUESTED request changes, only its decision columns, only to a decided state.
CREATE FUNCTION staffing.guard_adjustment_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION USING MESSAGE = 'ADJUSTMENT_IMMUTABLE', DETAIL = 'adjustment requests are never deleted';
  END IF;
  IF OLD.status <> 'REQUESTED' THEN
    RAISE EXCEPTION USING MESSAGE = 'ADJUSTMENT_NOT_PENDING',
      DETAIL = format('the request is %s already; a decided request does not change', OLD.status);
  END IF;
  IF NEW.status NOT IN ('APPROVED', 'REJECTED', 'WITHDRAWN')
     OR (NEW.adjustment_id, NEW.tenant_id, NEW.person_uuid, NEW.punch_time, NEW.punch_type, NEW.reason,
         NEW.client_request_id, NEW.requested_by, NEW.requested_at)
        IS DISTINCT FROM
        (OLD.adjustment_id, OLD.tenant_id, OLD.person_uuid, OLD.punch_time, OLD.punch_type, OLD.reason,
         OLD.client_request_id, OLD.requested_by, OLD.requested_at) THEN
    RAISE EXCEPTION USING MESSAGE = 'ADJUSTMENT_IMMUTABLE',
      DETAIL = 'a request changes only from REQUESTED to APPROVED, REJECTED or WITHDRAWN, with its decision';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER adjustment_requests_state_machine
  BEFORE UPDATE OR DELETE ON staffing.adjustment_requests
  FOR EACH ROW EXECUTE FUNCTION staffing.guard_adjustment_change();

-- Audit: every request, decision and assignment.
CREATE FUNCTION audit.record_adjustment()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM audit.append(NEW.tenant_id,
    CASE WHEN TG_OP = 'INSERT' THEN NEW.requested_by ELSE NEW.decided_by END, 'punch-ledger',
    'adjustment.' || CASE WHEN TG_OP = 'INSERT' THEN 'requested' ELSE lower(NEW.status) END,
    'adjustment', NEW.adjustment_id::text,
    jsonb_build_object('person_uuid', NEW.person_uuid::text, 'punch_time', NEW.punch_time, 'punch_type', NEW.punch_type)
      || CASE WHEN TG_OP = 'INSERT' THEN jsonb_build_object('reason', NEW.reason)
              ELSE jsonb_strip_nulls(jsonb_build_object('comment', NEW.decision_comment,
                                                        'correction_event_uuid', NEW.correction_event_uuid::text)) END);
  RETURN NULL;
END;
$$;
CREATE TRIGGER adjustment_requests_audit
  AFTER INSERT OR UPDATE ON staffing.adjustment_requests
  FOR EACH ROW EXECUTE FUNCTION audit.record_adjustment();

CREATE FUNCTION audit.record_approver_assignment()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_row staffing.approver_assignments;
BEGIN
  IF TG_OP = 'DELETE' THEN v_row := OLD; ELSE v_row := NEW; END IF;
  PERFORM audit.append(v_row.tenant_id, CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE v_row.assigned_by END, 'punch-ledger',
    CASE WHEN TG_OP = 'DELETE' THEN 'approver.unassigned' ELSE 'approver.assigned' END,
    'approver-assignment', v_row.approver_person_uuid::text || ':' || v_row.person_uuid::text,
    jsonb_build_object('approver_person_uuid', v_row.approver_person_uuid::text, 'person_uuid', v_row.person_uuid::text));
  RETURN NULL;
END;
$$;
CREATE TRIGGER approver_assignments_audit
  AFTER INSERT OR DELETE ON staffing.approver_assignments
  FOR EACH ROW EXECUTE FUNCTION audit.record_approver_assignment();

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA audit FROM PUBLIC;

-- The service writes requests and decisions itself (the triggers above hold the rules); the correction goes through
-- the kernel's door in the same transaction.
GRANT SELECT, INSERT, UPDATE ON staffing.adjustment_requests TO punch_ledger_app;
GRANT SELECT, INSERT, DELETE ON staffing.approver_assignments TO punch_ledger_app;
