import { useEffect, useState } from "react"

/** The current time, updated every `everyMs` (ages in tables stay right without a reload). */
export const useNow = (everyMs = 30_000): number => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    timer.unref?.()
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}
