-- 0012_sockeye_ingest.sql
-- Domain: Sockeye (the daemon's own tables, prefixed sockeye_; not part of CoPilot's schema),
--         plus the shipped "wazuh" field mapping in CoPilot's incident_management_*fieldname tables.
-- Tables: sockeye_ingested_documents, sockeye_ingest_failures, sockeye_ingest_checkpoints.
-- CoPilot Alembic revisions: none (CoPilot has no ledger: a document whose write-back failed
--         became a second alert on the next run).
-- Depends on 0005 (incident_management_*), 0009 (sockeye_settings).

-- The exactly-once ledger: one row per SIEM document that became (or merged into) an alert,
-- inserted first in the document's own transaction. Keyed by the original document, so a
-- document reached both through a Graylog event and through direct collection is ingested once.
-- alert_id has no foreign key: the document stays ingested after its alert is deleted.
CREATE TABLE sockeye_ingested_documents (
    index_name  varchar(255) NOT NULL,
    doc_id      varchar(255) NOT NULL,
    alert_id    integer,
    ingested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (index_name, doc_id)
);

-- Documents that could not be ingested, retried with exponential backoff. Keyed by the document
-- collected: the Graylog event (collector 'graylog') or the Wazuh alert (collector 'wazuh').
CREATE TABLE sockeye_ingest_failures (
    index_name      varchar(255) NOT NULL,
    doc_id          varchar(255) NOT NULL,
    collector       varchar(20) NOT NULL,
    error           text NOT NULL,
    attempts        integer NOT NULL DEFAULT 1,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL,
    PRIMARY KEY (index_name, doc_id)
);
-- Each run picks the failures that are due.
CREATE INDEX ix_sockeye_ingest_failures_next_attempt_at ON sockeye_ingest_failures (next_attempt_at);

-- Where direct collection of an index pattern stopped: the (sort value, document id) keyset of
-- the last document read. Sort values are epoch milliseconds or text, as the index returns them.
CREATE TABLE sockeye_ingest_checkpoints (
    source_key   varchar(255) PRIMARY KEY,
    sort_value   text NOT NULL,
    sort_numeric boolean NOT NULL,
    doc_id       varchar(255) NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Dedup looks for the OPEN alert of a customer with the same title for every document. A hash
-- index has no key-size limit (titles are unbounded text); the partial predicate keeps it to
-- the alerts that can absorb documents.
CREATE INDEX ix_sockeye_alert_open_name ON incident_management_alert USING hash (alert_name)
    WHERE status = 'OPEN';

-- Direct collection of wazuh-alerts-*: 'auto' collects them only while no Graylog event exists
-- (Graylog's event definitions then decide which Wazuh alerts matter); 'on' or 'off' force it.
INSERT INTO sockeye_settings (key, value) VALUES ('ingest_wazuh_direct', 'auto')
ON CONFLICT (key) DO NOTHING;

-- The recommended Wazuh mapping (copilot-facts §f.6; daemon/src/domain/ingest/WazuhDefaults.ts
-- holds the same list), only where no "wazuh" mapping exists yet, so a CoPilot database keeps its own.
CREATE TEMPORARY TABLE sockeye_wazuh_defaults ON COMMIT DROP AS
SELECT NOT EXISTS (SELECT 1 FROM incident_management_fieldname WHERE source = 'wazuh')
   AND NOT EXISTS (SELECT 1 FROM incident_management_assetfieldname WHERE source = 'wazuh')
   AND NOT EXISTS (SELECT 1 FROM incident_management_timestampfieldname WHERE source = 'wazuh')
   AND NOT EXISTS (SELECT 1 FROM incident_management_alerttitlefieldname WHERE source = 'wazuh')
   AND NOT EXISTS (SELECT 1 FROM incident_management_iocfieldname WHERE source = 'wazuh')
   AND NOT EXISTS (SELECT 1 FROM incident_management_customercodefieldname WHERE source = 'wazuh') AS wanted;

INSERT INTO incident_management_fieldname (source, field_name)
SELECT 'wazuh', f FROM unnest(array['timestamp', 'rule_id', 'rule_level', 'rule_description', 'rule_groups', 'rule_mitre_id', 'rule_mitre_tactic', 'rule_mitre_technique', 'agent_id', 'agent_name', 'agent_ip', 'agent_labels_customer', 'manager_name', 'cluster_node', 'decoder_name', 'location', 'full_log', 'data_srcip', 'data_srcuser', 'data_dstuser', 'data_src_ip', 'data_dest_ip', 'data_alert_signature', 'data_win_system_computer', 'data_win_system_eventID', 'data_win_system_channel', 'data_win_eventdata_commandLine', 'data_win_eventdata_parentCommandLine', 'data_win_eventdata_parentImage', 'data_win_eventdata_parentUser', 'data_win_eventdata_image', 'data_win_eventdata_user', 'data_win_eventdata_company', 'data_win_eventdata_hashes', 'data_win_eventdata_currentDirectory', 'data_win_eventdata_originalFileName', 'data_win_eventdata_ipAddress', 'data_win_eventdata_targetUserName', 'data_win_eventdata_sourceImage', 'data_win_eventdata_targetImage', 'data_Path', 'process_id', 'sha256', 'syscheck_path', 'syscheck_sha256_after', 'data_virustotal_permalink', 'data_virustotal_positives', 'data_virustotal_source_sha1', 'data_vulnerability_cve', 'data_vulnerability_severity', 'data_vulnerability_package_name', 'data_office365_Operation', 'data_office365_UserId', 'data_office365_ClientIP', 'threat_intel_value']) WITH ORDINALITY AS t(f, n), sockeye_wazuh_defaults d
WHERE d.wanted ORDER BY n;

INSERT INTO incident_management_assetfieldname (source, field_name)
SELECT 'wazuh', 'agent_name' FROM sockeye_wazuh_defaults d WHERE d.wanted;

INSERT INTO incident_management_timestampfieldname (source, field_name)
SELECT 'wazuh', 'timestamp_utc' FROM sockeye_wazuh_defaults d WHERE d.wanted;

INSERT INTO incident_management_alerttitlefieldname (source, field_name)
SELECT 'wazuh', 'rule_description' FROM sockeye_wazuh_defaults d WHERE d.wanted;

INSERT INTO incident_management_iocfieldname (source, field_name)
SELECT 'wazuh', f FROM unnest(array['threat_intel_value', 'misp_value', 'opencti_value', 'data_srcip', 'data_src_ip', 'data_win_eventdata_ipAddress', 'data_virustotal_source_sha1', 'syscheck_sha256_after', 'data_aws_sourceIPAddress', 'data_office365_ClientIP']) WITH ORDINALITY AS t(f, n), sockeye_wazuh_defaults d
WHERE d.wanted ORDER BY n;

INSERT INTO incident_management_customercodefieldname (source, field_name)
SELECT 'wazuh', 'agent_labels_customer' FROM sockeye_wazuh_defaults d WHERE d.wanted;
