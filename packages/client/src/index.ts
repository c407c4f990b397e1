export { DaemonClient, type CallOptions, type ClientError, type ClientOptions, type ConnectionState } from "./DaemonClient.js"
export { connect, opener, autoLink, sharedSocketPath, type Target } from "./connect.js"
export { socketLink, stdioLink, tcpLink, type Link, type SpawnOptions } from "./transports.js"
