#!/usr/bin/env python3
"""Print a Windows shortcut's (.lnk, MS-SHLLINK) target, arguments and
working folder, one "key: value" line each, read from the file's bytes (not
through Windows): the tests check what the program and the installer wrote.

  lnk.py FILE.lnk
"""
import struct
import sys

HAS_IDLIST, HAS_LINKINFO, HAS_NAME, HAS_RELPATH = 0x1, 0x2, 0x4, 0x8
HAS_WORKDIR, HAS_ARGS, HAS_ICON, IS_UNICODE = 0x10, 0x20, 0x40, 0x80
LINK_CLSID = bytes.fromhex("0114020000000000c000000000000046")


def cstring(b, at, wide):
    if wide:
        end = at
        while b[end:end + 2] != b"\0\0":
            end += 2
        return b[at:end].decode("utf-16-le")
    return b[at:b.index(b"\0", at)].decode("mbcs" if sys.platform == "win32" else "latin-1")


def parse(b):
    size, clsid, flags = struct.unpack_from("<I16sI", b, 0)
    if size != 0x4C or clsid != LINK_CLSID:
        raise ValueError("not a shell link (header size %#x)" % size)
    out = {"show": struct.unpack_from("<I", b, 0x3C)[0]}
    at = 0x4C
    if flags & HAS_IDLIST:
        at += 2 + struct.unpack_from("<H", b, at)[0]
    if flags & HAS_LINKINFO:
        info = at
        (total, hsize, lflags, _vol, base, _net, suffix) = struct.unpack_from("<7I", b, at)
        if lflags & 1:
            if hsize >= 0x24:
                base_w, suffix_w = struct.unpack_from("<2I", b, at + 28)
                out["target"] = cstring(b, info + base_w, True) + cstring(b, info + suffix_w, True)
            else:
                out["target"] = cstring(b, info + base, False) + cstring(b, info + suffix, False)
        at += total
    wide = bool(flags & IS_UNICODE)
    for flag, key in ((HAS_NAME, "name"), (HAS_RELPATH, "relative"), (HAS_WORKDIR, "workdir"),
                      (HAS_ARGS, "arguments"), (HAS_ICON, "icon")):
        if flags & flag:
            n = struct.unpack_from("<H", b, at)[0]
            at += 2
            width = 2 if wide else 1
            raw = b[at:at + n * width]
            # (Wine counts a terminating NUL that the format does not have.)
            out[key] = (raw.decode("utf-16-le") if wide else raw.decode("latin-1")).rstrip("\0")
            at += n * width
    return out


def main():
    with open(sys.argv[1], "rb") as f:
        fields = parse(f.read())
    for key in ("target", "arguments", "workdir", "relative", "icon", "name", "show"):
        if key in fields:
            print("%s: %s" % (key, fields[key]))


if __name__ == "__main__":
    main()
