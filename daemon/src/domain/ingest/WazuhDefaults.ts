import type { FieldMapping } from "./Mapping.js"

/**
 * The field mapping shipped for source "wazuh" (copilot-facts §f.6, the recommended mapping),
 * written with CoPilot's Graylog-flattened names; field resolution (Extract.ts) finds the same
 * values in Wazuh's nested documents. Migration 0012 inserts exactly these rows when the
 * database has no "wazuh" mapping yet; a test keeps the two in step.
 */
export const WAZUH_SOURCE = "wazuh"

export const wazuhDefaults: FieldMapping = {
  title: "rule_description",
  asset: ["agent_name"],
  // Graylog's pipelines add timestamp_utc; Wazuh's own documents fall back to timestamp.
  timestamp: "timestamp_utc",
  customerCode: "agent_labels_customer",
  // Threat-intel enrichments first (CoPilot's ValidIocFields), then what Wazuh decoders extract.
  ioc: [
    "threat_intel_value",
    "misp_value",
    "opencti_value",
    "data_srcip",
    "data_src_ip",
    "data_win_eventdata_ipAddress",
    "data_virustotal_source_sha1",
    "syscheck_sha256_after",
    "data_aws_sourceIPAddress",
    "data_office365_ClientIP"
  ],
  fieldName: [
    "timestamp",
    "rule_id",
    "rule_level",
    "rule_description",
    "rule_groups",
    "rule_mitre_id",
    "rule_mitre_tactic",
    "rule_mitre_technique",
    "agent_id",
    "agent_name",
    "agent_ip",
    "agent_labels_customer",
    "manager_name",
    "cluster_node",
    "decoder_name",
    "location",
    "full_log",
    "data_srcip",
    "data_srcuser",
    "data_dstuser",
    "data_src_ip",
    "data_dest_ip",
    "data_alert_signature",
    "data_win_system_computer",
    "data_win_system_eventID",
    "data_win_system_channel",
    "data_win_eventdata_commandLine",
    "data_win_eventdata_parentCommandLine",
    "data_win_eventdata_parentImage",
    "data_win_eventdata_parentUser",
    "data_win_eventdata_image",
    "data_win_eventdata_user",
    "data_win_eventdata_company",
    "data_win_eventdata_hashes",
    "data_win_eventdata_currentDirectory",
    "data_win_eventdata_originalFileName",
    "data_win_eventdata_ipAddress",
    "data_win_eventdata_targetUserName",
    "data_win_eventdata_sourceImage",
    "data_win_eventdata_targetImage",
    "data_Path",
    "process_id",
    "sha256",
    "syscheck_path",
    "syscheck_sha256_after",
    "data_virustotal_permalink",
    "data_virustotal_positives",
    "data_virustotal_source_sha1",
    "data_vulnerability_cve",
    "data_vulnerability_severity",
    "data_vulnerability_package_name",
    "data_office365_Operation",
    "data_office365_UserId",
    "data_office365_ClientIP",
    "threat_intel_value"
  ]
}
