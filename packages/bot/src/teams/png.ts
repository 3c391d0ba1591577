/**
 * A minimal PNG encoder for the Teams app icons: 8-bit RGBA, no interlacing, every row written
 * with filter 0 (none) — the icons are tiny, so better compression is not worth the code.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from './zip.js';

/** An image as rows of RGBA bytes, top row first: `pixels[(y * width + x) * 4 + channel]`. */
export interface RgbaImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const RGBA = 6; // IHDR colour type: truecolour with alpha

/**
 * Encodes an RGBA image as a PNG file.
 *
 * @example encodePng({ width: 1, height: 1, pixels: new Uint8Array([255, 255, 255, 0]) })
 * @param image the image; `pixels` must hold exactly width × height × 4 bytes
 */
export function encodePng(image: RgbaImage): Buffer {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`a PNG needs a whole-number width and height of at least 1, not ${width}×${height}`);
  }
  if (pixels.length !== width * height * 4) throw new Error(`a ${width}×${height} RGBA image has ${width * height * 4} bytes, not ${pixels.length}`);

  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bits per channel
  header.writeUInt8(RGBA, 9);
  // compression 0 (deflate), filter method 0, interlace 0 (none)

  const stride = width * 4;
  const rows = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    // Each row starts with its filter byte, left 0 (none).
    rows.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }

  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A PNG chunk: length, type, data, and the CRC of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}
