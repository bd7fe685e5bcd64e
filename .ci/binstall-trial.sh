#!/usr/bin/env bash
# A real `cargo binstall` installs scimcheck from a release archive: the archive and its .sha256
# are served over HTTPS on loopback (a CA made here; binstall refuses plain http) in the layout of
# a release page (releases/download/vX.Y.Z/), Cargo.toml's `repository` is set to that address
# in a copy, and binstall (no quick-install, no compile fallback) must find the archive by the
# templates of [package.metadata.binstall] and install a binary that says the version.
#
# usage: .ci/binstall-trial.sh CARGO-BINSTALL ARCHIVE.tar.gz TARGET
set -euo pipefail
binstall="$1" archive="$2" target="$3"
file=$(basename "$archive")
version="${file#scimcheck-}"; version="${version%%-*}"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/www/releases/download/$version" "$work/pkg" "$work/bin"
cp "$archive" "$archive.sha256" "$work/www/releases/download/$version/"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=binstall trial CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$work/srv.key" -out "$work/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$work/ext.cnf"
openssl x509 -req -days 1 -in "$work/srv.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -extfile "$work/ext.cnf" -out "$work/srv.pem" 2>/dev/null

python3 - "$work" > "$work/port" 2> "$work/server.log" <<'PY' &
import functools, http.server, ssl, sys
work = sys.argv[1]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=f"{work}/www")
httpd = http.server.HTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(f"{work}/srv.pem", f"{work}/srv.key")
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
PY
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/server.log"; echo "binstall-trial: the HTTPS server did not start" >&2; exit 1; }
port=$(cat "$work/port")

sed "s|^\[package\]\$|[package]\nrepository = \"https://127.0.0.1:$port\"|" Cargo.toml > "$work/pkg/Cargo.toml"
timeout 120 "$binstall" --manifest-path "$work/pkg" --no-confirm --no-track --install-path "$work/bin" \
  --disable-strategies quick-install,compile --targets "$target" --root-certificates "$work/ca.pem" \
  scimcheck > "$work/binstall.log" 2>&1 || { tail -20 "$work/binstall.log"; echo "binstall-trial: cargo binstall failed" >&2; exit 1; }
"$work/bin/scimcheck" --version | grep -q " ${version#v}$" || {
  echo "binstall-trial: the installed binary does not say version $version" >&2; exit 1; }
grep "GET /releases/download/$version/$file " "$work/server.log" | head -1
echo "binstall-trial: cargo binstall installed scimcheck $version from $file by Cargo.toml's templates"
