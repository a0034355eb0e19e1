#!/usr/bin/env bash
# The bad-link benchmark (issue 17, item 10; numbers in docs/benchmarks.md): the phone (the
# `fieldwork` CLI, the same core as the apps) and the office server (HTTPS) in two network
# namespaces joined by a simulated cellular link: 300 ms round trip, 100 kbit/s each way, 2%
# random packet loss each way, and a 20 s outage in the middle of a photo upload.
#
#   bash scripts/bad-link.sh            # full: medians of several runs, 100 and 1,000 jobs (~25 min)
#   bash scripts/bad-link.sh --quick    # short bounded pass: 100 jobs, one cut upload (~6 min)
#   bash scripts/bad-link.sh --release  # release binaries instead of debug (either: add to the above)
#   bash scripts/bad-link.sh --rate 16 --loss 0 --queue-ms 8000 --only photo --no-cut   # other links
#
# Needs root (namespaces, nftables); installs nftables, iproute2 and openssl if missing.
# The link: tests/bad-link/relay.py moves IP packets between two TUN devices, each direction at
# --rate kbit/s (100) through a queue of --queue-ms (2560: 32 kB at 100 kbit/s), then 150 ms
# later; nftables drops --loss per cent (2) of the packets arriving on each side (and all of them
# during the outage). Kernel netem is not needed. --trace FILE writes a line per TCP packet that
# crosses the link. Other options go to tests/bad-link/bench.py (--runs, --photo-runs,
# --first-sync-runs, --only, --no-cut, --photo-give-up). Exits non-zero if a target is missed, a
# photo was sent again from the start, or a case failed.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=()
PROFILE=debug
RATE_KBIT=100
LOSS_PCT=2
QUEUE_MS=2560
TRACE=()
PASS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) QUICK=(--quick) ;;
        --release) PROFILE=release ;;
        --rate) RATE_KBIT=$2; shift ;;
        --loss) LOSS_PCT=$2; shift ;;
        --queue-ms) QUEUE_MS=$2; shift ;;
        --trace) TRACE=(--trace "$2"); shift ;;
        *) PASS+=("$1") ;;
    esac
    shift
done

if [ "$(id -u)" -ne 0 ]; then
    echo "bad-link: needs root (network namespaces, TUN devices, nftables)" >&2
    exit 2
fi

missing=()
command -v nft >/dev/null || missing+=(nftables)
command -v ip >/dev/null || missing+=(iproute2)
command -v openssl >/dev/null || missing+=(openssl)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bad-link: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
[ -e /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; }

if [ "$PROFILE" = release ]; then
    cargo build --release -p fieldwork-cli -p fieldwork-server
else
    cargo build -p fieldwork-cli -p fieldwork-server
fi

WORK=$(mktemp -d /tmp/bad-link.XXXXXX)
PHONE_NS="fwbl-phone-$$"
OFFICE_NS="fwbl-office-$$"
PHONE_DEV="fwblp$$"
OFFICE_DEV="fwblo$$"
RELAY_PID=
STATUS=1

