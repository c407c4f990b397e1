import { useAppActions, useAppState, type Target } from "../contexts/AppContext.js"
import { Priority, useKeyMatchers, useKeypress } from "../contexts/KeypressContext.js"
import { Command } from "../key/keyBindings.js"
import type { Key } from "../key/Key.js"

/**
 * The verb keys of a view, acting on `target` (the marked rows, else the current one). Not
 * listening at all with --readonly, so the keys do nothing and help does not list them.
 */
export const useVerbKeys = (target: () => Target | undefined, options: { readonly isActive: boolean; readonly alertVerbs: boolean }) => {
  const { readonly } = useAppState()
  const { verbs, say } = useAppActions()
  const m = useKeyMatchers()
  useKeypress((key: Key) => {
    const act = (verb: (t: Target) => void) => {
      const t = target()
      if (!t || t.items.length === 0) say("info", "nothing selected")
      else verb(t)
      return true
    }
    if (m[Command.AssignMe](key)) return act(verbs.assignMe)
    if (m[Command.AssignTo](key)) return act(verbs.assignTo)
    if (m[Command.SetStatus](key)) return act(verbs.setStatus)
    if (m[Command.ToggleEscalated](key)) return act(verbs.toggleEscalated)
    if (m[Command.Comment](key)) return act(verbs.comment)
    if (!options.alertVerbs) return false
    if (m[Command.AddTag](key)) return act(verbs.addTag)
    if (m[Command.RemoveTag](key)) return act(verbs.removeTag)
    if (m[Command.NewCase](key)) return act(verbs.newCase)
    if (m[Command.LinkCase](key)) return act(verbs.linkCase)
    return false
  }, { isActive: options.isActive && !readonly, priority: Priority.View })
}
