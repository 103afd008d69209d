/**
 * Liveness of a connection under a heartbeat: a ping each period, and a peer that shows no
 * sign of life (a pong, a frame, our data flushing to it) for a whole period is half-open,
 * with more grace while data it has not confirmed reading waits ahead of the ping.
 */

/** A peer reading slower than this while data waits for it is treated as gone. */
const MIN_READ_BYTES_PER_MS = 64;

/**
 * Whether a peer is still there (both bindings: a WebSocket peer, or the HTTP/2 connection
 * under gRPC calls). A pong answers the ping sent a period ago, but a ping
 * queued behind megabytes the peer has not read yet comes back late however live the peer
 * is: so besides pongs and frames from the peer, every fragment of ours that flushes counts
 * as life, and a ping behind `n` bytes the peer has not confirmed reading gets `n / 64` ms more
 * (64 KiB/s) before the peer is dropped as half-open.
 */
export class Liveness {
  private sign = true;
  private silentMs = 0;
  /** Bytes written to the peer, and the part a pong confirmed it has read. */
  private written = 0;
  private confirmed = 0;
  /** `written` when each unanswered ping was sent, oldest first. */
  private readonly pings: number[] = [];

  heard(): void {
    this.sign = true;
  }

  /** A pong answers the oldest ping: the peer read everything written before it. */
  pong(): void {
    this.sign = true;
    this.confirmed = this.pings.shift() ?? this.confirmed;
  }

  flushed(): void {
    this.sign = true;
  }

  wrote(bytes: number): void {
    this.written += bytes;
  }

  pinged(): void {
    this.pings.push(this.written);
  }

  /** Called once per sweep (every `periodMs`); true when the peer should be dropped. */
  gone(periodMs: number): boolean {
    if (this.sign) {
      this.sign = false;
      this.silentMs = 0;
      return false;
    }
    this.silentMs += periodMs;
    return this.silentMs >= periodMs + (this.written - this.confirmed) / MIN_READ_BYTES_PER_MS;
  }
}
