-- The tenant's people. person_uuid is the id every other service (the punch ledger, daily results)
-- knows a person by.
CREATE TABLE person.persons (
  person_uuid uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  -- Byte-wise collation: uniqueness and paging order are exact and the same on every server locale.
  employee_number text COLLATE "C" NOT NULL,
  display_name text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT persons_pkey PRIMARY KEY (person_uuid),
  -- The target of the links' foreign key: a link and its person are always in the same tenant.
  CONSTRAINT persons_tenant_person_key UNIQUE (tenant_id, person_uuid),
  -- Also the index ListPersons pages along (keyset on employee_number).
  CONSTRAINT persons_employee_number_key UNIQUE (tenant_id, employee_number),
  -- The service checks the same rules first and answers IDENTITY_INVALID_ARGUMENT naming the field;
  -- these keep the table honest against anyone else.
  CONSTRAINT persons_employee_number_check
    CHECK (char_length(employee_number) BETWEEN 1 AND 64 AND employee_number = btrim(employee_number)),
  CONSTRAINT persons_display_name_check
    CHECK (char_length(display_name) BETWEEN 1 AND 200 AND btrim(display_name) <> '')
);

ALTER TABLE person.persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE person.persons FORCE ROW LEVEL SECURITY;
-- No missing_ok: without app.current_tenant the policy itself raises, so a forgotten tenant fails closed.
CREATE POLICY tenant_isolation ON person.persons
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
