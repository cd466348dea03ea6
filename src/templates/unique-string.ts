// uniqueString(): Microsoft's MurmurHash64 variant (two 32-bit lanes) over the arguments joined with
// '-', encoded as 13 base-32 characters. Algorithm and vectors: shared/reference/template-engine.md.

const C1 = 0xab0e9789;
const C2 = 0x239b961b;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const fmix = (h: number) => {
  h = mul(h ^ (h >>> 16), 0x85ebca6b);
  h = mul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

export function murmurHash64(data: Uint8Array): bigint {
  let h1 = 0;
  let h2 = 0;
  const len = data.length;
  const blocks = len - (len % 8);
  const u32 = (i: number) => (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0;
  for (let i = 0; i < blocks; i += 8) {
    let k1 = u32(i);
    let k2 = u32(i + 4);
    k1 = mul(rotl(mul(k1, C2), 15), C1);
    h1 = (mul((rotl((h1 ^ k1) >>> 0, 19) + h2) >>> 0, 5) + 0x561ccd1b) >>> 0;
    k2 = mul(rotl(mul(k2, C1), 17), C2);
    h2 = (mul((rotl((h2 ^ k2) >>> 0, 13) + h1) >>> 0, 5) + 0x0bcaa747) >>> 0;
  }
  const rest = len - blocks;
  if (rest > 0) {
    let k1 = 0;
    for (let j = Math.min(rest, 4) - 1; j >= 0; j--) k1 = ((k1 << 8) | data[blocks + j]) >>> 0;
    k1 = mul(rotl(mul(k1, C2), 15), C1);
    h1 = (h1 ^ k1) >>> 0;
    if (rest > 4) {
      let k2 = 0;
      for (let j = rest - 1; j >= 4; j--) k2 = ((k2 << 8) | data[blocks + j]) >>> 0;
      k2 = mul(rotl(mul(k2, C1), 17), C2);
      h2 = (h2 ^ k2) >>> 0;
    }
  }
  h1 = (h1 ^ len) >>> 0;
  h2 = (h2 ^ len) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return (BigInt(h2) << 32n) | BigInt(h1);
}

export function uniqueString(...args: string[]): string {
  let v = murmurHash64(new TextEncoder().encode(args.join('-')));
  let out = '';
  for (let i = 0; i < 13; i++) {
    out += ALPHABET[Number((v >> 59n) & 31n)];
    v = (v << 5n) & 0xffffffffffffffffn;
  }
  return out;
}
