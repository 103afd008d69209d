/**
 * WebSocket framing: one msgpack map per binary frame. Decoding checks the frame size, the
 * msgpack itself and the envelope shape, and reports each failure with its own code; bodies
 * are checked later, per verb, by the session.
 */
import { Packr } from 'msgpackr';
import type { FactRecallError } from '../lib/errors.ts';
import { protoError } from './errors.ts';
import { Envelope } from './schema.ts';

// useRecords: false keeps plain msgpack maps, readable by any msgpack library (Python's msgpack).
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

export function encodeFrame(value: unknown): Buffer {
  return packr.pack(value);
}

export type DecodedFrame =
  | { ok: true; envelope: Envelope }
  /** `id` is the request id when the frame was readable enough to have one. */
  | { ok: false; id: string | null; error: FactRecallError };

export function decodeFrame(data: Uint8Array, maxFrameBytes: number): DecodedFrame {
  if (data.byteLength > maxFrameBytes) {
    return {
      ok: false,
      id: null,
      error: protoError(
        'FR_ERR_PROTO_FRAME_TOO_LARGE',
        `${data.byteLength} > ${maxFrameBytes} bytes`,
      ),
    };
  }
  let value: unknown;
  try {
    value = packr.unpack(data);
  } catch (e) {
    return {
      ok: false,
      id: null,
      error: protoError('FR_ERR_PROTO_BAD_FRAME', `msgpack: ${(e as Error).message}`),
    };
  }
  return checkEnvelope(value);
}

/** Check an already-decoded value is an envelope (also used by the gRPC binding). */
export function checkEnvelope(value: unknown): DecodedFrame {
  const parsed = Envelope.safeParse(value);
  if (parsed.success) return { ok: true, envelope: parsed.data };
  const rawId =
    value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>).id
      : undefined;
  const id = typeof rawId === 'string' && rawId.length > 0 && rawId.length <= 64 ? rawId : null;
  const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
  return {
    ok: false,
    id,
    error: protoError(
      isMap ? 'FR_ERR_PROTO_BAD_REQUEST' : 'FR_ERR_PROTO_BAD_FRAME',
      isMap
        ? `envelope: ${formatIssues(parsed.error.issues)}`
        : 'a frame must hold one map {id, type, body}',
    ),
  };
}

export function formatIssues(
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
