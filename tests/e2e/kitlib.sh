# Sourced by glance.sh and autostart.sh with their four arguments: kit.sh's
# set-up (lib.sh, the driver, start_sshd's server, winpath), one key without
# passphrase for the server's account, and make_kit FOLDER, which makes
# FOLDER/PortForwarder.exe and FOLDER/settings/config.txt with Host ALPHA (one
# LocalForward) and BETA (a LocalForward and a DynamicForward) for the
# server, the key in settings/keys and the known_hosts in settings/ that
# trusts the server (read there as 2.9 kept it).
. "$here/kit.sh" "$@"
kit_key '' "$dir/id_kit"

make_kit() { # folder
	local kit=$1 cfg=$1/settings
	mkdir -p "$cfg/keys"
	cp "$W/app/win32/PortForwarder.exe" "$kit/"
	cp "$dir/id_kit" "$cfg/keys/id_ed25519"
	cp "$dir/id_kit.pub" "$cfg/keys/id_ed25519.pub"
	kit_trust "$cfg/known_hosts"
	printf '%s\r\n' \
		"Host ALPHA" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile keys/id_ed25519" \
		"  LocalForward 127.0.0.1:$(free_port) 127.0.0.1:$ssh_port" "" \
		"Host BETA" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
		"  IdentityFile keys/id_ed25519" \
		"  LocalForward 127.0.0.1:$(free_port) 127.0.0.1:$ssh_port" \
		"  DynamicForward 127.0.0.1:$(free_port)" >"$cfg/config.txt"
}

# run SCENARIO KIT [VAR=value...]: the driver's scenario on the kit in
# wine-run.sh (KIT a Linux folder, or a Windows path such as R:).
runs=0
run() {
	local scen=$1 kit=$2 rc=0 wkit log
	shift 2
	runs=$((runs + 1))
	log=$dir/$runs-$scen.log
	wkit=$kit
	[ -d "$kit" ] && wkit=$(winpath "$kit")
	env "$@" bash "$here/wine-run.sh" "$prefix" "$shots" "$driver" "$scen" \
		"$wkit\\PortForwarder.exe" "$(winpath "$shots")" "$wkit" \
		>"$log" 2>&1 || rc=$?
	cat "$log"
	check "the $scen scenario passed" test "$rc" = 0
}
