"""The bad link's wire: a packet relay that carries every IP packet at a fixed rate and delays it
by a fixed time, each way.

It creates two TUN devices (IP packets, no link layer, no checksum or segmentation offloads), one
for the phone's side and one for the office's; scripts/bad-link.sh moves each into its network
namespace and gives them 10.77.0.1 and 10.77.0.2. A packet the phone's kernel sends into its
device comes out of the office's device after it has waited its turn on the link (the packets
before it), taken its own size at --rate-kbit to cross, and then --delay-ms; the other way round
the same, each direction its own link. The phone and the office hold one real end-to-end TCP
connection (and TLS session) whose round trip is the two delays plus the time on the wire:
handshakes, retransmission timers, slow start and loss recovery all see the 300 ms, as on a
cellular link. A direction holds at most --queue-bytes waiting to cross (the radio's buffer);
a packet arriving to a full queue is dropped, as a real bottleneck drops it.

The rate is here rather than in `tc ... tbf` because a token bucket lets its whole burst pass at
once after every idle moment, which is exactly when the TLS handshake's certificates go by (a
3 kB bucket hid about 0.25 s of each fresh sync); kernel netem is not available on these
machines. Random loss (nftables `numgen random` in each namespace's input hook, so the sender
learns of it only by missing ACKs) and the outage (an nftables drop-all rule in the same hooks
for 20 s) are the kernel's, set up by the script.

It also counts what crosses it, each direction: IP packets and bytes, TCP payload bytes, and of
those the bytes seen for the first time (per connection, past the highest sequence number seen),
so a retransmitted segment is told from new data. The counters are written as JSON to --stats
every 100 ms and when the relay stops (SIGTERM).

Usage: relay.py --phone-dev NAME --office-dev NAME [--delay-ms 150] [--rate-kbit 100]
                [--queue-bytes 32000] [--trace FILE] --stats FILE
Prints "ready" once both devices exist; they live as long as this process.
"""

import argparse
import collections
import fcntl
import json
import os
import selectors
import signal
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


class Direction:
    """One way through the link: a FIFO of (due time, packet) and its counters."""

    def __init__(self, name, src, dst, delay, rate_bps, queue_bytes, trace=None):
        self.name, self.src, self.dst, self.delay = name, src, dst, delay
        self.trace = trace
        self.rate = rate_bps / 8.0  # bytes per second
        self.queue_bytes = queue_bytes
        self.free_at = 0.0  # when the link has finished sending what it holds
        self.queue = collections.deque()
        self.packets = self.bytes = self.tcp_payload = self.tcp_new = 0
        self.write_errors = self.queue_drops = 0
        # (src addr, src port, dst addr, dst port) -> highest sequence end seen (mod 2^32).
        self.highest = {}

    def take(self, packet, now):
        start = max(now, self.free_at)
        if (start - now) * self.rate + len(packet) > self.queue_bytes:
            self.queue_drops += 1
            self.log(packet, now, "queue-drop")
            return
        self.log(packet, now, "")
        self.free_at = start + len(packet) / self.rate
        self.queue.append((self.free_at + self.delay, packet))
        self.packets += 1
        self.bytes += len(packet)
        self.count_tcp(packet)

    def log(self, p, now, what):
        """One line per TCP packet to --trace: time, direction, ports, flags, seq, ack, payload."""
        if self.trace is None or len(p) < 40 or p[0] >> 4 != 4 or p[9] != 6:
            return
        ihl = (p[0] & 0x0F) * 4
        sport, dport, seq, ack = struct.unpack_from("!HHII", p, ihl)
        flags = p[ihl + 13]
        names = "".join(c for bit, c in ((1, "F"), (2, "S"), (4, "R"), (8, "P"), (16, ".")) if flags & bit)
        payload = struct.unpack_from("!H", p, 2)[0] - ihl - (p[ihl + 12] >> 4) * 4
        self.trace.write(f"{now:.3f} {self.name} {sport}>{dport} [{names}] seq={seq} ack={ack} "
                         f"len={payload} {what}\n")

    def count_tcp(self, p):
        if len(p) < 20 or p[0] >> 4 != 4 or p[9] != 6:
            return
        ihl = (p[0] & 0x0F) * 4
        total = struct.unpack_from("!H", p, 2)[0]
        if len(p) < ihl + 20:
            return
        sport, dport, seq = struct.unpack_from("!HHI", p, ihl)
        offset = (p[ihl + 12] >> 4) * 4
        payload = total - ihl - offset
        if payload <= 0:
            return
        self.tcp_payload += payload
        key = (p[12:16], sport, p[16:20], dport)
        end = (seq + payload) & 0xFFFFFFFF
        seen = self.highest.get(key)
        if seen is None:
            self.highest[key] = end
            self.tcp_new += payload
            return
        # How far this segment reaches past what was seen, modulo 2^32.
        ahead = (end - seen) & 0xFFFFFFFF
        if 0 < ahead < 0x80000000:
            self.tcp_new += min(ahead, payload)
            self.highest[key] = end

    def release(self, now):
        while self.queue and self.queue[0][0] <= now:
            _, packet = self.queue.popleft()
            try:
                os.write(self.dst, packet)
            except OSError:
                # The other device is not up yet (or its queue is full): the packet is lost.
                self.write_errors += 1

    def stats(self):
        return {
            "packets": self.packets,
            "bytes": self.bytes,
            "tcp_payload": self.tcp_payload,
            "tcp_new": self.tcp_new,
            "tcp_retransmitted": self.tcp_payload - self.tcp_new,
            "queued": len(self.queue),
            "write_errors": self.write_errors,
            "queue_drops": self.queue_drops,
        }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phone-dev", required=True)
    ap.add_argument("--office-dev", required=True)
    ap.add_argument("--delay-ms", type=float, default=150.0)
    ap.add_argument("--rate-kbit", type=float, default=100.0)
    ap.add_argument("--queue-bytes", type=int, default=32000)
    ap.add_argument("--trace", help="write one line per TCP packet to this file")
    ap.add_argument("--stats", required=True)
    args = ap.parse_args()

    phone = open_tun(args.phone_dev)
    office = open_tun(args.office_dev)
    delay = args.delay_ms / 1000.0
    rate = args.rate_kbit * 1000.0
    trace = open(args.trace, "w", buffering=1) if args.trace else None
    up = Direction("up", phone, office, delay, rate, args.queue_bytes, trace)
    down = Direction("down", office, phone, delay, rate, args.queue_bytes, trace)
    by_fd = {phone: up, office: down}

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def write_stats():
        tmp = args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"time": time.time(), "up": up.stats(), "down": down.stats()}, f)
        os.replace(tmp, args.stats)

    sel = selectors.DefaultSelector()
    sel.register(phone, selectors.EVENT_READ)
    sel.register(office, selectors.EVENT_READ)
    print("ready", flush=True)
    next_stats = 0.0
    while not stopping:
        now = time.monotonic()
        due = [d.queue[0][0] for d in (up, down) if d.queue]
        timeout = max(0.0, min(due) - now) if due else 0.1
        try:
            events = sel.select(min(timeout, 0.1))
        except InterruptedError:
            continue
        now = time.monotonic()
        for key, _ in events:
            d = by_fd[key.fd]
            while True:
                try:
                    packet = os.read(key.fd, 65535)
                except BlockingIOError:
                    break
                except OSError:
                    break
                if not packet:
                    break
                d.take(packet, now)
        now = time.monotonic()
        up.release(now)
        down.release(now)
        if now >= next_stats:
            write_stats()
            next_stats = now + 0.1
    write_stats()
    return 0


if __name__ == "__main__":
    sys.exit(main())
