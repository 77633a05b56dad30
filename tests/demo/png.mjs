// A small PNG re-encoder for the README screenshot: Chromium's truecolor PNG of a 1280x800
// dashboard weighs ~210 KB; the same image with a 256-colour palette (median cut, no dithering)
// is a fraction of that and looks the same for flat UI colours. Node built-ins only.

import { deflateSync, inflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** 8-bit RGB or RGBA, non-interlaced (what Chromium writes) -> { width, height, rgb }. */
export function decodePng(buf) {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let pos = 8;
  let width, height, colorType;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString("latin1", pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9];
      if (data[8] !== 8 || (colorType !== 2 && colorType !== 6) || data[12] !== 0) {
        throw new Error("only 8-bit RGB/RGBA non-interlaced PNGs are supported");
      }
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0;
      const b = prev ? prev[x] : 0;
      const c = prev && x >= bpp ? prev[x - bpp] : 0;
      let v = src[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[x] = v & 0xff;
    }
  }
  const rgb = new Uint32Array(width * height);
  for (let i = 0; i < rgb.length; i++) {
    const o = i * bpp;
    rgb[i] = (pixels[o] << 16) | (pixels[o + 1] << 8) | pixels[o + 2];
  }
  return { width, height, rgb };
}

// Median cut over the colour histogram: split the box with the widest channel range (weighted by
// pixel count) until there are `size` boxes; each box's weighted mean is a palette entry.
function medianCut(histogram, size) {
  const colors = [...histogram.keys()];
  if (colors.length <= size) return colors;
  const channel = (c, ch) => (c >> (16 - 8 * ch)) & 0xff;
  const boxInfo = (list) => {
    let best = 0;
    let bestRange = -1;
    for (let ch = 0; ch < 3; ch++) {
      let lo = 255;
      let hi = 0;
      for (const c of list) {
        const v = channel(c, ch);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > bestRange) {
        bestRange = hi - lo;
        best = ch;
      }
    }
    let weight = 0;
    for (const c of list) weight += histogram.get(c);
    return { list, ch: best, score: bestRange * Math.log2(1 + weight) };
  };
  const boxes = [boxInfo(colors)];
  while (boxes.length < size) {
    let idx = -1;
    for (let i = 0; i < boxes.length; i++) {
      if (boxes[i].list.length > 1 && (idx < 0 || boxes[i].score > boxes[idx].score)) idx = i;
    }
    if (idx < 0) break;
    const { list, ch } = boxes[idx];
    list.sort((a, b) => channel(a, ch) - channel(b, ch));
    let total = 0;
    for (const c of list) total += histogram.get(c);
    let acc = 0;
    let cut = 1;
    for (let i = 0; i < list.length - 1; i++) {
      acc += histogram.get(list[i]);
      if (acc >= total / 2) {
        cut = i + 1;
        break;
      }
      cut = i + 1;
    }
    boxes.splice(idx, 1, boxInfo(list.slice(0, cut)), boxInfo(list.slice(cut)));
  }
  return boxes.map(({ list }) => {
    let w = 0;
    let r = 0;
    let g = 0;
    let b = 0;
    for (const c of list) {
      const n = histogram.get(c);
      w += n;
      r += channel(c, 0) * n;
      g += channel(c, 1) * n;
      b += channel(c, 2) * n;
    }
    return (Math.round(r / w) << 16) | (Math.round(g / w) << 8) | Math.round(b / w);
  });
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Re-encodes a PNG with a palette of at most `colors` entries. */
export function palettePng(buf, colors = 256) {
  const { width, height, rgb } = decodePng(buf);
  const histogram = new Map();
  for (const c of rgb) histogram.set(c, (histogram.get(c) ?? 0) + 1);
  const palette = medianCut(histogram, colors);
  const nearest = new Map();
  const indexOf = (c) => {
    let i = nearest.get(c);
    if (i !== undefined) return i;
    let best = Infinity;
    const r = c >> 16;
    const g = (c >> 8) & 0xff;
    const b = c & 0xff;
    for (let k = 0; k < palette.length; k++) {
      const p = palette[k];
      const dr = r - (p >> 16);
      const dg = g - ((p >> 8) & 0xff);
      const db = b - (p & 0xff);
      const d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
      if (d < best) {
        best = d;
        i = k;
      }
    }
    nearest.set(c, i);
    return i;
  };
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none (best for palette images)
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = indexOf(rgb[y * width + x]);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: palette
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach((p, k) => {
    plte[k * 3] = p >> 16;
    plte[k * 3 + 1] = (p >> 8) & 0xff;
    plte[k * 3 + 2] = p & 0xff;
  });
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("PLTE", plte),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
