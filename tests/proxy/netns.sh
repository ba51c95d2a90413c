# Shared by proxy_native.sh and proxy_wine.sh: two network namespaces
# (ns_two: "client" for pf, "server" for sshd, the proxies and a web server);
# sshd listens only on the server namespace's own loopback, so the client
# reaches it through a proxy and in no other way. Proxies: tinyproxy on
# 8888 (no auth) and 8889 (Basic auth bob/s3cret-pw), both allowing CONNECT
# only to sshd's port (tiny_start restarts one); dante (SOCKS5, no auth) on
# 1080; a SOCKS5 login test server (alice/al1ce-pw) on 1081. A 3 MB file
# served on the server's loopback ($http_port), its hash in $want; a kit
# ($kit) with a key sshd accepts.
#   proxy_octet=201 . netns.sh    (with the caller's <program> <scratch dir>)
# Exit 77 (skipped) where network namespaces or the proxies are missing.
proxy_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$proxy_here/../faults/common.sh"

need_tools tinyproxy danted socat
ns_two px "${proxy_octet:-201}"

make_kit
ssh_port=2222
http_port=8080
lport=18080
ns_start_sshd "$sns" 127.0.0.1
mkdir -p "$dir/www"
head -c 3000000 /dev/urandom >"$dir/www/big.bin"
want=$(sha256sum <"$dir/www/big.bin" | cut -d' ' -f1)
(cd "$dir/www" && exec ip netns exec "$sns" python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)

# tinyproxy without and with Basic auth; CONNECT only to sshd's port.
tiny_start 8888
tiny_start 8889 "BasicAuth bob s3cret-pw"
# dante: SOCKS5 without authentication.
cat >"$dir/danted.conf" <<CFG
logoutput: $dir/danted.log
internal: $saddr port = 1080
external: 127.0.0.1
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
CFG
ip netns exec "$sns" danted -f "$dir/danted.conf" -p "$dir/danted.pid" >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$sns" python3 "$proxy_here/socks5_auth.py" "$saddr" 1081 alice "al1ce-pw" "$dir/socks5auth.log" &
pids+=($!)
check "sshd up, on the server namespace's loopback only" wait_port_in "$sns" 127.0.0.1 "$ssh_port" 10
for p in 8888 8889 1080 1081; do
	check "proxy port $p up" wait_port_in "$cns" "$saddr" "$p" 10
done
check "no direct way to sshd from the client namespace" \
	bash -c "! ip netns exec $cns bash -c 'exec 3<>/dev/tcp/127.0.0.1/$ssh_port' 2>/dev/null"

