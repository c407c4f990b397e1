/** "HOST:PORT" (IPv6 hosts in brackets; an empty host is 127.0.0.1); undefined when it is not one. */
export const parseHostPort = (value: string): { host: string; port: number } | undefined => {
  const match = /^(.*):(\d{1,5})$/.exec(value.trim())
  if (!match || Number(match[2]) > 65535 || Number(match[2]) === 0) return undefined
  return { host: match[1]!.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1", port: Number(match[2]) }
}
