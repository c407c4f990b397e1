-- 0011_sockeye_siem_local_index.sql
-- Domain: Sockeye (the daemon's own tables, prefixed sockeye_; not part of CoPilot's schema).
-- Tables: sockeye_siem_documents.
-- CoPilot Alembic revisions: none (CoPilot always reads the Wazuh indexer).

-- The local SIEM index: documents kept in PostgreSQL when no Wazuh indexer is configured (the
-- embedded default and the demo), searched with the same subset of requests as OpenSearch.
-- `ts` is the document's time (its `timestamp`, else `@timestamp`) at millisecond precision,
-- as OpenSearch's date type keeps it, read at write time; null when the document has none.
CREATE TABLE sockeye_siem_documents (
    index_name varchar(255) NOT NULL,
    doc_id     varchar(512) NOT NULL,
    ts         timestamptz,
    source     jsonb NOT NULL,
    PRIMARY KEY (index_name, doc_id)
);
-- Time ranges and keyset paging in time order (ingestion walks ts ascending, id breaking ties).
CREATE INDEX ix_sockeye_siem_documents_ts_doc_id ON sockeye_siem_documents (ts, doc_id);
-- Term filters (`source @@ '$.fields.COPILOT_ALERT_ID == "NONE"'`) and containment.
CREATE INDEX ix_sockeye_siem_documents_source ON sockeye_siem_documents USING gin (source jsonb_path_ops);
