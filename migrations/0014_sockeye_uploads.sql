-- 0014_sockeye_uploads.sql
-- Domain: Agent data store / artifacts / reports (Sockeye's addition: chunked uploads).
-- Tables: sockeye_uploads. (Names stay unique per case by an advisory lock at commit, as CoPilot
-- checks in the app: a unique index could not be created over existing CoPilot data with duplicates.)
-- CoPilot Alembic revisions: none (CoPilot reads a whole upload in one HTTP request).
-- Depends on 0005 (incident_management_case, the case and template datastores).

-- A pending chunked upload (cases/files/upload/*, reportTemplates/upload/*). Chunks arrive over
-- many requests, maybe on several daemons, so the state lives here; the bytes are staged as
-- objects <id>/<offset> in the sockeye-staging bucket. Commit writes the final object and the
-- datastore row and deletes this row in one transaction; a row nobody touched for a day is
-- abandoned, and datastore_gc deletes it with its staged chunks.
CREATE TABLE sockeye_uploads (
    id           uuid PRIMARY KEY,
    target       varchar(16) NOT NULL CHECK (target IN ('case_file', 'report_template')),
    case_id      integer REFERENCES incident_management_case (id) ON DELETE CASCADE,
    file_name    varchar(255) NOT NULL,
    content_type varchar(100) NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       char(64) NOT NULL,
    replace      boolean NOT NULL,
    received     bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= size),
    user_id      integer NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((target = 'case_file') = (case_id IS NOT NULL))
);
-- datastore_gc looks for abandoned uploads.
CREATE INDEX ix_sockeye_uploads_updated_at ON sockeye_uploads (updated_at);
