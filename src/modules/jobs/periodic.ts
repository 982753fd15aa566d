/** Runs `fn` now and then every `ms` (not keeping the process alive): the reconcilers' ticker. */
export function every(ms: number, fn: () => unknown): { stop(): void } {
  void fn();
  const handle = setInterval(() => void fn(), ms);
  handle.unref();
  return { stop: () => clearInterval(handle) };
}
