/**
 * A minimal parquet writer, for tests only: no parquet writer is installed
 * (hyparquet reads, and `hyparquet-writer` is not a dependency), and the parquet path must be
 * tested on real parquet bytes. It writes one row group, one uncompressed PLAIN data page
 * (v1) per column, with Dremel repetition/definition levels, so nested columns work:
 * strings, int64, structs and 3-level LISTs, the shapes of Hugging Face dataset files.
 * Whatever it writes, hyparquet (an independent reader) must read back.
 */
import { gzipSync } from 'node:zlib';

/** A column of the schema. `list` holds a list of `of`; `struct` holds `fields`. */
export type ParquetField =
  | { name: string; kind: 'string' | 'int64'; optional?: boolean }
  | { name: string; kind: 'list'; of: ParquetField; optional?: boolean }
  | { name: string; kind: 'struct'; fields: ParquetField[]; optional?: boolean };

// Thrift enums from parquet.thrift.
const TYPE = { INT64: 2, BYTE_ARRAY: 6 } as const;
const REPETITION = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 } as const;
const CONVERTED = { UTF8: 0, LIST: 3 } as const;
const ENCODING = { PLAIN: 0, RLE: 3 } as const;

/** A node of the physical schema (LISTs expanded to list/element groups). */
interface Node {
  name: string;
  repetition: number;
  type?: number;
  converted?: number;
  children?: Node[];
  /** How a value for this node is taken from its parent's value. */
  isListGroup?: boolean;
}

function toNode(f: ParquetField): Node {
  const repetition = f.optional === false ? REPETITION.REQUIRED : REPETITION.OPTIONAL;
  switch (f.kind) {
    case 'string':
      return { name: f.name, repetition, type: TYPE.BYTE_ARRAY, converted: CONVERTED.UTF8 };
    case 'int64':
      return { name: f.name, repetition, type: TYPE.INT64 };
    case 'struct':
      return { name: f.name, repetition, children: f.fields.map(toNode) };
  }
  const element = toNode({ ...f.of, name: 'element' });
  return {
    name: f.name,
    repetition,
    converted: CONVERTED.LIST,
    children: [
      { name: 'list', repetition: REPETITION.REPEATED, children: [element], isListGroup: true },
    ],
  };
}

interface Leaf {
  path: string[];
  node: Node;
  maxDef: number;
  maxRep: number;
  values: unknown[];
  defs: number[];
  reps: number[];
}

function leaves(node: Node, path: string[], def: number, rep: number, out: Leaf[]): void {
  const d = def + (node.repetition === REPETITION.REQUIRED ? 0 : 1);
  const r = rep + (node.repetition === REPETITION.REPEATED ? 1 : 0);
  const p = [...path, node.name];
  if (!node.children)
    out.push({ path: p, node, maxDef: d, maxRep: r, values: [], defs: [], reps: [] });
  else for (const c of node.children) leaves(c, p, d, r, out);
}

/** An absent value at (r, d): one null level entry in every leaf under `node`. */
function emitNull(node: Node, r: number, d: number, out: Map<Node, Leaf>): void {
  if (!node.children) {
    const leaf = out.get(node)!;
    leaf.defs.push(d);
    leaf.reps.push(r);
    return;
  }
  for (const c of node.children) emitNull(c, r, d, out);
}

/**
 * Dremel shredding of one value of `node` into its leaves: `r` is the repetition level to
 * emit first, `d` the definition level reached so far, `rDepth` the repeated nodes above.
 */
function shred(
  node: Node,
  value: unknown,
  r: number,
  d: number,
  rDepth: number,
  out: Map<Node, Leaf>,
): void {
  if (node.repetition === REPETITION.REPEATED) {
    const items = (value as unknown[] | null | undefined) ?? [];
    if (items.length === 0) {
      emitNull(node, r, d, out);
      return;
    }
    items.forEach((item, i) => {
      shredPresent(node, item, i === 0 ? r : rDepth + 1, d + 1, rDepth + 1, out);
    });
    return;
  }
  if (value === null || value === undefined) {
    if (node.repetition === REPETITION.REQUIRED)
      throw new Error(`required ${node.name} is missing`);
    emitNull(node, r, d, out);
    return;
  }
  shredPresent(node, value, r, d + (node.repetition === REPETITION.OPTIONAL ? 1 : 0), rDepth, out);
}

