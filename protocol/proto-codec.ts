/**
 * The gRPC binding's codec: loads factrecall.proto and converts between protobuf objects
 * (as @grpc/proto-loader hands them over) and the schema's plain objects. The two differ only
 * where protobuf cannot say the same thing: null (absent optional), free-form objects (JSON
 * strings), gold lists (a wrapper message) and the envelope's oneof body.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { FactRecallError } from '../lib/errors.ts';
import { checkEnvelope } from './codec.ts';
import { protoError } from './errors.ts';
import type { Envelope, ErrorBody, Verb } from './schema.ts';
import { isVerb } from './schema.ts';

export const PROTO_PATH = fileURLToPath(new URL('./factrecall.proto', import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

let cached: grpc.GrpcObject | undefined;
/** The loaded package (`factrecall.v1`), loaded once. */
export function loadPackage(): grpc.GrpcObject {
  cached ??= grpc.loadPackageDefinition(protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS));
  return cached;
}

export function serviceDefinition(): grpc.ServiceDefinition {
  const v1 = (loadPackage().factrecall as grpc.GrpcObject).v1 as grpc.GrpcObject;
  return (v1.FactRecall as grpc.ServiceClientConstructor).service;
}

const UNDECODABLE = Symbol('undecodable');
/** A request whose bytes were not valid protobuf, as the tolerant deserializer hands it over. */
export interface Undecodable {
  [UNDECODABLE]: true;
  error: FactRecallError;
}

export function isUndecodable(msg: unknown): msg is Undecodable {
  return !!msg && typeof msg === 'object' && UNDECODABLE in msg;
}

/**
 * The service for the server: request bytes that are not valid protobuf come through as an
 * {@link Undecodable} (answered FR_ERR_PROTO_BAD_FRAME, the Session stream carries on) instead
 * of grpc-js ending the call with INTERNAL and no error code.
 */
export function serverServiceDefinition(): grpc.ServiceDefinition {
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(serviceDefinition())) {
    out[name] = {
      ...m,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return m.requestDeserialize(bytes);
        } catch (e) {
          return {
            [UNDECODABLE]: true,
            error: protoError('FR_ERR_PROTO_BAD_FRAME', `protobuf: ${(e as Error).message}`),
          } satisfies Undecodable;
        }
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

/** Unary method names by verb. */
export const UNARY_METHODS: Record<Verb, string> = {
  hello: 'Hello',
  list_envs: 'ListEnvs',
  make: 'Make',
  reset: 'Reset',
  step: 'Step',
  close: 'Close',
  stats: 'Stats',
};

const camel = (verb: string) => verb.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const requestField = (verb: Verb) => `${camel(verb)}Request`;
const responseField = (verb: Verb) => `${camel(verb)}Response`;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Drop protobuf artefacts: synthetic oneof markers (`_x`) and null (absent) message fields. */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('_') || v === null || v === undefined) continue;
    out[k] = clean(v);
  }
  return out;
}

function parseJsonObject(text: unknown, field: string): Obj | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const v = JSON.parse(String(text)) as unknown;
    if (isObj(v)) return v;
  } catch {}
  throw protoError('FR_ERR_PROTO_BAD_REQUEST', `${field} must be a JSON object`);
}

// ---- requests ----------------------------------------------------------------------------

/** Schema request body -> protobuf request message. */
export function requestToProto(verb: Verb, body: unknown): Obj {
  const b = isObj(body) ? { ...body } : {};
  if (verb === 'make' && b.options !== undefined) {
    b.optionsJson = JSON.stringify(b.options);
    delete b.options;
  }
  return b;
}

/** Protobuf request message -> schema request body (validated afterwards by the session). */
export function requestFromProto(verb: Verb, msg: unknown): unknown {
  const b = clean(msg) as Obj;
  if (verb === 'make') {
    const options = parseJsonObject(b.optionsJson, 'options_json');
    delete b.optionsJson;
    if (options) b.options = options;
  }
  // A repeated field cannot be absent in protobuf: empty means "not given".
  if (verb === 'reset' && Array.isArray(b.questionIds) && b.questionIds.length === 0) {
    delete b.questionIds;
  }
  return b;
}

// ---- responses ---------------------------------------------------------------------------

