import React from "react"
import type { Message } from "../model/prompt.js"
import { theme } from "../theme/semantic-colors.js"
import { Line } from "./Segments.js"

const STYLE: Record<Message["level"], { mark: string; color: string }> = {
  ok: { mark: "✓", color: theme.status.ok },
  error: { mark: "✗", color: theme.status.error },
  info: { mark: "·", color: theme.status.info }
}

/** The result of the last verb, or the daemon's error. */
export const MessageLine = ({ message }: { readonly message: Message | undefined }) =>
  message
    ? <Line segments={[{ text: ` ${STYLE[message.level].mark} ${message.text}`, color: STYLE[message.level].color }]} />
    : <Line segments={[]} />
