#!/usr/bin/env python3
"""Turn a UTF-8 text file from the source tree into the form Windows users
get: @NAME@ placeholders replaced, CRLF line ends, a UTF-8 BOM (so Notepad
shows the Japanese right), optionally followed by other files' text.

    kittext.py in out [--bom|--no-bom] [NAME=value ...] [+appendfile ...]
"""
import re
import sys


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: kittext.py in out [--no-bom] [NAME=value] [+file]\n")
        return 2
    src, dst = argv[1], argv[2]
    bom = True
    subst = {}
    appends = []
    for a in argv[3:]:
        if a == "--no-bom":
            bom = False
        elif a == "--bom":
            bom = True
        elif a.startswith("+"):
            appends.append(a[1:])
        else:
            k, sep, v = a.partition("=")
            if not sep:
                sys.stderr.write("kittext.py: %r is not NAME=value\n" % a)
                return 2
            subst[k] = v
    with open(src, "r", encoding="utf-8") as f:
        text = f.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    for k, v in subst.items():
        text = text.replace("@" + k + "@", v)
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        sys.stderr.write("kittext.py: %s: unreplaced %s\n" % (src, " ".join(left)))
        return 1
    for path in appends:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            text += "\n\n" + "=" * 78 + "\n\n" + f.read().lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    with open(dst, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
