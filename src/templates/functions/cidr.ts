// CIDR functions (IPv4): parseCidr, cidrSubnet, cidrHost.

import { ExprErrors } from '../errors.js';
import { expectInt, expectString, type Library } from './types.js';

function parse(s: string, fn: string): { ip: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(s);
  if (!m || m.slice(1, 5).some((x) => Number(x) > 255) || Number(m[5]) > 32) {
    throw ExprErrors.generic(`The template language function '${fn}' expects a valid IPv4 CIDR. The provided value '${s}' is not valid.`);
  }
  const ip = ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
  return { ip, bits: +m[5] };
}
const mask = (bits: number) => (bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
const str = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export const cidr: Library = {
  parsecidr: {
    min: 1,
    max: 1,
    fn: ([s], _c, fn) => {
      const { ip, bits } = parse(expectString(s, fn), fn);
      const net = (ip & mask(bits)) >>> 0;
      const bc = (net | ~mask(bits)) >>> 0;
      const small = bits >= 31;
      return { network: str(net), netmask: str(mask(bits)), broadcast: str(bc), firstUsable: str(small ? net : net + 1), lastUsable: str(small ? bc : bc - 1), cidr: bits };
    },
  },
  cidrsubnet: {
    min: 3,
    max: 3,
    fn: ([s, n, i], _c, fn) => {
      const { ip, bits } = parse(expectString(s, fn), fn);
      const nb = expectInt(n, fn);
      const idx = expectInt(i, fn);
      if (nb < bits || nb > 32 || idx < 0 || idx >= 2 ** (nb - bits)) {
        throw ExprErrors.generic(`The template language function '${fn}' cannot carve subnet ${idx} of size /${nb} from '${String(s)}'.`);
      }
      const net = (((ip & mask(bits)) >>> 0) + idx * 2 ** (32 - nb)) >>> 0;
      return `${str(net)}/${nb}`;
    },
  },
  cidrhost: {
    min: 2,
    max: 2,
    fn: ([s, i], _c, fn) => {
      const { ip, bits } = parse(expectString(s, fn), fn);
      const idx = expectInt(i, fn);
      const size = 2 ** (32 - bits);
      const usable = bits >= 31 ? size : size - 2;
      if (idx < 0 || idx >= usable) throw ExprErrors.generic(`The template language function '${fn}' host index ${idx} is outside '${String(s)}'.`);
      return str((((ip & mask(bits)) >>> 0) + (bits >= 31 ? 0 : 1) + idx) >>> 0);
    },
  },
};
