/**
 * Yield to the event loop so that big work shares it fairly. A bare `setImmediate` yield lets
 * every suspended task run its next chunk in the same check phase, so with n big requests in
 * flight a small request (read in the poll phase) waits for n chunks, not one. Here the
 * suspended tasks wait in one queue and each turn of the event loop resumes only the oldest:
 * between any two chunks the loop polls I/O once, so other clients wait at most one chunk
 * (plus whatever runs outside chunks, such as encoding a response).
 */
const waiting: Array<() => void> = [];
let scheduled = false;

function resumeOldest(): void {
  scheduled = false;
  // The task's continuation runs in this callback's microtask drain, before the loop moves on.
  waiting.shift()?.();
  if (waiting.length > 0) schedule();
}

function schedule(): void {
  scheduled = true;
  // Immediates queued while the check phase runs wait for the next turn (after a poll).
  setImmediate(resumeOldest);
}

/** Resolves on a later turn of the event loop, after the tasks that yielded before it. */
export function fairYield(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) schedule();
  });
}

/** Tasks waiting to be resumed (for tests and metrics). */
export function fairYieldWaiting(): number {
  return waiting.length;
}
