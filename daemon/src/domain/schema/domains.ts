/**
 * CoPilot's schema grouped the way ../shared/seed/database-schema.md groups it.
 *
 * Domain names, membership and order come from the seed's "Table Inventory (Alembic-Derived)":
 * its section headings verbatim and in order, each with its tables in row order, so every one of
 * the 71 tables at CoPilot's Alembic head fb51d610b306 is in exactly one domain. Descriptions
 * follow the seed's "Practical Domain Map". "Sockeye" holds the daemon's own `sockeye_` tables,
 * which the seed does not list. Note that the migrations create user_tag_access, role_tag_access
 * and incident_management_tag_access_settings together (0007_tag_rbac.sql) for foreign-key
 * order; their domain here is still the inventory's.
 *
 * Shape of the seed's inventory, for a generator that reproduces it:
 *
 *   ## Table Inventory (Alembic-Derived)
 *   <blank>
 *   ### <domain name>                      one section per domain, in schemaDomains order
 *   <blank>
 *   | Table | PK | Important columns | Foreign keys | Model file(s) |
 *   |---|---|---|---|---|
 *   | `<table>` | <pk> | <tableNotes[table]> | <foreign keys> | <model file> |
 *   ...                                    one row per table, in the domain's `tables` order
 *   <blank>                                then the next "### " section
 *
 * Cells are inline Markdown with identifiers in backticks; none contains "|":
 *   - PK: `id`, or composite: (`case_id`, `alert_id`) in key order.
 *   - Important columns: free text, kept verbatim in `tableNotes` (sometimes a phrase such as
 *     "link table case↔alert" rather than column names).
 *   - Foreign keys: items `col -> table.col` joined by ", ", or None.
 *   - Model file(s): CoPilot's source file and class, e.g. `backend/app/incidents/models.py`
 *     (`Alert`). Not kept here: Sockeye has no such files (the defining migration can stand in).
 */

export interface SchemaDomain {
  readonly name: string
  readonly description: string
  readonly tables: ReadonlyArray<string>
}

export const SOCKEYE_DOMAIN = "Sockeye"
export const OTHER_DOMAIN = "Other"
const SOCKEYE_PREFIX = "sockeye_"

export const schemaDomains: ReadonlyArray<SchemaDomain> = [
  {
    name: "Customer, Auth, and Core Platform",
    description:
      "Auth / users / roles: `user`, `role`, `smtp`, `user_customer_access`, `user_tag_access`, "
        + "`role_tag_access`; plus customers and their metadata, licensing, the request log and "
        + "customer-portal settings.",
    tables: [
      "customers",
      "customersmeta",
      "customer_provisioning_default_settings",
      "user",
      "role",
      "smtp",
      "user_customer_access",
      "user_tag_access",
      "role_tag_access",
      "license",
      "license_cache",
      "log_entries",
      "customer_portal_settings"
    ]
  },
  {
    name: "Agents, Vulnerability, and Artifact/Data Store",
    description:
      "Agent data store / artifacts / reports: Wazuh/Velociraptor agents, their collected "
        + "artifacts (`agent_datastore`), `agent_vulnerabilities`, and the generated "
        + "`vulnerability_reports` and `sca_reports`.",
    tables: [
      "agents",
      "agent_datastore",
      "agent_vulnerabilities",
      "vulnerability_reports",
      "sca_reports"
    ]
  },
  {
    name: "Scheduler and Job Metadata",
    description:
      "Scheduler/job metadata: `scheduled_job_metadata`, `schedulerjob`, "
        + "`index_snapshot_schedules`.",
    tables: [
      "scheduled_job_metadata",
      "schedulerjob",
      "index_snapshot_schedules"
    ]
  },
  {
    name: "Connectors and Integrations",
    description:
      "Connectors and integration metadata: `connectors*`, `available_*`, "
        + "`customer_*_connectors*`, `customer_*integrations*`, `integration_*`, "
        + "`network_connectors_*`, `custom_alert_creation_*`, `monitoring_alerts`, `sigma_queries`.",
    tables: [
      "connectors",
      "connectorhistory",
      "available_integrations",
      "available_integrations_auth_keys",
      "customer_integrations",
      "integration_services",
      "integration_subscriptions",
      "integration_configs",
      "integration_auth_keys",
      "customer_integrations_meta",
      "available_network_connectors",
      "available_network_connectors_keys",
      "customer_network_connectors",
      "network_connectors_services",
      "network_connectors_subscriptions",
      "network_connectors_configs",
      "network_connectors_keys",
      "customer_network_connectors_meta",
      "custom_alert_creation_settings",
      "custom_alert_creation_event_order",
      "custom_alert_creation_condition",
      "custom_alert_creation_event_config",
      "monitoring_alerts",
      "sigma_queries"
    ]
  },
  {
    name: "Incident Management (Alerts, Cases, Tags, Comments)",
    description:
      "Incidents (alerts/cases/tags/comments): all `incident_management_*` tables, including "
        + "the case datastore, report templates and tag access settings.",
    tables: [
      "incident_management_alert",
      "incident_management_alertcontext",
      "incident_management_asset",
      "incident_management_comment",
      "incident_management_case",
      "incident_management_casealertlink",
      "incident_management_case_comment",
      "incident_management_alerttag",
      "incident_management_alert_to_tag",
      "incident_management_ioc",
      "incident_management_alert_to_ioc",
      "incident_management_fieldname",
      "incident_management_assetfieldname",
      "incident_management_timestampfieldname",
      "incident_management_alerttitlefieldname",
      "incident_management_iocfieldname",
      "incident_management_customercodefieldname",
      "incident_management_notification",
      "incident_management_case_datastore",
      "incident_management_case_report_template_datastore",
      "incident_management_tag_access_settings",
      "incident_management_velo_sigma_exclusion"
    ]
  },
  {
    name: "GitHub Audit (Added at Head)",
    description:
      "GitHub organisation audits (`github_audit_*`, added at head fb51d610b306): configs, "
        + "reports, baselines and check exclusions. The domain map files them under connectors and "
        + "integration metadata.",
    tables: [
      "github_audit_config",
      "github_audit_check_exclusion",
      "github_audit_report",
      "github_audit_baseline"
    ]
  },
  {
    name: SOCKEYE_DOMAIN,
    description: "Sockeye's own tables (prefixed sockeye_): API tokens, shared settings and the migration ledger.",
    tables: ["sockeye_api_tokens", "sockeye_settings", "sockeye_migrations"]
  }
]