cleanup() {
    set +e
    for ns in "$PHONE_NS" "$OFFICE_NS"; do
        if ip netns list | grep -qw "$ns"; then
            # Only what this run started inside its own namespaces.
            for pid in $(ip netns pids "$ns"); do kill "$pid" 2>/dev/null; done
        fi
    done
    if [ -n "$RELAY_PID" ]; then
        kill "$RELAY_PID" 2>/dev/null
        wait "$RELAY_PID" 2>/dev/null
    fi
    sleep 0.5
    for ns in "$PHONE_NS" "$OFFICE_NS"; do
        if ip netns list | grep -qw "$ns"; then
            for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
            ip netns del "$ns"
        fi
    done
    if [ "$STATUS" -eq 0 ]; then
        rm -rf "$WORK"
    else
        echo "bad-link: logs and stores kept in $WORK" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The binaries of this run, copied so that a build during the run cannot change them.
mkdir -p "$WORK/bin"
cp "target/$PROFILE/fieldwork" "target/$PROFILE/fieldwork-server" "$WORK/bin/"

# TLS as an office on the internet has it: a root the phone trusts (given at enrollment, as an
# office's own CA would be), an intermediate, and an RSA-2048 leaf for 10.77.0.2 (and
# 127.0.0.1 for the seeding), the server sending leaf and intermediate (about the bytes of a
# public CA's chain).
TLS="$WORK/tls"
mkdir -p "$TLS"
(
    cd "$TLS"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 \
        -subj "/CN=Fieldwork bad-link root" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey rsa:2048 -nodes -keyout int.key -out int.csr -subj "/CN=Fieldwork bad-link intermediate"
    printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
    openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -out int.pem -extfile int.ext
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out leaf.csr -subj "/CN=office.bad-link.test"
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:10.77.0.2,IP:127.0.0.1,DNS:office.bad-link.test\n' > leaf.ext
    openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 30 -out leaf.pem -extfile leaf.ext
    cat leaf.pem int.pem > chain.pem
) >"$WORK/tls.log" 2>&1

ip netns add "$PHONE_NS"
ip netns add "$OFFICE_NS"

# The relay creates both TUN devices; they are moved into the namespaces and live as long as it.
# Each way: the rate, a queue of --queue-ms at that rate, 150 ms.
python3 tests/bad-link/relay.py --phone-dev "$PHONE_DEV" --office-dev "$OFFICE_DEV" \
    --delay-ms 150 --rate-kbit "$RATE_KBIT" --queue-bytes "$(( RATE_KBIT * QUEUE_MS / 8 ))" \
    "${TRACE[@]}" --stats "$WORK/link.json" >"$WORK/relay.log" 2>&1 &
RELAY_PID=$!
for _ in $(seq 100); do
    grep -q ready "$WORK/relay.log" 2>/dev/null && break
    kill -0 "$RELAY_PID" 2>/dev/null || { cat "$WORK/relay.log" >&2; exit 1; }
    sleep 0.1
done
grep -q ready "$WORK/relay.log" || { echo "bad-link: the relay did not start" >&2; exit 1; }

link_side() { # namespace device address
    local ns=$1 dev=$2 addr=$3
    ip link set "$dev" netns "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$addr/24" dev "$dev"
    ip -n "$ns" link set "$dev" up
    # --loss % of what arrives is lost; the outage chain drops everything while the script fills it.
    # Dropped on the way in, never on the way out: a local drop would tell the sender's TCP.
    ip netns exec "$ns" nft -f - <<EOF
table inet badlink {
    chain outage {
    }
    chain input {
        type filter hook input priority 0; policy accept;
        iifname "$dev" jump outage
        iifname "$dev" numgen random mod 100 < $LOSS_PCT counter drop
    }
}
EOF
}
link_side "$PHONE_NS" "$PHONE_DEV" 10.77.0.1
link_side "$OFFICE_NS" "$OFFICE_DEV" 10.77.0.2

echo "bad-link: $PROFILE binaries at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (with uncommitted changes in the tree)'), work dir $WORK" >&2
set +e
ip netns exec "$OFFICE_NS" python3 tests/bad-link/bench.py \
    --work "$WORK" --bin "$WORK/bin" --phone-ns "$PHONE_NS" --office-ns "$OFFICE_NS" \
    --stats "$WORK/link.json" --link "300 ms RTT, ${RATE_KBIT} kbit/s each way, ${LOSS_PCT}% loss each way" "${QUICK[@]}" "${PASS[@]}"
STATUS=$?
set -e
for ns in "$PHONE_NS" "$OFFICE_NS"; do
    echo "bad-link: random drops in $ns: $(ip netns exec "$ns" nft list chain inet badlink input | grep -o 'packets [0-9]*' | head -1)" >&2
done
exit "$STATUS"
