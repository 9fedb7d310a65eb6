-- Issue 14, the end of a session: a changed password ends the user's other sessions, and an admin's temporary
-- password stops working after a while.
ALTER TABLE identity.users
  -- Copied into every identity session cookie, authorization code and refresh token at sign-in; a new one is drawn
  -- whenever the password changes (the user's change, an admin's reset), so those issued before are refused.
  ADD COLUMN security_stamp uuid NOT NULL DEFAULT gen_random_uuid(),
  -- Set with must_change_password by an admin's reset (Identity:TemporaryPasswordLifetime): after it the temporary
  -- password signs in to nothing, and the admin resets again.
  ADD COLUMN temporary_password_expires_at timestamptz,
  ADD CONSTRAINT users_temporary_password_expiry_check CHECK (temporary_password_expires_at IS NULL OR must_change_password);

GRANT UPDATE (security_stamp, temporary_password_expires_at) ON identity.users TO identity_app;
