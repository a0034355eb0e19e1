"""Writes the bad-link benchmark's photo: a 2560x1920 PNG (the size the phone stores photos at, so
it is re-encoded as JPEG q85 but not scaled) that does not compress away, with the standard
library only. Bands of sensor-like noise over a smooth gradient; NOISY_SHARE of the rows are
noise, which is what sets the stored JPEG's size (about 2.5 MB, checked by the benchmark).

Usage: photo.py OUT.png [SEED]
"""

import random
import struct
import sys
import zlib

WIDTH, HEIGHT = 2560, 1920
# Share of rows that are noise, in bands of BAND rows: calibrated so that the phone's stored JPEG
# (q85) is about 2.5 MB.
NOISY_SHARE = 0.31
BAND = 32


def chunk(kind, data):
    body = kind + data
    return struct.pack("!I", len(data)) + body + struct.pack("!I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 17
    rng = random.Random(seed)
    smooth = {}
    raw = bytearray()
    for y in range(HEIGHT):
        raw.append(0)  # filter: none
        band = y // BAND
        if int((band + 1) * NOISY_SHARE) > int(band * NOISY_SHARE):
            raw += rng.randbytes(WIDTH * 3)
        else:
            g = 20 + y * 200 // HEIGHT
            if g not in smooth:
                smooth[g] = bytes(v for x in range(WIDTH) for v in (20 + x * 200 // WIDTH, g, 120))
            raw += smooth[g]
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack("!IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 6))
    png += chunk(b"IEND", b"")
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