/** Schema response body -> protobuf response message. */
export function responseToProto(verb: Verb, body: unknown): Obj {
  const b = body as Obj;
  if (verb === 'reset') {
    const obs = (b.observations as Obj[]).map((o) =>
      o.gold ? { ...o, gold: { answers: o.gold } } : o,
    );
    return { ...b, observations: obs };
  }
  return b;
}

/** Protobuf response message -> schema response body: absent optionals become null again. */
export function responseFromProto(verb: Verb, msg: unknown): unknown {
  const b = clean(msg) as Obj;
  switch (verb) {
    case 'reset':
      for (const o of b.observations as Obj[]) {
        if (isObj(o.gold)) o.gold = (o.gold.answers as string[] | undefined) ?? [];
      }
      break;
    case 'step':
      for (const r of b.results as Obj[]) {
        r.reward ??= null;
        r.verdict ??= null;
      }
      for (const g of b.groups as Obj[]) g.meanReward ??= null;
      break;
    case 'close':
      fillMean(b.counts);
      if (Array.isArray(b.runs) && b.runs.length === 0) delete b.runs;
      for (const r of (b.runs ?? []) as Obj[]) r.score ??= null;
      break;
    case 'stats':
      fillMean(b.totals);
      for (const c of Object.values((b.bySplit ?? {}) as Obj)) fillMean(c);
      break;
  }
  return b;
}

function fillMean(counts: unknown): void {
  if (isObj(counts)) counts.meanReward ??= null;
}

export function errorToProto(e: ErrorBody): Obj {
  const { details, ...rest } = e;
  return details === undefined ? rest : { ...rest, detailsJson: JSON.stringify(details) };
}

export function errorFromProto(msg: unknown): ErrorBody {
  const b = clean(msg) as Obj;
  const { detailsJson, ...rest } = b;
  const details = typeof detailsJson === 'string' ? (JSON.parse(detailsJson) as Obj) : undefined;
  return { ...(rest as unknown as ErrorBody), ...(details ? { details } : {}) };
}

// ---- envelopes ---------------------------------------------------------------------------

/** A request envelope for the Session stream. */
export function requestEnvelopeToProto(env: Envelope): Obj {
  if (!isVerb(env.type)) return { id: env.id, type: env.type };
  return {
    id: env.id,
    type: env.type,
    [requestField(env.type)]: requestToProto(env.type, env.body),
  };
}

/**
 * A request envelope read from the Session stream; a body that does not match `type` is
 * FR_ERR_PROTO_BAD_REQUEST, an unknown type is left to the session (FR_ERR_PROTO_UNKNOWN_VERB).
 */
export function requestEnvelopeFromProto(
  msg: Obj,
): { ok: true; envelope: Envelope } | { ok: false; id: string | null; error: FactRecallError } {
  const id = typeof msg.id === 'string' && msg.id.length > 0 && msg.id.length <= 64 ? msg.id : null;
  const type = typeof msg.type === 'string' ? msg.type : '';
  // The same envelope rules as WebSocket: an id of 1..64 characters (the empty id is the
  // server's), a type of 1..32.
  const envelope = checkEnvelope({ id: msg.id, type, body: {} });
  if (!envelope.ok) return envelope;
  if (!isVerb(type)) return { ok: true, envelope: envelope.envelope };
  const set = msg.body;
  if (set !== requestField(type)) {
    return {
      ok: false,
      id,
      error: protoError(
        'FR_ERR_PROTO_BAD_REQUEST',
        `envelope of type ${type} must carry ${requestField(type)}, not ${String(set ?? 'nothing')}`,
      ),
    };
  }
  try {
    return { ok: true, envelope: { ...envelope.envelope, body: requestFromProto(type, msg[set]) } };
  } catch (e) {
    return { ok: false, id, error: e as FactRecallError };
  }
}

export function responseEnvelopeToProto(id: string, type: string, body: unknown): Obj {
  if (type === 'error') return { id, type, error: errorToProto(body as ErrorBody) };
  return { id, type, [responseField(type as Verb)]: responseToProto(type as Verb, body) };
}

export function responseEnvelopeFromProto(msg: Obj): { id: string; type: string; body: unknown } {
  const id = String(msg.id ?? '');
  const type = String(msg.type ?? '');
  if (type === 'error') return { id, type, body: errorFromProto(msg.error) };
  if (!isVerb(type)) throw protoError('FR_ERR_PROTO_BAD_FRAME', `unknown response type ${type}`);
  return { id, type, body: responseFromProto(type, msg[responseField(type)]) };
}
