// The wire form of a failure lives in @sockeye/client: the TUI and the VS Code extension share it.
export { wireOf } from "@sockeye/client"
