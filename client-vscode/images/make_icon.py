"""Draws images/icon.png (128x128): three connected task nodes on a rounded square.
Pure standard library so it runs anywhere: python3 images/make_icon.py"""
import math
import struct
import zlib
from pathlib import Path

N = 128
BG = (31, 78, 121)
FG = (240, 246, 252)
ACCENT = (255, 176, 59)


def inside_rounded(x: float, y: float, r: float = 22) -> bool:
    cx = min(max(x, r), N - r)
    cy = min(max(y, r), N - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


nodes = [((40, 36), FG), ((40, 92), FG), ((92, 64), ACCENT)]
edges = [(nodes[0][0], nodes[1][0]), (nodes[0][0], nodes[2][0]), (nodes[1][0], nodes[2][0])]


def pixel(x: int, y: int):
    sx, sy = x + 0.5, y + 0.5
    if not inside_rounded(sx, sy):
        return (0, 0, 0, 0)
    for (cx, cy), colour in nodes:
        if math.hypot(sx - cx, sy - cy) <= 13:
            return (*colour, 255)
    for (a, b) in edges:
        if seg_dist(sx, sy, *a, *b) <= 3.2:
            return (*FG, 255)
    return (*BG, 255)


rows = b"".join(b"\x00" + bytes(c for x in range(N) for c in pixel(x, y)) for y in range(N))


def chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
Path(__file__).with_name("icon.png").write_bytes(png)
