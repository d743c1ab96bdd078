#!/usr/bin/env python3
"""Writes the image-decoding fixtures and the pixel values a standard decoder gives for them.

Run with Debian's Python and Pillow (apt-get install python3-pil python3-numpy) from this folder:
    /usr/bin/python3 make_fixtures.py
PNGs are written byte by byte (every colour type and bit depth, tRNS, Adam7 interlacing), JPEGs by Pillow
(libjpeg-turbo), except ycck.jpg, which MakeYcck.java writes with the JDK (needs java on the PATH). expected.json holds, per file, Pillow's Image.open(f).convert('RGB') and .convert('L') as
flat row-major lists, plus the size. One deliberate difference: for 16-bit greyscale PNGs Pillow opens mode 'I'
and convert() clips every value above 255 to 255; camloss takes the high byte (v >> 8), which is what Pillow
itself does for 16-bit grey+alpha, RGB and RGBA PNGs; those entries say so in "note".
"""
import io
import json
import random
import struct
import subprocess
import zlib

import numpy as np
from PIL import Image

W, H = 5, 4  # small and not a multiple of 8, so row packing of sub-byte depths is exercised
rng = random.Random(14)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, depth):
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if depth == 8:
        return bytes(samples)
    per = 8 // depth
    out = bytearray()
    for i in range(0, len(samples), per):
        b = 0
        group = samples[i:i + per]
        for j, s in enumerate(group):
            b |= s << (8 - depth * (j + 1))
        out.append(b)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png(pixels, color_type, depth, palette=None, trns=None, interlace=False):
    """pixels: H rows of W tuples of samples (one per channel)."""
    raw = bytearray()
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            for y in range(y0, H, dy):
                row = [s for x in range(x0, W, dx) for s in pixels[y][x]]
                if row:
                    raw += b"\x00" + pack_row(row, depth)
    else:
        for y in range(H):
            raw += b"\x00" + pack_row([s for px in pixels[y] for s in px], depth)
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, depth, color_type, 0, 0, 1 if interlace else 0))
    if palette is not None:
        out += chunk(b"PLTE", bytes(v for rgb in palette for v in rgb))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    out += chunk(b"IDAT", zlib.compress(bytes(raw)))
    out += chunk(b"IEND", b"")
    return out


def samples(channels, depth):
    top = (1 << depth) - 1
    return [[tuple(rng.randint(0, top) for _ in range(channels)) for _ in range(W)] for _ in range(H)]


files = {}
notes = {}
for depth in (1, 2, 4, 8, 16):
    files[f"grey{depth}.png"] = png(samples(1, depth), 0, depth)
notes["grey16.png"] = "Pillow clips 16-bit grey to 255; expected is the high byte"
files["grey8-trns.png"] = png(samples(1, 8), 0, 8, trns=struct.pack(">H", 7))
files["greyalpha8.png"] = png(samples(2, 8), 4, 8)
files["greyalpha16.png"] = png(samples(2, 16), 4, 16)
files["rgb8.png"] = png(samples(3, 8), 2, 8)
files["rgb16.png"] = png(samples(3, 16), 2, 16)
files["rgb8-trns.png"] = png(samples(3, 8), 2, 8, trns=struct.pack(">HHH", 1, 2, 3))
files["rgba8.png"] = png(samples(4, 8), 6, 8)
files["rgba16.png"] = png(samples(4, 16), 6, 16)
files["rgb8-interlaced.png"] = png(samples(3, 8), 2, 8, interlace=True)
for depth in (1, 2, 4, 8):
    n = 1 << depth
    pal = [tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(min(n, 16))]
    idx = [[(rng.randrange(len(pal)),) for _ in range(W)] for _ in range(H)]
    files[f"palette{depth}.png"] = png(idx, 3, depth, palette=pal)
pal = [tuple(rng.randint(0, 255) for _ in range(3)) for _ in range(6)]
idx = [[(rng.randrange(6),) for _ in range(W)] for _ in range(H)]
files["palette8-trns.png"] = png(idx, 3, 8, palette=pal, trns=bytes([0, 128, 255]))


# JPEGs: a smooth 16x16 picture (JPEG's lossy steps stay small on it), saved by Pillow
yy, xx = np.mgrid[0:16, 0:16]
picture = np.stack([xx * 15 + 10, yy * 14 + 20, (xx + yy) * 7 + 5], axis=-1).astype(np.uint8)


def jpeg(img, **kw):
    b = io.BytesIO()
    img.save(b, "JPEG", **kw)
    return b.getvalue()


rgb = Image.fromarray(picture, "RGB")
files["grey.jpg"] = jpeg(rgb.convert("L"), quality=95)
files["rgb444.jpg"] = jpeg(rgb, quality=95, subsampling=0)
files["rgb420.jpg"] = jpeg(rgb, quality=95, subsampling=2)
files["rgb-progressive.jpg"] = jpeg(rgb, quality=95, subsampling=0, progressive=True)
cmyk = np.stack([xx * 12 + 20, yy * 10 + 40, 200 - (xx + yy) * 5, (xx * yy) % 120 + 30], axis=-1).astype(np.uint8)
files["cmyk.jpg"] = jpeg(Image.fromarray(cmyk, "CMYK"), quality=95)  # Adobe marker, inverted values
exif = Image.Exif()
exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
files["rgb-exif-orientation6.JPEG"] = jpeg(rgb, quality=95, subsampling=0, exif=exif.tobytes())
notes["rgb-exif-orientation6.JPEG"] = "EXIF orientation 6 is not applied: pixels as stored"

# the same CMYK values in Adobe's YCCK transform, which Pillow cannot write: the JDK's writer does
subprocess.run(["java", "MakeYcck.java"], check=True)
with open("ycck.jpg", "rb") as f:
    files["ycck.jpg"] = f.read()

expected = {}
for name, data in sorted(files.items()):
    with open(name, "wb") as f:
        f.write(data)
    im = Image.open(io.BytesIO(data))
    im.load()
    entry = {
        "mode": im.mode,
        "width": im.width,
        "height": im.height,
        "rgb": np.asarray(im.convert("RGB")).reshape(-1).tolist(),
        "l": np.asarray(im.convert("L")).reshape(-1).tolist(),
    }
    if im.mode in ("I", "I;16", "I;16B"):
        hi = (np.asarray(im, dtype=np.int64) >> 8).astype(np.uint8)
        entry["pillow_l"] = entry["l"]
        entry["l"] = hi.reshape(-1).tolist()
        entry["rgb"] = np.repeat(hi[..., None], 3, axis=-1).reshape(-1).tolist()
    if name in notes:
        entry["note"] = notes[name]
    expected[name] = entry

with open("expected.json", "w") as f:
    f.write("{\n")
    f.write(",\n".join(f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in sorted(expected.items())))
    f.write("\n}\n")
print(len(files), "fixtures")
