#!/usr/bin/env python3
"""Differential test: `pf -G -F file host` against `ssh -G -F file host`.

For every corpus/*.conf (first line "# hosts: h1 user@h2 ...", then
optional "# run: -o Key=value -L spec host" lines), copy the
corpus to a scratch folder (replacing @DIR@ and @USER@), run both programs
for each host, and compare every keyword pf prints, after the
normalisations listed in intended-differences.txt. Exit 1 on any difference.
"""
import argparse
import getpass
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

PF_ALGOS = set("""
3des-cbc aes128-cbc aes192-cbc aes256-cbc aes128-ctr aes192-ctr aes256-ctr
aes128-gcm@openssh.com aes256-gcm@openssh.com chacha20-poly1305@openssh.com
hmac-sha1 hmac-sha2-256 hmac-sha2-512 hmac-sha1-etm@openssh.com
hmac-sha2-256-etm@openssh.com hmac-sha2-512-etm@openssh.com
diffie-hellman-group1-sha1 diffie-hellman-group14-sha1 diffie-hellman-group14-sha256
diffie-hellman-group16-sha512 diffie-hellman-group18-sha512
diffie-hellman-group-exchange-sha1 diffie-hellman-group-exchange-sha256
ecdh-sha2-nistp256 ecdh-sha2-nistp384 ecdh-sha2-nistp521 curve25519-sha256
curve25519-sha256@libssh.org
ssh-ed25519 ssh-ed25519-cert-v01@openssh.com sk-ssh-ed25519@openssh.com
sk-ssh-ed25519-cert-v01@openssh.com ecdsa-sha2-nistp256
ecdsa-sha2-nistp256-cert-v01@openssh.com ecdsa-sha2-nistp384
ecdsa-sha2-nistp384-cert-v01@openssh.com ecdsa-sha2-nistp521
ecdsa-sha2-nistp521-cert-v01@openssh.com sk-ecdsa-sha2-nistp256@openssh.com
sk-ecdsa-sha2-nistp256-cert-v01@openssh.com ssh-rsa ssh-rsa-cert-v01@openssh.com
rsa-sha2-256 rsa-sha2-256-cert-v01@openssh.com rsa-sha2-512
rsa-sha2-512-cert-v01@openssh.com
""".split())
ALGO_KEYS = {"ciphers", "macs", "kexalgorithms", "hostkeyalgorithms",
             "pubkeyacceptedalgorithms"}
SSH_DEFAULT_IDS = ["~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk",
                   "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss",
                   "~/.ssh/id_dsa"]


def parse(text):
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, _, value = line.partition(" ")
        out.setdefault(key, []).append(value)
    return out


def expand(path, home, tokens, base):
    if path.startswith("~/") or path == "~":
        path = home + path[1:]
    res, i = "", 0
    while i < len(path):
        c = path[i]
        if c == "%" and i + 1 < len(path):
            res += tokens.get(path[i + 1], "%" + path[i + 1])
            i += 2
            continue
        res += c
        i += 1
    if not res.startswith("/"):
        res = os.path.join(base, res)
    return res


def normalise(key, ssh_vals, pf_vals, ssh_all, conf_dir, home, luser):
    """Return (expected, actual) or None to skip."""
    if key in ALGO_KEYS:
        return ([",".join(a for a in v.split(",") if a in PF_ALGOS) for v in ssh_vals],
                pf_vals)
    if key == "identityfile":
        if ssh_vals == SSH_DEFAULT_IDS:
            exp = [home + p[1:] for p in SSH_DEFAULT_IDS[:5]]
            return exp, pf_vals
        tokens = {"d": home, "u": luser, "h": ssh_all["hostname"][0],
                  "r": ssh_all["user"][0], "p": ssh_all["port"][0], "%": "%"}
        exp = []
        for v in ssh_vals:
            e = expand(v, home, tokens, conf_dir)
            if e not in exp:
                exp.append(e)
        return exp, pf_vals
    if key == "userknownhostsfile":
        default = f"{home}/.ssh/known_hosts {home}/.ssh/known_hosts2"
        if ssh_vals == [default]:
            return None
        exp = [" ".join(p if p == "none" or p.startswith("/") else os.path.join(conf_dir, p)
                        for p in v.split(" ")) for v in ssh_vals]
        return exp, pf_vals
    return ssh_vals, pf_vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pf", required=True)
    ap.add_argument("--ssh", default="ssh")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--differences", required=True)
    args = ap.parse_args()

    skip = set()
    with open(args.differences) as f:
        for line in f:
            if line.startswith("skip:"):
                skip.update(line[5:].split())
    home = os.path.expanduser("~")
    luser = getpass.getuser()
    work = tempfile.mkdtemp(prefix="pf-diff-")
    failures = runs = compared = configs = 0
    try:
        for root, _dirs, files in os.walk(args.corpus):
            rel = os.path.relpath(root, args.corpus)
            os.makedirs(os.path.join(work, rel), exist_ok=True)
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                data = data.replace(b"@DIR@", work.encode()).replace(b"@USER@", luser.encode())
                with open(os.path.join(work, rel, name), "wb") as f:
                    f.write(data)
        for name in sorted(os.listdir(work)):
            if not name.endswith(".conf"):
                continue
            path = os.path.join(work, name)
            with open(path, "rb") as f:
                head = f.read().decode(errors="replace").splitlines()
            if not head or not head[0].startswith("# hosts:"):
                print(f"{name}: first line must be '# hosts: ...'")
                failures += 1
                continue
            configs += 1
            # Each host alone, then each "# run: ARGS" line (options and host).
            todo = [[dest] for dest in head[0][len("# hosts:"):].split()]
            todo += [shlex.split(l[len("# run:"):]) for l in head[1:] if l.startswith("# run:")]
            for argv in todo:
                dest = " ".join(argv)
                runs += 1
                s = subprocess.run([args.ssh, "-G", "-F", path, *argv], capture_output=True,
                                   text=True, stdin=subprocess.DEVNULL)
                p = subprocess.run([args.pf, "-G", "-F", path, *argv], capture_output=True,
                                   text=True, stdin=subprocess.DEVNULL)
                if s.returncode != 0:
                    print(f"{name} {dest}: ssh -G failed (corpus must be valid for OpenSSH):"
                          f"\n{s.stderr}")
                    failures += 1
                    continue
                if p.returncode != 0:
                    print(f"{name} {dest}: pf -G failed:\n{p.stderr}")
                    failures += 1
                    continue
                if "error:" in p.stderr:
                    print(f"{name} {dest}: pf reported errors:\n{p.stderr}")
                    failures += 1
                sv, pv = parse(s.stdout), parse(p.stdout)
                for key in pv:
                    if key in skip:
                        continue
                    r = normalise(key, sv.get(key, []), pv[key], sv, work, home, luser)
                    if r is None:
                        continue
                    compared += 1
                    if r[0] != r[1]:
                        failures += 1
                        print(f"{name} {dest}: {key} differs\n  ssh: {r[0]}\n  pf:  {r[1]}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"config.diff_openssh: {configs} configs, {runs} runs, {compared} keyword "
          f"comparisons, {failures} differences")
    if configs < 40:
        print("the corpus must hold at least 40 configs")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
