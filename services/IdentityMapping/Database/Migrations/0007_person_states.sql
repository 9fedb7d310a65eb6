-- What the punch ledger may know about persons: whether a person_uuid exists in the tenant, and whether it
-- is active (issue 15: punches only for persons that exist and are active). This view is the contract
-- between the two schemas; the ledger's doors (punch-ledger 0008) read it and nothing else of `person`,
-- so identity-mapping may reshape its tables as long as this view keeps its three columns.
--
-- Tenant isolation: the view runs with its owner's rights (attendance_owner), and the owner is under the
-- persons table's forced RLS policy, so a reader sees the rows of app.current_tenant only; without that
-- setting the policy raises (fails closed), it never shows every tenant. security_barrier keeps a
-- caller's leaky predicate from being evaluated before the policy's.
--
-- Who may read it: nobody but the owner. The ledger's doors are SECURITY DEFINER functions of the same
-- owner, so the ledger's login role (punch_ledger_app) needs no grant here, and gets none: it cannot list a
-- tenant's persons, it can only have a punch accepted or refused.
CREATE VIEW person.person_states WITH (security_barrier) AS
SELECT p.tenant_id, p.person_uuid, p.active
FROM person.persons p;

REVOKE ALL ON person.person_states FROM PUBLIC;
