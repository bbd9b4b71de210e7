#!/usr/bin/env bash
# `isptab serve` with the real client: Postfix's postmap(1) and postconf(1) from
# Debian, against the server on 127.0.0.1 and on a Unix socket. Checks that a
# record is printed, a miss exits 1, batches work, an unknown map is a permanent
# error, a replaced table is answered within a second, and that the main.cf and
# master.cf of the README's example are accepted by Postfix and route by record.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/integration/need.sh
need postmap postfix
cargo build --quiet
isptab="$bin_dir/isptab"
dir=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "postfix.sh: $*" >&2; [ -f "$dir/log" ] && cat "$dir/log" >&2; exit 1; }

cat > "$dir/isptab.kdl" <<'KDL'
isp "Acme Mail" {
    domains "acme.example" "*.acme.example"
}
KDL
(cd "$dir" && "$isptab" build isptab.kdl -o t.isptab 2>/dev/null)
"$isptab" serve --table "$dir/t.isptab" --listen inet:127.0.0.1:0 \
    --listen "unix:$dir/isptab.sock" 2> "$dir/log" &
server=$!
for _ in $(seq 100); do grep -q 'event=listening address=inet' "$dir/log" && break; sleep 0.1; done
port=$(grep -o 'address=inet:127.0.0.1:[0-9]*' "$dir/log" | cut -d: -f3)
[ -n "$port" ] || fail "the server did not start"
inet="socketmap:inet:127.0.0.1:$port"

got=$(postmap -q user@gmail.com "$inet:isp") || fail "postmap -q user@gmail.com exited $?"
[ "$got" = Gmail ] || fail "isp user@gmail.com: $got"
[ "$(postmap -q x.acme.example "$inet:slug")" = acme-mail ] || fail "slug"
[ "$(postmap -q acme.example "socketmap:unix:$dir/isptab.sock:transport")" = smtp-acme-mail: ] ||
    fail "transport over the Unix socket"
set +e
postmap -q nowhere.example "$inet:isp"; miss=$?
postmap -q x "$inet:bogus" 2> "$dir/bogus"; bogus=$?
set -e
[ "$miss" = 1 ] || fail "a miss exited $miss, not 1"
[ "$bogus" != 0 ] && grep -q 'permanent error: no map `bogus`' "$dir/bogus" ||
    fail "an unknown map: exit $bogus, $(cat "$dir/bogus")"
printf 'a@gmail.com\nnowhere.example\nyahoo.fr\n' | postmap -q - "$inet:isp" > "$dir/batch"
printf 'a@gmail.com\tGmail\nyahoo.fr\tYahoo\n' | cmp - "$dir/batch" || fail "batch: $(cat "$dir/batch")"

# Replaced by rename (as `isptab build` does): answered within a second.
sed 's/Acme Mail/Acme Two/' "$dir/isptab.kdl" > "$dir/two.kdl"
(cd "$dir" && "$isptab" build two.kdl -o t.isptab 2>/dev/null)
sleep 1
[ "$(postmap -q acme.example "$inet:isp")" = "Acme Two" ] || fail "not reloaded within a second"

# The README's configuration: transport_maps asks the server, master.cf has a
# service per record (from --master-cf), and Postfix accepts both.
cf="$dir/postfix"
mkdir "$cf"
cat > "$cf/main.cf" <<CF
compatibility_level = 3.6
transport_maps = $inet:transport
CF
cp /etc/postfix/master.cf "$cf/master.cf" 2>/dev/null ||
    printf 'smtp      unix  -       -       n       -       -       smtp\n' > "$cf/master.cf"
"$isptab" serve --table "$dir/t.isptab" --master-cf >> "$cf/master.cf"
postconf -c "$cf" -M smtp-gmail/unix | grep -q '^smtp-gmail *unix' || fail "master.cf: no smtp-gmail"
postconf -c "$cf" -P 'smtp-gmail/unix/syslog_name' | grep -q 'postfix/smtp-gmail' ||
    fail "master.cf: no syslog_name for smtp-gmail"
maps=$(postconf -c "$cf" -xh transport_maps)
[ "$(postmap -c "$cf" -q user@gmail.com "$maps")" = smtp-gmail: ] || fail "transport_maps"
postconf -c "$cf" -M 2>&1 | grep -q warning && fail "postconf warns: $(postconf -c "$cf" -M 2>&1 | grep warning)"

kill -TERM "$server"
wait "$server" || fail "the server exited $? on SIGTERM"
server=
[ ! -e "$dir/isptab.sock" ] || fail "the socket was not removed"
grep -q 'event=stopped' "$dir/log" || fail "no stopped event"
echo "postfix.sh: postmap and postconf $(postconf -h mail_version) agree with isptab serve"
