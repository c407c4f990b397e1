import type { Method } from "./Method.js"
import * as Lifecycle from "./methods/lifecycle.js"
import * as Auth from "./methods/auth.js"
import * as Users from "./methods/users.js"
import * as Tags from "./methods/tags.js"
import * as Alerts from "./methods/alerts.js"
import * as Cases from "./methods/cases.js"
import * as SchemaMethods from "./methods/schema.js"
import * as Siem from "./methods/siem.js"
import * as Ingest from "./methods/ingest.js"
import * as Jobs from "./methods/jobs.js"
import * as Files from "./methods/files.js"

/** Every request method of the protocol, in the order PROTOCOL.md lists them. */
export const methods: ReadonlyArray<Method> = [
  Lifecycle.Initialize,
  Lifecycle.Shutdown,
  Lifecycle.Discover,
  Auth.Whoami,
  Auth.TokensCreate,
  Auth.TokensList,
  Auth.TokensRevoke,
  Users.UsersList,
  Users.UsersAssignees,
  Users.UsersCreate,
  Users.UsersUpdate,
  Users.UsersDelete,
  Users.CustomerAccessSet,
  Users.CustomersList,
  Users.CustomersGet,
  Users.CustomersCreate,
  Users.CustomersUpdate,
  Users.RolesList,
  Tags.TagsList,
  Tags.TagsCreate,
  Tags.TagsDelete,
  Tags.RbacSettingsGet,
  Tags.RbacSettingsSet,
  Tags.RbacGrantsList,
  Tags.RbacGrantsSet,
  Tags.RbacExplain,
  Alerts.AlertsList,
  Alerts.AlertsCount,
  Alerts.AlertsGet,
  Alerts.AlertsCreate,
  Alerts.AlertsUpdate,
  Alerts.AlertsCommentsAdd,
  Alerts.AlertsCommentsAddMany,
  Alerts.AlertsTagsAdd,
  Alerts.AlertsTagsRemove,
  Alerts.AlertsIocsAdd,
  Alerts.AlertsIocsRemove,
  Alerts.AlertsDelete,
  Siem.AlertsEvent,
  Cases.CasesList,
  Cases.CasesGet,
  Cases.CasesCreate,
  Cases.CasesUpdate,
  Cases.CasesAlertsLink,
  Cases.CasesAlertsUnlink,
  Cases.CasesCommentsAdd,
  Files.CasesFilesList,
  Files.CasesFilesUploadBegin,
  Files.CasesFilesUploadChunk,
  Files.CasesFilesUploadCommit,
  Files.CasesFilesUploadAbort,
  Files.CasesFilesDownload,
  Files.CasesFilesDelete,
  Files.ReportTemplatesList,
  Files.ReportTemplatesUploadBegin,
  Files.ReportTemplatesUploadChunk,
  Files.ReportTemplatesUploadCommit,
  Files.ReportTemplatesUploadAbort,
  Files.ReportTemplatesDownload,
  Files.ReportTemplatesDelete,
  Files.ArtifactsList,
  Files.ArtifactsDownload,
  Jobs.JobsList,
  Jobs.JobsUpdate,
  Jobs.JobsRun,
  Jobs.JobsRuns,
  Siem.SiemGet,
  Siem.SiemSearch,
  Ingest.FieldNamesGet,
  Ingest.FieldNamesSet,
  Ingest.Sources,
  Ingest.IngestRun,
  Ingest.IngestFailures,
  SchemaMethods.Tables,
  SchemaMethods.TableGet,
  SchemaMethods.Relationships,
  SchemaMethods.Domains,
  SchemaMethods.DriftGet,
  SchemaMethods.DocumentGet,
  SchemaMethods.MigrationsStatus,
  SchemaMethods.MigrationsUp,
  SchemaMethods.MigrationsPlan,
  SchemaMethods.MigrationsNew
]

const byName = new Map(methods.map((m) => [m.method, m]))

export const methodByName = (name: string): Method | undefined => byName.get(name)

/** Methods that belong to the connection's lifecycle rather than to the SOC (not MCP tools). */
export const lifecycleMethods: ReadonlySet<string> = new Set(["initialize", "shutdown", "rpc.discover"])
