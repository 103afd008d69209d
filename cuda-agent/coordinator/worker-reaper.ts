/**
 * Ending the coordinator ends its workers. A worker notices its closed stdin only between
 * calls, so without this a coordinator stopped by SIGTERM or SIGHUP left its Python worker
 * (under torchrun: torchrun and every rank) running until the current call ended, which for a
 * long train step or pretraining is minutes.
 *
 * The first worker started installs, once per process, handlers that send SIGTERM to every
 * live worker (torchrun forwards it to its ranks, which it starts in sessions of their own),
 * then end this process as the signal's default action would, unless another part of the
 * program handles that signal itself (then ending is its choice). `process.exit` (a second
 * Ctrl-C) signals them the same way from the `exit` event.
 */

/** What the reaper needs of a worker: a prompt, non-blocking stop. */
export interface Terminable {
  terminate(): void;
}

const live = new Set<Terminable>();
let installed = false;
const FORWARDED = ['SIGTERM', 'SIGHUP'] as const;

function terminateAll(): void {
  for (const w of live) w.terminate();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', terminateAll);
  for (const sig of FORWARDED) {
    const onSignal = () => {
      terminateAll();
      if (process.listenerCount(sig) === 1) {
        // Only ours: with it removed, the signal's default action (the end of this process).
        process.off(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/** Keep `w` until the returned function is called (when it has exited). */
export function trackWorker(w: Terminable): () => void {
  install();
  live.add(w);
  return () => {
    live.delete(w);
  };
}
