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
      // The id, when the frame starts like an envelope, so the client can match the refusal.
      id: peekId(data),
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

/**
 * The `id` of a msgpack map frame without decoding the rest: reads the map header and the
 * keys before `id` only while they are short strings with short scalar values (our clients
 * write `id` first). null when the frame is not like that.
 */
export function peekId(data: Uint8Array): string | null {
  let at = 0;
  const str = (): string | null => {
    const b = data[at];
    if (b === undefined) return null;
    let len: number;
    if (b >= 0xa0 && b <= 0xbf) {
      len = b & 0x1f;
      at += 1;
    } else if (b === 0xd9 && at + 1 < data.length) {
      len = data[at + 1]!;
      at += 2;
    } else return null;
    if (at + len > data.length) return null;
    const text = Buffer.from(data.buffer, data.byteOffset + at, len).toString('utf8');
    at += len;
    return text;
  };
  const head = data[0];
  let entries: number;
  if (head !== undefined && head >= 0x80 && head <= 0x8f) {
    entries = head & 0x0f;
    at = 1;
  } else if (head === 0xde && data.length >= 3) {
    entries = (data[1]! << 8) | data[2]!;
    at = 3;
  } else if (head === 0xdf && data.length >= 5) {
    entries = Buffer.from(data.buffer, data.byteOffset, 5).readUInt32BE(1);
    at = 5;
  } else return null;
  for (let i = 0; i < entries && i < 3; i++) {
    const key = str();
    if (key === null) return null;
    if (key === 'id') {
      const id = str();
      return id !== null && id.length > 0 && id.length <= 64 ? id : null;
    }
    // Skip a short string value (type); anything else ends the search.
    if (str() === null) return null;
  }
  return null;
}