/** The seed inventory's "Important columns" cell for each CoPilot table, verbatim Markdown. */
export const tableNotes: Readonly<Record<string, string>> = {
  customers: "`customer_code`, `customer_name`, contact/address fields, `created_at`",
  customersmeta: "`customer_code`, Graylog/Grafana/Wazuh metadata, `customer_meta_portainer_stack_id`",
  customer_provisioning_default_settings: "`cluster_name`, `cluster_key`, `master_ip`, `grafana_url`, `wazuh_worker_hostname`",
  user: "`username`, `password`, `email`, `created_at`, `role_id`",
  role: "`name`, `description`",
  smtp: "`email`, `smtp_server`, `smtp_port`, `user_id`",
  user_customer_access: "`user_id`, `customer_code`, `created_at`",
  user_tag_access: "`user_id`, `tag_id`, `created_at`",
  role_tag_access: "`role_id`, `tag_id`, `created_at`",
  license: "`license_key`, customer/company identity fields",
  license_cache: "`license_key`, `feature_name`, `is_enabled`, `cached_at`, `expires_at`, `license_data`",
  log_entries: "`timestamp`, `event_type`, `user_id`, `route`, `status_code`, `message`",
  customer_portal_settings: "`title`, `logo_base64`, `logo_mime_type`, `updated_at`, `updated_by`",
  agents: "`agent_id`, host/OS/status fields, `velociraptor_*`, `customer_code`, `quarantined`, `velociraptor_org`",
  agent_datastore: "`agent_id`, `velociraptor_id`, `artifact_name`, `flow_id`, storage columns (`bucket_name`,`object_key`,`file_name`), `file_hash`, `status`",
  agent_vulnerabilities: "`cve_id`, `severity`, `title`, `status`, `discovered_at`, `agent_id`, `customer_code`",
  vulnerability_reports: "`report_name`, `customer_code`, storage columns, `generated_at`, vulnerability counters, `status`",
  sca_reports: "`report_name`, `customer_code`, storage columns, `generated_at`, SCA counters, `status`",
  scheduled_job_metadata: "`job_id`, `last_success`, `time_interval`, `extra_data`, `enabled`, `job_description`",
  schedulerjob: "`next_run_time`, `job_state`",
  index_snapshot_schedules: "schedule metadata (`name`, `index_pattern`, `repository`), retention/last execution fields",
  connectors: "connector identity/endpoint/auth fields, capability flags, `connector_enabled`",
  connectorhistory: "`connector_id`, `change_timestamp`, `change_description`",
  available_integrations: "`integration_name`, `description`, `integration_details`",
  available_integrations_auth_keys: "`integration_id`, `integration_name`, `auth_key_name`",
  customer_integrations: "`customer_code`, `integration_service_id`, `integration_service_name`, `deployed`",
  integration_services: "`service_name`, `auth_type`",
  integration_subscriptions: "`customer_id`, `integration_service_id`",
  integration_configs: "`integration_service_id`, `config_key`, `config_value`",
  integration_auth_keys: "`subscription_id`, `auth_key_name`, `auth_value`",
  customer_integrations_meta: "Graylog/Grafana metadata (`graylog_*`, `grafana_*`, `grafana_datasource_uid`)",
  available_network_connectors: "`network_connector_name`, `description`, `network_connector_details`",
  available_network_connectors_keys: "`network_connector_id`, `network_connector_name`, `auth_key_name`",
  customer_network_connectors: "`customer_code`, `network_connector_service_id`, `network_connector_service_name`, `deployed`",
  network_connectors_services: "`service_name`, `auth_type`",
  network_connectors_subscriptions: "`customer_id`, `network_connectors_service_id`",
  network_connectors_configs: "`network_connector_service_id`, `config_key`, `config_value`",
  network_connectors_keys: "`subscription_id`, `auth_key_name`, `auth_value`",
  customer_network_connectors_meta: "Graylog/Grafana connector metadata (`graylog_*`, `grafana_*`, `grafana_datasource_uid`)",
  custom_alert_creation_settings: "customer-wide alert-creation settings, `nvd_url`, custom integration URLs",
  custom_alert_creation_event_order: "`alert_creation_settings_id`, `order_label`",
  custom_alert_creation_condition: "`event_order_id`, `field_name`, `field_value`",
  custom_alert_creation_event_config: "`event_order_id`, `event_id`, `field`, `value`",
  monitoring_alerts: "`alert_id`, `alert_index`, `customer_code`, `alert_source`",
  sigma_queries: "`rule_name`, `rule_query`, `active`, `time_interval`, execution timestamps",
  incident_management_alert: "`alert_name`, `alert_description`, `status`, `alert_creation_time`, `customer_code`, `source`, `assigned_to`, `escalated`",
  incident_management_alertcontext: "`source`, `context` (JSON)",
  incident_management_asset: "`alert_linked`, `asset_name`, `alert_context_id`, `agent_id`, `customer_code`, `index_name`, `index_id`",
  incident_management_comment: "`alert_id`, `comment`, `user_name`, `created_at`",
  incident_management_case: "`case_name`, `case_description`, `case_creation_time`, `case_status`, `case_closed_time`, `assigned_to`, `customer_code`, `notification_invoked_number`, `escalated`",
  incident_management_casealertlink: "link table case↔alert",
  incident_management_case_comment: "`case_id`, `comment`, `user_name`, `created_at`",
  incident_management_alerttag: "`tag`",
  incident_management_alert_to_tag: "link table alert↔tag",
  incident_management_ioc: "`value`, `type`, `description`",
  incident_management_alert_to_ioc: "link table alert↔IoC",
  incident_management_fieldname: "`source`, `field_name`",
  incident_management_assetfieldname: "`source`, `field_name`",
  incident_management_timestampfieldname: "`source`, `field_name`",
  incident_management_alerttitlefieldname: "`source`, `field_name`",
  incident_management_iocfieldname: "`source`, `field_name`",
  incident_management_customercodefieldname: "`source`, `field_name`",
  incident_management_notification: "`customer_code`, `shuffle_workflow_id`, `enabled`",
  incident_management_case_datastore: "`case_id`, storage fields (`bucket_name`,`object_key`,`file_name`), `upload_time`, `file_hash`",
  incident_management_case_report_template_datastore: "`report_template_name`, storage fields, `upload_time`, `file_hash`",
  incident_management_tag_access_settings: "`enabled`, `untagged_alert_behavior`, `default_tag_id`, `updated_at`, `updated_by`",
  incident_management_velo_sigma_exclusion: "`name`, `field_matches` (JSON), `channel`, `title`, `customer_code`, `created_by`, `enabled`",
  github_audit_config: "customer/org token/configuration, filters (JSON), notification and score threshold fields",
  github_audit_check_exclusion: "`config_id`, `customer_code`, check/resource selectors, approval/expiry, `enabled`",
  github_audit_report: "`config_id`, organization/report metadata, summary counts, `status`, report JSON blobs",
  github_audit_baseline: "`config_id`, `customer_code`, baseline definition, expected checks (JSON), `baseline_report_id`, `is_active`"
}

