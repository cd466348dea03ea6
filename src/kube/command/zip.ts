// The files `az aks command invoke --file` attaches: a zip archive (base64 in the request's `context`). Read
// from its central directory; entries stored or deflated, as Python's zipfile writes them. Anything else (a
// damaged archive, an encrypted or zip64 entry, more than the limit unpacked) is refused with a message.

import { inflateRawSync } from 'node:zlib';

export class ZipError extends Error {}

/** Path (as stored, '/' separated, no leading './') -> content. */
export type Files = Map<string, Buffer>;

export function readZip(buf: Buffer, maxBytes = 16 * 1024 * 1024): Files {
  const out: Files = new Map();
  if (buf.length === 0) return out;
  // End of central directory: the last 22 bytes plus a comment of up to 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('the attached context is not a zip archive');
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipError('the attached zip archive is damaged (central directory)');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (flags & 1) throw new ZipError(`the attached file ${name} is encrypted`);
    if (csize === 0xffffffff || size === 0xffffffff) throw new ZipError(`the attached file ${name} is too large`);
    total += size;
    if (total > maxBytes) throw new ZipError(`the attached files are larger than ${maxBytes} bytes unpacked`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new ZipError(`the attached zip archive is damaged (${name})`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    if (data.length !== csize) throw new ZipError(`the attached zip archive is truncated (${name})`);
    let content: Buffer;
    if (method === 0) content = Buffer.from(data);
    else if (method === 8) {
      try {
        content = inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
      } catch {
        throw new ZipError(`the attached file ${name} could not be unpacked`);
      }
    } else throw new ZipError(`the attached file ${name} uses a compression method (${method}) the command pod cannot unpack`);
    out.set(normalize(name), content);
  }
  return out;
}

/** 'a/./b', './b', 'b' -> 'a/b', 'b' (the command runs in the folder the files were unpacked into). */
export function normalize(path: string): string {
  const parts: string[] = [];
  for (const s of path.replace(/\\/g, '/').split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return parts.join('/');
}
