#!/usr/bin/env python3
"""Check the release zips: exact contents, the floppy limit, Windows text
files (UTF-8 BOM, CRLF), and that the sample config parses.

    check-kit.py contents <dist> <version> <native pf>
    check-kit.py size <dist> <version>
"""
import os
import re
import subprocess
import sys
import tempfile
import zipfile

FLOPPY = 1457664
PAPERS = ["LICENSE.txt", "README-ja.txt", "README.txt", "THIRD_PARTY_NOTICES.txt", "config.txt"]

failed = 0


def check(ok, what):
    global failed
    print("%s: %s" % ("ok" if ok else "FAILED", what))
    if not ok:
        failed += 1


def contents(dist, version, pf):
    kit = os.path.join(dist, "PortForwarder-%s-win64-portable.zip" % version)
    cli = os.path.join(dist, "PortForwarder-%s-win64-cli.zip" % version)
    setup = os.path.join(dist, "PortForwarder-%s-setup.exe" % version)
    for f in (kit, cli, setup):
        check(os.path.isfile(f), "%s exists" % os.path.basename(f))
    if failed:
        return
    with zipfile.ZipFile(kit) as z:
        names = z.namelist()
        check(names == sorted(["PortForwarder.exe"] + PAPERS),
              "portable kit holds exactly PortForwarder.exe and the papers, sorted: %s" % names)
        check(len({i.date_time for i in z.infolist()}) == 1, "one fixed time for every entry")
        check(all(i.create_system == 0 and i.external_attr == 0x20 and i.extra == b""
                  for i in z.infolist()), "no owner, mode bits or extra fields")
        for n in PAPERS:
            data = z.read(n)
            check(data.startswith(b"\xef\xbb\xbf"), "%s starts with a UTF-8 BOM" % n)
            bare_lf = data.replace(b"\r\n", b"").count(b"\n")
            check(bare_lf == 0 and b"\r\n" in data, "%s has CRLF line ends only" % n)
            try:
                data.decode("utf-8")
                check(True, "%s is valid UTF-8" % n)
            except UnicodeDecodeError as e:
                check(False, "%s is valid UTF-8 (%s)" % (n, e))
        readme = z.read("README.txt").decode("utf-8")
        check(("PortForwarder %s" % version) in readme, "README.txt names version %s" % version)
        notices = z.read("THIRD_PARTY_NOTICES.txt").decode("utf-8")
        for want in ("LGPL", "Apache License", "zlib", "GNU LESSER GENERAL PUBLIC LICENSE",
                     "relink", "PortForwarder-%s-source.tar.gz" % version):
            check(want in notices, "THIRD_PARTY_NOTICES.txt mentions %r" % want)
        exe = z.read("PortForwarder.exe")
        check(exe[:2] == b"MZ", "PortForwarder.exe is a PE file")
        check(b"UPX!" not in exe[:4096] and b"UPX0" not in exe, "PortForwarder.exe is not packed")
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "config.txt")
            with open(cfg, "wb") as f:
                f.write(z.read("config.txt"))
            r = subprocess.run([pf, "-G", "-F", cfg, "Example"], capture_output=True, text=True)
            check(r.returncode == 0 and "localforward 10110 [pop.example.ac.jp]:110" in r.stdout,
                  "pf -G reads the sample config.txt (BOM, CRLF): rc %d %s" % (r.returncode,
                                                                             r.stderr.strip()))
    with zipfile.ZipFile(cli) as z:
        names = z.namelist()
        check("pf.exe" in names and "PortForwarder.exe" not in names,
              "cli zip holds pf.exe and not PortForwarder.exe: %s" % names)
    with open(setup, "rb") as f:
        data = f.read()
    check(data[:2] == b"MZ", "setup is a PE file")
    # One version everywhere: VERSION -> file names (above), README, and the
    # version resources of the setup and of the programs (UTF-16 strings).
    v16 = version.encode("utf-16-le")
    check(("ProductVersion".encode("utf-16-le") in data) and v16 in data,
          "setup's version resource names %s" % version)
    with zipfile.ZipFile(kit) as z:
        gui = z.read("PortForwarder.exe")
    with zipfile.ZipFile(cli) as z:
        pfexe = z.read("pf.exe")
    check(v16 in gui, "PortForwarder.exe's version resource names %s" % version)
    check("ProductVersion".encode("utf-16-le") in pfexe and v16 in pfexe
          and "pf.exe".encode("utf-16-le") in pfexe, "pf.exe's version resource names %s" % version)
    # The manifests: the Windows versions README.txt claims (10 and later:
    # only that supportedOS GUID), pf.exe with the UTF-8 code page and long paths.
    win10 = b"{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"
    for name, exe in (("PortForwarder.exe", gui), ("pf.exe", pfexe)):
        m = re.search(rb"<assembly .*?</assembly>", exe, re.S)
        check(m is not None, "%s embeds a manifest" % name)
        if m is None:
            continue
        man = m.group(0)
        check(re.findall(rb'supportedOS Id="([^"]+)"', man) == [win10],
              "%s's manifest supports exactly Windows 10/11 (README: Windows 10 or later)" % name)
        check(b"<activeCodePage" in man and b">UTF-8</activeCodePage>" in man,
              "%s's manifest asks for the UTF-8 code page" % name)
        check(b'level="asInvoker"' in man, "%s's manifest runs as the invoker" % name)
    m = re.search(rb"<assembly .*?</assembly>", pfexe, re.S)
    check(m is not None and b">true</longPathAware>" in m.group(0),
          "pf.exe's manifest is long-path aware")
    check("Windows 10 or later" in readme, "README.txt claims Windows 10 or later (the manifests' list)")


def size(dist, version):
    kit = os.path.join(dist, "PortForwarder-%s-win64-portable.zip" % version)
    n = os.path.getsize(kit)
    print("portable zip: %d bytes, limit %d (%+d)" % (n, FLOPPY, n - FLOPPY))
    with zipfile.ZipFile(kit) as z:
        for i in z.infolist():
            print("  %-26s %9d -> %8d" % (i.filename, i.file_size, i.compress_size))
    check(n <= FLOPPY, "the portable zip fits on a 1.44 MB floppy")


def main(argv):
    if len(argv) >= 5 and argv[1] == "contents":
        contents(argv[2], argv[3], argv[4])
    elif len(argv) >= 4 and argv[1] == "size":
        size(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    print("%s" % ("all passed" if failed == 0 else "%d failed" % failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
