import { describe, expect, it } from "vitest"
import { credentialsOf, targetOf, UsageError } from "./connection.js"

describe("connection flags", () => {
  it("picks flags before the environment and a token before a password", () => {
    expect(credentialsOf({}, {})).toBeUndefined()
    expect(credentialsOf({ token: "t" }, { SOCKEYE_USER: "u", SOCKEYE_PASSWORD: "p" })).toEqual({ token: "t" })
    expect(credentialsOf({ user: "u", password: "p" }, { SOCKEYE_TOKEN: "t" })).toEqual({ username: "u", password: "p" })
    expect(credentialsOf({ user: "u" }, { SOCKEYE_PASSWORD: "p" })).toEqual({ username: "u", password: "p" })
    expect(credentialsOf({}, { SOCKEYE_TOKEN: "t", SOCKEYE_USER: "u", SOCKEYE_PASSWORD: "p" })).toEqual({ token: "t" })
    expect(credentialsOf({}, { SOCKEYE_USER: "u", SOCKEYE_PASSWORD: "p" })).toEqual({ username: "u", password: "p" })
    expect(() => credentialsOf({ user: "u" }, {})).toThrow(UsageError)
    expect(() => credentialsOf({ user: "u", token: "t" }, {})).toThrow(UsageError)
  })

  it("maps --socket, --connect, --stdio and the default auto", () => {
    expect(targetOf({ socket: "/s" }, {})).toEqual({ kind: "socket", path: "/s" })
    expect(targetOf({ connect: "[::1]:7000" }, {})).toEqual({ kind: "tcp", host: "::1", port: 7000 })
    expect(targetOf({ connect: ":7000" }, {})).toEqual({ kind: "tcp", host: "127.0.0.1", port: 7000 })
    expect(targetOf({ stdio: true }, { SOCKEYE_DAEMON: "/opt/sockeyed" })).toMatchObject({ kind: "stdio", command: ["/opt/sockeyed"] })
    const auto = targetOf({}, {})
    expect(auto.kind).toBe("auto")
    expect(auto.kind === "auto" && auto.command.at(-1)).toMatch(/daemon\/bin\/sockeyed\.js$/)
    expect(() => targetOf({ connect: "nohost" }, {})).toThrow(UsageError)
    expect(() => targetOf({ socket: "/s", stdio: true }, {})).toThrow(UsageError)
  })
})
