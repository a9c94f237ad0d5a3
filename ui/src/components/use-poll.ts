/** Calls `tick` every `ms` while `active`, for live progress without reloading. */
import { useEffect, useRef } from 'react';

export function usePoll(active: boolean, ms: number, tick: () => void): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => {
      latest.current();
    }, ms);
    return () => {
      clearInterval(timer);
    };
  }, [active, ms]);
}
