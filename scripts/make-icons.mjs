// Draws the app icon (a terminal-style window on a blue rounded square) and writes it as PNGs:
// resources/icon.png (1024 px; electron-builder derives .icns/.ico from it) and the Linux set
// resources/icons/<n>x<n>.png. No dependencies and no network: shapes are signed distance
// functions, supersampled, and the PNG is encoded with zlib by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// Shapes in a unit square (0..1), as signed distances (negative inside).
function roundedBox(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function segment(x, y, ax, ay, bx, by, width) {
  const px = x - ax, py = y - ay, vx = bx - ax, vy = by - ay;
  const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
  return Math.hypot(px - vx * t, py - vy * t) - width / 2;
}

function shade(x, y) {
  // Background: rounded square with a vertical gradient.
  if (roundedBox(x, y, 0.5, 0.5, 0.46, 0.46, 0.1) > 0) return [0, 0, 0, 0];
  const top = [56, 132, 220], bottom = [24, 62, 128];
  let color = top.map((c, i) => c + (bottom[i] - c) * y);
  const white = [245, 248, 252];
  // Window frame (outline) and its title bar.
  const frame = Math.abs(roundedBox(x, y, 0.5, 0.52, 0.31, 0.26, 0.05)) - 0.018;
  const titleBar = Math.max(roundedBox(x, y, 0.5, 0.52, 0.31, 0.26, 0.05), y - 0.335);
  const prompt = Math.min(segment(x, y, 0.3, 0.45, 0.39, 0.53, 0.05), segment(x, y, 0.39, 0.53, 0.3, 0.61, 0.05));
  const cursor = roundedBox(x, y, 0.53, 0.62, 0.09, 0.022, 0.015);
  if (Math.min(frame, titleBar, prompt, cursor) < 0) color = white;
  return [...color.map(Math.round), 255];
}

export function drawIcon(size, samples = 4) {
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const [r, g, b, a] = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          acc[0] += r * a; acc[1] += g * a; acc[2] += b * a; acc[3] += a;
        }
      }
      const o = (py * size + px) * 4;
      const alpha = acc[3] / (samples * samples);
      rgba[o + 3] = Math.round(alpha);
      for (let i = 0; i < 3; i++) rgba[o + i] = acc[3] ? Math.round(acc[i] / acc[3]) : 0;
    }
  }
  return encodePng(size, size, rgba);
}

export function makeIcons(outDir = 'resources') {
  mkdirSync(`${outDir}/icons`, { recursive: true });
  writeFileSync(`${outDir}/icon.png`, drawIcon(1024, 3));
  for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(`${outDir}/icons/${size}x${size}.png`, drawIcon(size, size <= 64 ? 6 : 4));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  makeIcons();
  console.log('wrote resources/icon.png and resources/icons/*.png');
}