const domainByTable: ReadonlyMap<string, string> = new Map(
  schemaDomains.flatMap((domain) => domain.tables.map((table) => [table, domain.name] as const))
)

/** The domain a table belongs to: any sockeye_ table is Sockeye's; tables nobody lists are "Other". */
export const domainOfTable = (table: string): string =>
  table.startsWith(SOCKEYE_PREFIX) ? SOCKEYE_DOMAIN : domainByTable.get(table) ?? OTHER_DOMAIN

/**
 * The map over the tables that exist, so that each is in exactly one domain: a listed table
 * that is gone drops out, and one the list does not name (a new sockeye_ table, a hand-made
 * one) follows its domain's listed tables or lands in "Other".
 */
export const domainsOf = (live: ReadonlyArray<string>): ReadonlyArray<SchemaDomain> => {
  const present = new Set(live)
  const unlisted = live.filter((table) => !domainByTable.has(table))
  const withUnlisted = (name: string) => unlisted.filter((table) => domainOfTable(table) === name)
  const domains = schemaDomains.map((domain) => ({
    ...domain,
    tables: [...domain.tables.filter((table) => present.has(table)), ...withUnlisted(domain.name)]
  }))
  const other = withUnlisted(OTHER_DOMAIN)
  return other.length === 0 ? domains : [...domains, {
    name: OTHER_DOMAIN,
    description: "Tables the map does not place: not CoPilot's, and not prefixed sockeye_.",
    tables: other
  }]
}
