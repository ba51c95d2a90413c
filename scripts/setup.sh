#!/usr/bin/env bash
# Install what building and testing PortForwarder needs on Debian 12, and
# nothing twice: packages already installed are skipped, so a warm machine
# pays nothing. Run as root (or with sudo available).
set -euo pipefail

packages=(
	# native build
	build-essential cmake ninja-build pkg-config libssl-dev zlib1g-dev clang
	libclang-rt-14-dev clang-format
	# cross build and the dependency fetch
	gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 binutils-mingw-w64-x86-64
	mingw-w64-x86-64-dev libz-mingw-w64-dev dpkg-dev debian-archive-keyring xz-utils
	# Wine + a virtual display for the GUI tests and the demo
	wine wine64 fonts-wine fonts-ipafont-gothic xvfb xauth xdotool imagemagick
	# test peers
	openssh-server openssh-client openssl putty-tools socat curl iperf3 python3 util-linux
	# a hostile SSH server for the tests (issue 18 item 13); a real terminal
	# for the prompt-signal test (cli.prompt_signals)
	python3-paramiko tmux
	# proxies and proxy helpers for tests/proxy (issue 17)
	tinyproxy dante-server connect-proxy netcat-openbsd ncat
	# packaging and test tools (osslsigncode: optional code signing and its
	# test; gnupg: the dependency-fallback test signs a local apt archive)
	nsis zip unzip valgrind gdb procps iproute2 osslsigncode gnupg
	# the source itself (scripts/package.sh, the reproducibility test)
	git
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "[setup] all ${#packages[@]} packages present"
	exit 0
fi
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "[setup] run as root to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
echo "[setup] installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "[setup] done"