function shredPresent(
  node: Node,
  value: unknown,
  r: number,
  d: number,
  rDepth: number,
  out: Map<Node, Leaf>,
): void {
  if (!node.children) {
    const leaf = out.get(node)!;
    leaf.values.push(value);
    leaf.defs.push(d);
    leaf.reps.push(r);
    return;
  }
  if (node.converted === CONVERTED.LIST) {
    // The LIST's value is the array; its repeated `list` group holds one element each.
    shred(node.children[0]!, value, r, d, rDepth, out);
    return;
  }
  for (const c of node.children) {
    const v = node.isListGroup ? value : (value as Record<string, unknown>)[c.name];
    shred(c, v, r, d, rDepth, out);
  }
}

class Bytes {
  private parts: number[] = [];
  byte(b: number): this {
    this.parts.push(b & 0xff);
    return this;
  }
  raw(bytes: Uint8Array | number[]): this {
    for (const b of bytes) this.parts.push(b);
    return this;
  }
  varint(n: bigint | number): this {
    let v = BigInt(n);
    while (v >= 0x80n) {
      this.byte(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    return this.byte(Number(v));
  }
  u32le(n: number): this {
    return this.byte(n)
      .byte(n >> 8)
      .byte(n >> 16)
      .byte(n >> 24);
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Thrift compact protocol, the few shapes parquet metadata needs. */
type Thrift =
  | { t: 'i32' | 'i64'; v: number | bigint }
  | { t: 'bin'; v: string | Uint8Array }
  | { t: 'list'; elem: 'i32' | 'bin' | 'struct'; v: Thrift[] }
  | { t: 'struct'; v: Array<[number, Thrift]> };

const CT = { i32: 5, i64: 6, bin: 8, list: 9, struct: 12 } as const;
const zigzag = (n: number | bigint) => {
  const v = BigInt(n);
  return v >= 0n ? v << 1n : (-v << 1n) - 1n;
};

function writeThrift(b: Bytes, x: Thrift): void {
  switch (x.t) {
    case 'i32':
    case 'i64':
      b.varint(zigzag(x.v));
      return;
    case 'bin': {
      const bytes = typeof x.v === 'string' ? new TextEncoder().encode(x.v) : x.v;
      b.varint(bytes.length).raw(bytes);
      return;
    }
    case 'list':
      if (x.v.length < 15) b.byte((x.v.length << 4) | CT[x.elem]);
      else b.byte(0xf0 | CT[x.elem]).varint(x.v.length);
      for (const e of x.v) writeThrift(b, e);
      return;
    case 'struct': {
      let last = 0;
      for (const [id, value] of x.v) {
        const delta = id - last;
        if (delta > 0 && delta <= 15) b.byte((delta << 4) | CT[value.t]);
        else b.byte(CT[value.t]).varint(zigzag(id));
        writeThrift(b, value);
        last = id;
      }
      b.byte(0);
    }
  }
}

const i32 = (v: number): Thrift => ({ t: 'i32', v });
const i64 = (v: number): Thrift => ({ t: 'i64', v });
const bin = (v: string | Uint8Array): Thrift => ({ t: 'bin', v });
const struct = (...fields: Array<[number, Thrift | undefined]>): Thrift => ({
  t: 'struct',
  v: fields.filter((f): f is [number, Thrift] => f[1] !== undefined),
});

/** Levels as the RLE/bit-packed hybrid, RLE runs only, with the 4-byte length prefix. */
function levels(values: number[], max: number): Uint8Array {
  const width = Math.ceil(Math.log2(max + 1));
  const body = new Bytes();
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j < values.length && values[j] === values[i]) j++;
    body.varint((j - i) << 1);
    for (let k = 0; k < Math.ceil(width / 8); k++) body.byte(values[i]! >> (8 * k));
    i = j;
  }
  return new Bytes().u32le(body.length).raw(body.done()).done();
}

function plainValues(leaf: Leaf): Uint8Array {
  const b = new Bytes();
  for (const v of leaf.values) {
    if (leaf.node.type === TYPE.INT64) {
      const n = BigInt(v as number);
      for (let k = 0n; k < 8n; k++) b.byte(Number((n >> (8n * k)) & 0xffn));
    } else {
      const bytes = new TextEncoder().encode(String(v));
      b.u32le(bytes.length).raw(bytes);
    }
  }
  return b.done();
}

function schemaElements(node: Node, out: Thrift[]): void {
  out.push(
    struct(
      [1, node.type === undefined ? undefined : i32(node.type)],
      [3, i32(node.repetition)],
      [4, bin(node.name)],
      [5, node.children ? i32(node.children.length) : undefined],
      [6, node.converted === undefined ? undefined : i32(node.converted)],
    ),
  );
  for (const c of node.children ?? []) schemaElements(c, out);
}

/** Page compression: none, or gzip (codec 2 in parquet.thrift), to test codec support. */
export type TinyCodec = 'UNCOMPRESSED' | 'GZIP';
const CODEC: Record<TinyCodec, number> = { UNCOMPRESSED: 0, GZIP: 2 };

/** Parquet bytes for `rows` (plain objects keyed by the fields' names). */
export function writeTinyParquet(
  fields: ParquetField[],
  rows: Array<Record<string, unknown>>,
  opts: { codec?: TinyCodec } = {},
): Uint8Array {
  const codec = opts.codec ?? 'UNCOMPRESSED';
  const nodes = fields.map(toNode);
  const allLeaves: Leaf[] = [];
  for (const n of nodes) leaves(n, [], 0, 0, allLeaves);
  const byNode = new Map(allLeaves.map((l) => [l.node, l]));
  for (const row of rows) for (const n of nodes) shred(n, row[n.name], 0, 0, 0, byNode);

  const file = new Bytes().raw(new TextEncoder().encode('PAR1'));
  const chunks: Thrift[] = [];
  for (const leaf of allLeaves) {
    const page = new Bytes();
    if (leaf.maxRep > 0) page.raw(levels(leaf.reps, leaf.maxRep));
    if (leaf.maxDef > 0) page.raw(levels(leaf.defs, leaf.maxDef));
    page.raw(plainValues(leaf));
    const rawPage = page.done();
    const pageBytes = codec === 'GZIP' ? new Uint8Array(gzipSync(rawPage)) : rawPage;
    const header = new Bytes();
    writeThrift(
      header,
      struct(
        [1, i32(0)],
        [2, i32(rawPage.length)],
        [3, i32(pageBytes.length)],
        [
          5,
          struct(
            [1, i32(leaf.defs.length)],
            [2, i32(ENCODING.PLAIN)],
            [3, i32(ENCODING.RLE)],
            [4, i32(ENCODING.RLE)],
          ),
        ],
      ),
    );
    const offset = file.length;
    file.raw(header.done()).raw(pageBytes);
    const size = header.length + pageBytes.length;
    chunks.push(
      struct(
        [2, i64(offset)],
        [
          3,
          struct(
            [1, i32(leaf.node.type!)],
            [2, { t: 'list', elem: 'i32', v: [i32(ENCODING.PLAIN), i32(ENCODING.RLE)] }],
            [3, { t: 'list', elem: 'bin', v: leaf.path.map(bin) }],
            [4, i32(CODEC[codec])],
            [5, i64(leaf.defs.length)],
            [6, i64(size - pageBytes.length + rawPage.length)],
            [7, i64(size)],
            [9, i64(offset)],
          ),
        ],
      ),
    );
  }
  const schema: Thrift[] = [struct([4, bin('schema')], [5, i32(nodes.length)])];
  for (const n of nodes) schemaElements(n, schema);
  const meta = new Bytes();
  writeThrift(
    meta,
    struct(
      [1, i32(1)],
      [2, { t: 'list', elem: 'struct', v: schema }],
      [3, i64(rows.length)],
      [
        4,
        {
          t: 'list',
          elem: 'struct',
          v: [
            struct(
              [1, { t: 'list', elem: 'struct', v: chunks }],
              [2, i64(file.length)],
              [3, i64(rows.length)],
            ),
          ],
        },
      ],
      [6, bin('factrecall tinyParquetWriter')],
    ),
  );
  return file.raw(meta.done()).u32le(meta.length).raw(new TextEncoder().encode('PAR1')).done();
}
