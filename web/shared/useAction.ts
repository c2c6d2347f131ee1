// What a form that calls the API keeps: the API's refusal (its field
// errors land at their fields) and the last result, both cleared when the
// next attempt starts.
import { useState } from 'preact/hooks';
import { ApiError } from './api/client';

export function useAction<T>() {
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<T | null>(null);
  // Runs `action`; its result, or null when the API refused (kept in `error`).
  const run = async (action: () => Promise<T>): Promise<T | null> => {
    setError(null);
    setResult(null);
    try {
      const r = await action();
      setResult(r);
      return r;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      setError(e);
      return null;
    }
  };
  return { error, result, run };
}
