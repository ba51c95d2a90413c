# Sourced by the GUI e2e scripts with their arguments
#   <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
# (W, base, prefix, shots): tests/cli/lib.sh (check, finish, a scratch $dir),
# the driver, a test sshd (start_sshd), and $kit, the folder for the kit.
W=$1 base=$2 prefix=$3 shots=$4
. "$here/../cli/lib.sh" "$W/app/win32/PortForwarder.exe" "$base"
driver=$W/tests/pftest-driver.exe
mkdir -p "$shots"
start_sshd
kit="$dir/kit"

# kit_key PASSPHRASE FILE: a new ed25519 key the test sshd's account accepts
kit_key() {
	ssh-keygen -q -t ed25519 -N "$1" -C "$(basename "$0" .sh)" -f "$2"
	cat "$2.pub" >"$dir/authorized_keys"
}
# kit_trust FILE: a known_hosts that already trusts the test sshd
kit_trust() {
	printf '[127.0.0.1]:%s %s\n' "$ssh_port" "$(cut -d' ' -f1-2 "$dir/host_key.pub")" >"$1"
}
# winpath PATH: the Linux path as Wine's Z: drive sees it
winpath() { printf 'Z:%s' "${1//\//\\}"; }
