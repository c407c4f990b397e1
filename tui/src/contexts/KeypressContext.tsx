import { useInput, type Key as InkKey } from "ink"
import React, { createContext, useCallback, useContext, useLayoutEffect, useMemo, useRef } from "react"
import { keysOf, type Key } from "../key/Key.js"
import { defaultKeyBindings, type KeyBindingConfig } from "../key/keyBindings.js"
import { createKeyMatchers, type KeyMatchers } from "../key/keyMatchers.js"

/** A handler returns true when it consumed the key; lower priorities then do not see it. */
export type KeypressHandler = (key: Key) => boolean | void

/** Who sees a key first: an open prompt, then an overlay, then the view, then global keys. */
export const Priority = { Global: 0, View: 10, Overlay: 50, Prompt: 100 } as const

interface Subscriber {
  readonly handler: { current: KeypressHandler }
  readonly priority: number
  readonly order: number
}

interface KeypressContextValue {
  readonly subscribe: (s: Subscriber) => () => void
  /** A handler that takes every key ahead of the subscribers, from now on (undefined: none). */
  readonly setModal: (handler: KeypressHandler | undefined) => void
  readonly nextOrder: () => number
  readonly matchers: KeyMatchers
  readonly bindings: KeyBindingConfig
}

const KeypressContext = createContext<KeypressContextValue | undefined>(undefined)

/**
 * The one stdin listener. Keys go to the modal handler (an open prompt) if any, else to the
 * subscribers by priority (then the most recently mounted first) until one consumes them.
 *
 * Keys that arrive together (a paste, tmux send-keys) are taken one at a time: while a modal
 * handler is open they go to it at once; otherwise the next key waits until React has rendered
 * what this one changed, so that it reaches the view this key opened. React 19 schedules that
 * render from a microtask onto a macrotask, hence a microtask, then two macrotask hops.
 */
export const KeypressProvider = ({ children, bindings = defaultKeyBindings }: {
  readonly children: React.ReactNode
  readonly bindings?: KeyBindingConfig
}) => {
  const subscribers = useRef(new Set<Subscriber>())
  const modal = useRef<KeypressHandler | undefined>(undefined)
  const queue = useRef<Array<Key>>([])
  const draining = useRef(false)
  const order = useRef(0)

  const dispatch = useCallback((key: Key) => {
    const list = [...subscribers.current].sort((a, b) => b.priority - a.priority || b.order - a.order)
    for (const s of list) if (s.handler.current(key) === true) return
  }, [])

  const drain = useCallback(() => {
    for (let key = queue.current.shift(); key; key = queue.current.shift()) {
      if (modal.current) {
        modal.current(key)
        continue
      }
      dispatch(key)
      if (queue.current.length > 0 && !modal.current) {
        queueMicrotask(() => setImmediate(() => setImmediate(drain)))
        return
      }
    }
    draining.current = false
  }, [dispatch])

  const onInput = useCallback((input: string, inkKey: InkKey) => {
    queue.current.push(...keysOf(input, inkKey))
    if (!draining.current) {
      draining.current = true
      drain()
    }
  }, [drain])
  useInput(onInput)

  const value = useMemo<KeypressContextValue>(() => ({
    setModal: (handler) => { modal.current = handler },
    subscribe: (s) => {
      subscribers.current.add(s)
      return () => void subscribers.current.delete(s)
    },
    nextOrder: () => ++order.current,
    matchers: createKeyMatchers(bindings),
    bindings
  }), [bindings])
  return <KeypressContext.Provider value={value}>{children}</KeypressContext.Provider>
}

const useKeypressContext = (): KeypressContextValue => {
  const value = useContext(KeypressContext)
  if (!value) throw new Error("useKeypress must be used inside a KeypressProvider")
  return value
}

/**
 * Listens to keys while `isActive`. The handler may change on every render; the subscription
 * (and its place in the order) stays. Subscribed in a layout effect: at commit, before the next key.
 */
export const useKeypress = (handler: KeypressHandler, options: { readonly isActive?: boolean; readonly priority?: number } = {}) => {
  const { subscribe, nextOrder } = useKeypressContext()
  const ref = useRef(handler)
  ref.current = handler
  const isActive = options.isActive ?? true
  const priority = options.priority ?? Priority.View
  useLayoutEffect(() => {
    if (!isActive) return
    return subscribe({ handler: ref, priority, order: nextOrder() })
  }, [isActive, priority, subscribe, nextOrder])
}

export const useKeyMatchers = (): KeyMatchers => useKeypressContext().matchers
export const useSetModal = (): KeypressContextValue["setModal"] => useKeypressContext().setModal
export const useKeyBindings = (): KeyBindingConfig => useKeypressContext().bindings
