/**
 * The shared daemon socket every local client finds by default:
 * `$XDG_RUNTIME_DIR/sockeye/sockeyed.sock`, else a per-user folder under the temp dir.
 * Pure (inputs passed in) so that this package stays free of Node imports.
 */
export const defaultSocketPath = (env: { readonly XDG_RUNTIME_DIR?: string | undefined }, uid: number, tmpdir: string): string =>
  env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/sockeye/sockeyed.sock` : `${tmpdir}/sockeye-${uid}/sockeyed.sock`
