/**
 * A small ZIP writer for the Teams app package: deflated entries, local headers, a central
 * directory and the end record, as PKWARE's APPNOTE describes. Written here rather than taken
 * as a dependency because a package of three small files needs nothing more (no ZIP64, no
 * encryption, no streaming).
 */
import { deflateRawSync } from 'node:zlib';

/** One file to put in a ZIP archive; `name` is its path inside the archive, `/`-separated. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 (IEEE 802.3, the polynomial ZIP and PNG both use) of some bytes.
 *
 * @example crc32(Buffer.from('123456789')) // 0xcbf43926
 * @param bytes the bytes to check
 */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION_NEEDED = 20; // 2.0: deflate
const UTF8_NAMES = 0x0800; // general-purpose flag bit 11: names are UTF-8
const DEFLATE = 8;

/**
 * Writes a ZIP archive of the given files, each deflated.
 *
 * @example zipFiles([{ name: 'manifest.json', data: Buffer.from('{}') }])
 * @param files the files, in the order they are stored; names must be unique relative paths
 * @param modified the timestamp recorded for every entry (local time, 2-second resolution);
 *   defaults to now — pass a fixed date for byte-identical archives
 */
export function zipFiles(files: ZipEntry[], modified: Date = new Date()): Buffer {
  if (files.length > 0xffff) throw new Error(`a ZIP without ZIP64 holds at most 65,535 files, not ${files.length}`);
  const seen = new Set<string>();
  for (const { name } of files) {
    if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').includes('..')) {
      throw new Error(`ZIP entry name ${JSON.stringify(name)} is not accepted; use a relative path with / separators`);
    }
    if (seen.has(name)) throw new Error(`ZIP entry ${JSON.stringify(name)} appears twice`);
    seen.add(name);
  }

  const { time, date } = dosDateTime(modified);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const compressed = deflateRawSync(file.data);
    const crc = crc32(file.data);
    if (file.data.length > 0xfffffffe || offset > 0xfffffffe) throw new Error(`ZIP entry ${file.name} is too large for a ZIP without ZIP64`);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28); // no extra field
    locals.push(local, name, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(VERSION_NEEDED, 4); // made by: MS-DOS attributes, spec 2.0
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(DEFLATE, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal and external attributes: all 0
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + compressed.length;
  }

  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  // this disk and the disk where the central directory starts: both 0
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  // comment length 0
  return Buffer.concat([...locals, centralDirectory, end]);
}

/** MS-DOS date and time fields (years 1980–2107); a date outside them is written as 1980-01-01 00:00. */
function dosDateTime(when: Date): { time: number; date: number } {
  const year = when.getFullYear();
  if (year < 1980 || year > 2107) return { time: 0, date: (1 << 5) | 1 };
  return {
    time: (when.getHours() << 11) | (when.getMinutes() << 5) | Math.floor(when.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate(),
  };
}
