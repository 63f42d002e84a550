#!/usr/bin/env bash
# Shows the two-host stall of docs/performance.md as it happens: one 3-second transfer of bench's TwoHostApp between
# two fresh network namespaces over an unthrottled veth pair (1 subflow, kernel buffer sizes), while the MPTCP-level
# sequence numbers of both ends are sampled with `ss -Mi` every ~10 ms. For every stretch in which the sender's
# DATA_ACK did not move for 50 ms or more, it prints how long it lasted, how many bytes the sender was holding
# un-acknowledged (its whole send buffer when it is blocked) and how many of those the receiver's MPTCP socket
# already had (rcv_nxt - the sender's snd_una).
#
#   bench/stall-trace.sh [agent|mptcpize|jdk]      as root, after bench/run.sh built bench/target/ (or mvn package)
#
# Needs iproute2 (ip, ss), mptcpize for that baseline, python3 for the 64-bit arithmetic.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:-agent}
[ "$(id -u)" = 0 ] || { echo "run as root: it creates network namespaces" >&2; exit 2; }
cp=bench/target/benchmarks.jar
agent=$(ls target/mptcp-nio-*-all.jar | head -n1)
[ -f "$cp" ] && [ -f "$agent" ] || { echo "build first: mvn -B install -DskipTests && mvn -B -f bench/pom.xml package" >&2; exit 2; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
flags=(--add-exports=java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)
pre=()
case "$baseline" in
  agent) flags+=(-Dbench.baseline=mptcp-nio-agent "-javaagent:$agent") ;;
  mptcpize) flags+=(-Dbench.baseline=mptcpize); pre=(mptcpize run) ;;
  jdk) flags+=(-Dbench.baseline=jdk) ;;
  *) echo "baseline: agent, mptcpize or jdk" >&2; exit 2 ;;
esac

c=mptcpnio-trace-c-$$; s=mptcpnio-trace-s-$$
work=$(mktemp -d)
cleanup() {
  pkill -f "TwoHostApp receiver 6000 $work" 2>/dev/null || true
  ip netns del "$c" 2>/dev/null || true
  ip netns del "$s" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$c"; ip netns add "$s"
ip link add pa netns "$c" type veth peer name pa netns "$s"
ip -n "$c" addr add 192.0.2.2/24 dev pa; ip -n "$s" addr add 192.0.2.1/24 dev pa
for n in "$c" "$s"; do ip -n "$n" link set lo up; ip -n "$n" link set pa up; done

ip netns exec "$s" "${pre[@]}" "$java" "${flags[@]}" -cp "$cp" io.github.mptcpnio.bench.TwoHostApp \
  receiver 6000 "$work/received" > "$work/receiver.log" 2>&1 &
for _ in $(seq 100); do grep -q listening= "$work/receiver.log" && break; sleep 0.1; done
grep -q listening= "$work/receiver.log" || { cat "$work/receiver.log"; exit 1; }
ip netns exec "$c" "${pre[@]}" "$java" "${flags[@]}" -cp "$cp" io.github.mptcpnio.bench.TwoHostApp \
  sender 192.0.2.1 6000 0 direct 3 1 "$work/sent" > "$work/sender.log" 2>&1 &
sender=$!
sleep 1 # past the JVM's start and the first second of the transfer
for _ in $(seq 150); do
  printf '%s %s %s\n' "$(date +%s.%N)" \
    "$(ip netns exec "$c" ss -HMni state established | grep -o 'write_seq:[0-9a-f]* snd_una:[0-9a-f]*' | head -1)" \
    "$(ip netns exec "$s" ss -HMni state established | grep -o 'rcv_nxt:[0-9a-f]*' | head -1)"
done > "$work/samples"
wait "$sender" || { cat "$work/sender.log"; exit 1; }
echo "$baseline: $(grep -o 'mbps=[0-9.]*' "$work/sender.log") MB/s over the whole transfer"
python3 - "$work/samples" <<'EOF'
import sys
def d(a, b):  # a - b in 64-bit sequence space
    x = (a - b) % 2**64
    return x if x < 2**63 else x - 2**64
rows = []
for line in open(sys.argv[1]):
    f = dict(p.split(':') for p in line.split()[1:] if ':' in p)
    if {'write_seq', 'snd_una', 'rcv_nxt'} <= f.keys():
        rows.append((float(line.split()[0]), int(f['write_seq'], 16), int(f['snd_una'], 16), int(f['rcv_nxt'], 16)))
if len(rows) < 2:
    sys.exit("no samples of an established MPTCP connection (is the baseline MPTCP?)")
t0, stalls, start = rows[0][0], 0, None
for prev, cur in zip(rows, rows[1:] + [None]):
    moving = cur is None or d(cur[2], prev[2]) != 0
    if start is None and not moving:
        start = prev
    if start is not None and moving:
        ms = (prev[0] - start[0]) * 1000
        if ms >= 50:
            stalls += 1
            print("DATA_ACK still for %4.0f ms from %.3f s: sender un-acked %9d bytes, receiver had %9d of them"
                  % (ms, start[0] - t0, d(start[1], start[2]), d(start[3], start[2])))
        start = None
print("%d stalls of 50 ms or more in %.2f s sampled" % (stalls, rows[-1][0] - t0))
EOF
