/**
 * `response_format: {type: "json_schema"}` on a llama.cpp model: the schema becomes a grammar
 * that constrains sampling, and the full schema is checked on the result.
 *
 * node-llama-cpp turns a JSON-schema subset into GBNF, and llama.cpp's grammar parser refuses
 * bounded repetitions of 2000 or more (`maxLength: 2000` on a string fails with "Failed to
 * parse grammar"; long bounds also make the grammar slow). Keywords outside the subset are not
 * refused but silently misread (`anyOf` came out as its last branch). So `grammarSchema` keeps
 * only what the grammar compiler takes, rewrites what it can (`anyOf` -> `oneOf`, `$ref`
 * into `#/definitions/` -> `#/$defs/`), drops the rest (length bounds above
 * GRAMMAR_MAX_REPEAT, `pattern`, numeric bounds, `format`s it lacks), and `checkJson`
 * validates the generated text against the original schema with ajv, so whatever the grammar
 * could not enforce is enforced after generation.
 */
import { Ajv } from 'ajv';

/** Largest length/item bound kept in the grammar (llama.cpp refuses >= 2000; 1000 costs ~30 ms). */
export const GRAMMAR_MAX_REPEAT = 256;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);
const FORMATS = new Set(['date-time', 'time', 'date']);

function isObj(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bound(v: Json | undefined): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= GRAMMAR_MAX_REPEAT
    ? v
    : undefined;
}

/** The schema the grammar compiler is given (see the module comment). */
export function grammarSchema(schema: unknown): Schema {
  if (!isObj(schema)) return anyJson();
  const out: Schema = {};
  if (typeof schema.description === 'string') out.description = schema.description;
  if ('const' in schema) return { ...out, const: schema.const as Json };
  if (Array.isArray(schema.enum)) return { ...out, enum: schema.enum };
  if (typeof schema.$ref === 'string') {
    return { ...out, $ref: schema.$ref.replace('#/definitions/', '#/$defs/') };
  }
  const branches =
    (Array.isArray(schema.oneOf) && schema.oneOf) || (Array.isArray(schema.anyOf) && schema.anyOf);
  if (branches) return { ...out, oneOf: branches.map(grammarSchema), ...defs(schema) };

  let type = schema.type;
  if (type === undefined) {
    if (isObj(schema.properties)) type = 'object';
    else if (schema.items !== undefined) type = 'array';
    else return { ...anyJson(), ...defs(schema) };
  }
  const types = (Array.isArray(type) ? type : [type]).filter(
    (t): t is string => typeof t === 'string' && TYPES.has(t),
  );
  if (types.length === 0) return anyJson();
  if (types.length > 1) {
    // A type list with object/array parts cannot carry their keywords: one branch per type.
    if (types.some((t) => t === 'object' || t === 'array')) {
      return { ...out, oneOf: types.map((t) => grammarSchema({ ...schema, type: t })) };
    }
    return { ...out, type: types };
  }
  const t = types[0]!;
  out.type = t;
  if (t === 'string') {
    if (typeof schema.format === 'string' && FORMATS.has(schema.format)) out.format = schema.format;
    else {
      const min = bound(schema.minLength);
      const max = bound(schema.maxLength);
      if (min !== undefined) out.minLength = min;
      if (max !== undefined) out.maxLength = max;
    }
  } else if (t === 'object') {
    if (isObj(schema.properties)) {
      const props: Schema = {};
      for (const [k, v] of Object.entries(schema.properties)) props[k] = grammarSchema(v);
      out.properties = props;
    }
    if (Array.isArray(schema.required)) out.required = schema.required;
    if (typeof schema.additionalProperties === 'boolean') {
      out.additionalProperties = schema.additionalProperties;
    } else if (isObj(schema.additionalProperties)) {
      out.additionalProperties = grammarSchema(schema.additionalProperties);
    }
    Object.assign(out, defs(schema));
  } else if (t === 'array') {
    if (schema.items !== undefined && !Array.isArray(schema.items)) {
      out.items = grammarSchema(schema.items);
    }
    if (Array.isArray(schema.prefixItems)) out.prefixItems = schema.prefixItems.map(grammarSchema);
    const min = bound(schema.minItems);
    const max = bound(schema.maxItems);
    if (min !== undefined) out.minItems = min;
    if (max !== undefined) out.maxItems = max;
  }
  return out;
}

function defs(schema: Schema): Schema {
  const src = isObj(schema.$defs)
    ? schema.$defs
    : isObj(schema.definitions)
      ? schema.definitions
      : undefined;
  if (!src) return {};
  const d: Schema = {};
  for (const [k, v] of Object.entries(src)) d[k] = grammarSchema(v);
  return { $defs: d };
}

/** Any JSON value the grammar can express without a schema. */
function anyJson(): Schema {
  return {
    oneOf: [
      { type: ['string', 'number', 'boolean', 'null'] },
      { type: 'object', additionalProperties: true },
      { type: 'array', items: { type: ['string', 'number', 'boolean', 'null'] } },
    ],
  };
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

export type SchemaCheck = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Compile a request's schema once (throws a readable error for a schema ajv cannot compile),
 * returning a checker for generated text.
 */
export function compileChecker(schema: unknown): (text: string) => SchemaCheck {
  const validate = ajv.compile(isObj(schema) ? schema : {});
  return (text) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return { ok: false, error: `not JSON: ${(e as Error).message}` };
    }
    if (validate(value)) return { ok: true, value };
    return { ok: false, error: ajv.errorsText(validate.errors) };
  };
}
