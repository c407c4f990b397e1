-- 0018_sockeye_dry_run.sql
-- Domain: Sockeye dry runs (every mutating method's `dryRun: true`).
-- Tables: none; a row trigger on every table, a trigger function, and the function that attaches it.
-- CoPilot Alembic revisions: none (CoPilot has no dry runs).
-- Depends on every earlier migration (it attaches to their tables).

-- A dry run runs the method in a transaction that is always rolled back, with
-- `sockeye.dry_run = 'on'` set for that transaction only and a temporary table
-- sockeye_dry_run_changes created in it (daemon/src/rpc/DryRun.ts). This trigger copies each
-- row the method inserts, updates or deletes into that table, so the preview lists exactly
-- what the database did: cascades, trigger effects and the audit entry included. Outside a dry
-- run the WHEN condition is false, no function is called and no event is queued.
CREATE FUNCTION sockeye_dry_run_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pg_temp.sockeye_dry_run_changes (table_name, op, before, after)
    VALUES (TG_TABLE_NAME, lower(TG_OP),
            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
            CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
    RETURN NULL;
END
$$;

-- Attaches the capture trigger to every table of the current schema that lacks it (partitions
-- get their parent's). The daemon calls it after every migrations run, so tables that later
-- migrations create are covered too; a dry run refuses to run while any table lacks it.
CREATE FUNCTION sockeye_dry_run_attach() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
    n integer := 0;
BEGIN
    FOR t IN
        SELECT c.oid::regclass FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'sockeye_dry_run_capture')
        ORDER BY c.relname
    LOOP
        EXECUTE format(
            'CREATE OR REPLACE TRIGGER sockeye_dry_run_capture AFTER INSERT OR UPDATE OR DELETE ON %s '
            'FOR EACH ROW WHEN (current_setting(''sockeye.dry_run'', true) = ''on'') '
            'EXECUTE FUNCTION sockeye_dry_run_capture()', t);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

SELECT sockeye_dry_run_attach();
