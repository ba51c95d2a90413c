#!/usr/bin/env python3
"""Write a reproducible zip: entries sorted by name, one fixed time
(SOURCE_DATE_EPOCH, UTC, clamped to the zip epoch 1980), no extra fields,
MS-DOS attributes only, deflate level 9.

    mkzip.py out.zip name=path [name=path ...]
"""
import os
import sys
import time
import zipfile


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: mkzip.py out.zip name=path [name=path ...]\n")
        return 2
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
    epoch = max(epoch, 315532800)  # 1980-01-01, the earliest zip time
    stamp = time.gmtime(epoch)[:6]
    entries = []
    for arg in argv[2:]:
        name, sep, path = arg.partition("=")
        if not sep or not name or not path:
            sys.stderr.write("mkzip.py: %r is not name=path\n" % arg)
            return 2
        entries.append((name, path))
    entries.sort()
    tmp = argv[1] + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z:
        for name, path in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # MS-DOS: no Unix owner or mode bits
            info.external_attr = 0x20  # FILE_ATTRIBUTE_ARCHIVE
            with open(path, "rb") as f:
                data = f.read()
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    os.replace(tmp, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
