import { useEffect } from "react"
import { useAppActions } from "../contexts/AppContext.js"

/** Makes `refresh` what `r` runs while this view is shown. */
export const useViewRefresh = (refresh: () => void) => {
  const actions = useAppActions()
  useEffect(() => {
    actions.setRefresh(refresh)
    return () => actions.setRefresh(undefined)
  }, [actions, refresh])
}
