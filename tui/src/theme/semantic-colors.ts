/**
 * Every colour the terminal UI uses, by meaning. Components take colours only from here, so a
 * skin is one object. Named ANSI colours: they follow the user's terminal palette and survive
 * tmux, screen and SSH.
 */
export const theme = {
  text: {
    primary: "white",
    secondary: "gray",
    accent: "cyan",
    link: "blueBright",
    heading: "whiteBright"
  },
  status: {
    ok: "green",
    warning: "yellow",
    error: "red",
    info: "cyan"
  },
  /** Alert and case status values, as CoPilot names them. */
  incident: {
    OPEN: "red",
    IN_PROGRESS: "yellow",
    CLOSED: "green",
    escalated: "magentaBright"
  } as Record<string, string>,
  ui: {
    title: "cyanBright",
    crumb: "cyan",
    columnHeader: "whiteBright",
    mark: "magentaBright",
    match: "yellowBright",
    key: "cyan",
    live: "green",
    stale: "yellow",
    offline: "red",
    dim: "gray"
  }
} as const
