// Seeded pseudo-random numbers for the mock providers.
//
// Everything random in the mock (the data set, per-session details, fault rolls) comes from
// `Rng` streams derived from the `--seed` option and a label, so one stream never shifts another:
// adding a fault roll does not change the data set, and generating more Didit sessions does not
// change the Mangopay ones.

/** 32-bit FNV-1a hash of a string; used to derive stream seeds from (seed, label). */
export function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const BYTE_HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** Eight hex digits of an unsigned 32-bit value (a table: Number#toString(16) is slow here). */
function hex8(v) {
  return BYTE_HEX[(v >>> 24) & 255] + BYTE_HEX[(v >>> 16) & 255] + BYTE_HEX[(v >>> 8) & 255] + BYTE_HEX[v & 255];
}

/** A small seeded generator (the mulberry32 construction: a Weyl sequence through a mixer). */
export class Rng {
  constructor(seed) {
    this.state = seed | 0; // kept as int32 so V8 stores it unboxed
  }

  /** A stream for `label`, independent of every other label under the same seed. */
  static stream(seed, label) {
    return new Rng(hash32(`${seed}:${label}`));
  }

  /** Next unsigned 32-bit integer. */
  u32() {
    const s = (this.state = (this.state + 0x6d2b79f5) | 0);
    let z = Math.imul(s ^ (s >>> 15), s | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  /** Float in [0, 1). */
  next() {
    return this.u32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi] (inclusive). */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }

  chance(p) {
    return this.next() < p;
  }

  pick(items) {
    return items[this.int(items.length)];
  }

  /** `entries` is `[[value, weight], ...]`. */
  weighted(entries) {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  hex(length) {
    let out = '';
    while (out.length < length) out += hex8(this.u32());
    return out.length === length ? out : out.slice(0, length);
  }

  digits(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += String(this.int(10));
    return out;
  }

  /** RFC 4122 version-4 shaped UUID. */
  uuid() {
    const a = hex8(this.u32());
    const b = hex8(((this.u32() & 0xffff0fff) | 0x00004000) >>> 0);
    const c = hex8(((this.u32() & 0x3fffffff) | 0x80000000) >>> 0);
    const d = hex8(this.u32());
    return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
  }

  /** ULID-shaped id: 10 Crockford chars of the millisecond time, then 16 random ones. */
  ulid(ms) {
    let time = '';
    let t = Math.floor(ms);
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    let rand = '';
    for (let i = 0; i < 16; i++) rand += CROCKFORD[this.int(32)];
    return time + rand;
  }
}
