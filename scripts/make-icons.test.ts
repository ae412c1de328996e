// The committed icons are real PNGs of the sizes their names say, and the encoder round-trips.
import { readdirSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawIcon, encodePng } from './make-icons.mjs';

function readPng(buffer: Buffer) {
  expect(buffer.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: Record<string, Buffer[]> = {};
  for (let offset = 8; offset < buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    (chunks[type] ??= []).push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const ihdr = chunks.IHDR![0]!;
  return { width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4), colorType: ihdr[9], pixels: inflateSync(Buffer.concat(chunks.IDAT!)), chunks };
}

describe('icons', () => {
  it('has the Linux icon set and a 1024 px icon for macOS/Windows conversion', () => {
    const names = readdirSync('resources/icons').sort();
    expect(names).toEqual(['128x128.png', '16x16.png', '256x256.png', '32x32.png', '48x48.png', '512x512.png', '64x64.png']);
    for (const name of names) {
      const size = Number(name.split('x')[0]);
      const png = readPng(readFileSync(`resources/icons/${name}`));
      expect([png.width, png.height, png.colorType]).toEqual([size, size, 6]);
      expect(png.pixels.length).toBe((size * 4 + 1) * size);
    }
    expect(readPng(readFileSync('resources/icon.png'))).toMatchObject({ width: 1024, height: 1024 });
  });

  it('encodes RGBA rows that decode back to the same pixels, with transparent corners', () => {
    const rgba = Buffer.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4]);
    const png = readPng(encodePng(2, 2, rgba));
    expect(png.pixels).toEqual(Buffer.from([0, ...rgba.subarray(0, 8), 0, ...rgba.subarray(8)]));
    const icon = readPng(drawIcon(32, 2));
    expect(icon.pixels[4]).toBe(0); // top-left pixel's alpha: outside the rounded square
    const centre = (16 * (32 * 4 + 1)) + 1 + 16 * 4;
    expect(icon.pixels[centre + 3]).toBe(255);
  });
});
