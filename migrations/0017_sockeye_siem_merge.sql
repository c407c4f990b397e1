-- 0017_sockeye_siem_merge.sql
-- Domain: Sockeye (the local SIEM index of 0011; not part of CoPilot's schema).
-- Functions: sockeye_jsonb_merge.
-- CoPilot Alembic revisions: none.
-- Depends on 0011.

-- OpenSearch's `_update` with `doc`, for the local index's bulk partial updates (the write-back
-- of alert ids into many documents in one statement): objects merge key by key at every depth;
-- arrays, scalars and null replace what was there. documents.ts deepMerge is the same rule in
-- TypeScript, and a test keeps the two in step.
CREATE FUNCTION sockeye_jsonb_merge(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN jsonb_typeof(target) = 'object' AND jsonb_typeof(patch) = 'object' THEN
      target || coalesce((SELECT jsonb_object_agg(p.key, sockeye_jsonb_merge(target -> p.key, p.value)) FROM jsonb_each(patch) p), '{}'::jsonb)
    ELSE patch
  END
$$;
