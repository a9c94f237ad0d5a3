/** Loads data for a screen: `{ data, error, loading, reload }`, re-run when `deps` change. */
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export interface Async<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => {
        if (call === latest.current) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (call === latest.current) setState({ data: undefined, error, loading: false });
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => {
    setTick((n) => n + 1);
  }, []);
  return { ...state, reload };
}
