#!/usr/bin/env python3
"""A reproducible .tar.gz of a folder: entries sorted by name, one fixed
time (SOURCE_DATE_EPOCH), owner 0/0 without names, modes 0644/0755 (kept
only: executable or not), no gzip file name or time. Symbolic links are
stored as the files they point to.

    mktar.py out.tar.gz folder prefix
"""
import gzip
import os
import stat
import sys
import tarfile


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    out, top, prefix = argv[1], argv[2], argv[3].strip("/")
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    entries = []
    for d, dirs, files in os.walk(top, followlinks=False):
        dirs.sort()
        rel = os.path.relpath(d, top)
        entries.append((rel, d, True))
        for f in sorted(files):
            entries.append((os.path.normpath(os.path.join(rel, f)), os.path.join(d, f), False))
    entries.sort(key=lambda e: e[0])
    tmp = out + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar:
                for rel, path, is_dir in entries:
                    name = prefix if rel == "." else prefix + "/" + rel
                    st = os.stat(path)  # follows links: a link is stored as its target
                    info = tarfile.TarInfo(name)
                    info.mtime = epoch
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    if is_dir or stat.S_ISDIR(st.st_mode):
                        info.type = tarfile.DIRTYPE
                        info.mode = 0o755
                        tar.addfile(info)
                    else:
                        info.size = st.st_size
                        info.mode = 0o755 if st.st_mode & 0o111 else 0o644
                        with open(path, "rb") as f:
                            tar.addfile(info, f)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
