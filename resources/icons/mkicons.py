#!/usr/bin/env python3
"""Draws PortForwarder's icons as .ico files (16/20/24/32/48 px, 32-bit).

The icons are committed; run this only to change them:
    python3 resources/icons/mkicons.py resources/icons
Each state icon is a rounded square in the state's colour with two arrows
(a tunnel in both directions), white, except "listening" (on demand: the
forwards are open, no connection yet): the grey of "disconnected" with green
arrows. Output is deterministic.
"""
import math
import struct
import sys

SIZES = (16, 20, 24, 32, 48)
ICONS = {
    "app": (0x1E, 0x6F, 0xD9),
    "disconnected": (0x80, 0x80, 0x80),
    "connecting": (0xE0, 0x9A, 0x12),
    "connected": (0x2E, 0xA0, 0x43),
    "error": (0xD0, 0x31, 0x2D),
    "listening": (0x80, 0x80, 0x80),
}
WHITE = (255, 255, 255)
ARROWS = {"listening": (0x5C, 0xE8, 0x7A)}


def coverage_rounded_square(x, y, n, r):
    """Fraction of pixel (x, y) inside a rounded square of size n, radius r."""
    inside = 0
    for sy in range(4):
        for sx in range(4):
            px = x + (sx + 0.5) / 4
            py = y + (sy + 0.5) / 4
            cx = min(max(px, r), n - r)
            cy = min(max(py, r), n - r)
            if (px - cx) ** 2 + (py - cy) ** 2 <= r * r:
                inside += 1
    return inside / 16


def arrow_mask(x, y, n):
    """1 where a pixel belongs to the two white arrows."""
    u = (x + 0.5) / n
    v = (y + 0.5) / n
    t = max(1.0 / n, 0.09)
    # upper arrow pointing right, lower arrow pointing left
    for (cy, right) in ((0.35, True), (0.65, False)):
        head = 0.72 if right else 0.28
        if abs(v - cy) <= t / 2 and 0.2 <= u <= 0.8:
            return 1
        d = (u - head) if right else (head - u)
        if 0 <= d <= 0.14 and abs(v - cy) <= 0.16 - d:
            return 1
    return 0


def image(n, rgb, arrows=WHITE):
    rows = []
    radius = max(2.0, n * 0.2)
    for y in range(n):
        row = []
        for x in range(n):
            a = coverage_rounded_square(x, y, n, radius)
            if a == 0:
                row.append((0, 0, 0, 0))
                continue
            if arrow_mask(x, y, n):
                r, g, b = arrows
            else:
                # a gentle vertical gradient
                k = 1.08 - 0.16 * (y / n)
                r, g, b = (min(255, int(c * k)) for c in rgb)
            row.append((r, g, b, int(round(a * 255))))
        rows.append(row)
    return rows


def bmp_entry(n, rows):
    hdr = struct.pack("<IiiHHIIiiII", 40, n, n * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pix = bytearray()
    for row in reversed(rows):
        for (r, g, b, a) in row:
            pix += bytes((b, g, r, a))
    mask_stride = ((n + 31) // 32) * 4
    mask = bytearray()
    for row in reversed(rows):
        bits = bytearray(mask_stride)
        for x, (_, _, _, a) in enumerate(row):
            if a == 0:
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    return hdr + bytes(pix) + bytes(mask)


def ico(rgb, arrows=WHITE):
    entries = [bmp_entry(n, image(n, rgb, arrows)) for n in SIZES]
    out = bytearray(struct.pack("<HHH", 0, 1, len(SIZES)))
    offset = 6 + 16 * len(SIZES)
    for n, data in zip(SIZES, entries):
        out += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    for data in entries:
        out += data
    return bytes(out)


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, rgb in ICONS.items():
        with open(f"{outdir}/{name}.ico", "wb") as f:
            f.write(ico(rgb, ARROWS.get(name, WHITE)))


if __name__ == "__main__":
    main()
