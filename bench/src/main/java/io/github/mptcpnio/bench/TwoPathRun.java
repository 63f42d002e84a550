package io.github.mptcpnio.bench;

import apps.BulkApp;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.Recordings;
import io.github.mptcpnio.testing.Lines;
import io.github.mptcpnio.testing.TwoPaths;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Benchmark 6: the multipath fixture of the tests ({@link TwoPaths}: two namespaces joined by two veth links, the
 * server announcing its path-B address), both paths limited to the same rate with tbf. The unmodified
 * {@link BulkApp} runs in forked JVMs with the switch.
 * <ul>
 * <li>Aggregation: the same transfer with both paths up and with path B down, alternating, goodput from the
 * receiver's first byte to EOF.</li>
 * <li>Failover: a longer transfer during which path A (the initial subflow's) goes down; the client's transmit
 * counters of both links are sampled every 100 ms for the throughput-over-time plot.</li>
 * </ul>
 */
final class TwoPathRun {
    private static final long MIB = 1 << 20;
    private final boolean smoke;
    private final Path out;

    TwoPathRun(boolean smoke, Path out) {
        this.smoke = smoke;
        this.out = out;
    }

    Results.TwoPath run() throws Exception {
        Results.TwoPath r = new Results.TwoPath();
        r.rateMbit = 50;
        r.bytes = smoke ? 2 * MIB : 48 * MIB;
        int reps = smoke ? 1 : 3;
        List<Double> one = new ArrayList<>();
        List<Double> two = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        List<Double> share = new ArrayList<>();
        try (TwoPaths net = TwoPaths.create()) {
            net.announcePathB(false);
            net.rateLimit("pa", r.rateMbit);
            net.rateLimit("pb", r.rateMbit);
            for (int rep = 0; rep < reps; rep++) {
                long a0 = net.clientTxBytes("pa");
                long b0 = net.clientTxBytes("pb");
                double twoMbps = goodput(net, r.bytes);
                long onA = net.clientTxBytes("pa") - a0;
                long onB = net.clientTxBytes("pb") - b0;
                net.down("pb");
                double oneMbps = goodput(net, r.bytes);
                net.up("pb");
                Thread.sleep(1000);
                System.out.printf("=== two paths: %.1f Mbit/s, one path: %.1f Mbit/s, path A carried %.0f %%%n",
                        twoMbps, oneMbps, 100.0 * onA / (onA + onB));
                two.add(twoMbps);
                one.add(oneMbps);
                ratio.add(twoMbps / oneMbps);
                share.add(100.0 * onA / (onA + onB));
            }
            r.onePath = Stat.of(one);
            r.twoPaths = Stat.of(two);
            r.ratio = Stat.of(ratio);
            r.shareA = Stat.of(share);
            failover(net, r);
        }
        return r;
    }

    private static double goodput(TwoPaths net, long bytes) throws Exception {
        Map<String, String> server = net.transfer(TwoPaths.A4_SERVER, bytes, "selector", true).get(0);
        return bytes * 8.0 / 1000 / Long.parseLong(server.get("millis"));
    }

    private void failover(TwoPaths net, Results.TwoPath r) throws Exception {
        r.failoverBytes = smoke ? 16 * MIB : 96 * MIB;
        r.downAfterBytes = smoke ? 4 * MIB : 32 * MIB;
        String port = String.valueOf(TwoPaths.PORT);
        List<double[]> samples = new CopyOnWriteArrayList<>();
        try (Forked.Running server = Forked.jvm().in(net.server).enabled()
                .start(BulkApp.class.getName(), "server", port, "selector")) {
            server.awaitLine("listening=", 30);
            long t0 = System.nanoTime();
            java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread sampler = new Thread(() -> sample(net, t0, samples, sampling), "link-counters");
            sampler.setDaemon(true);
            sampler.start();
            Path recording = Files.createTempFile("failover-client", ".jfr");
            Path jfc = Files.createTempFile("mptcp-nio", ".jfc");
            long downAtWall;
            try (Forked.Running client = Forked.jvm().in(net.client).enabled()
                    .args(Recordings.flag(recording, jfc))
                    .start(BulkApp.class.getName(), "client", TwoPaths.A4_SERVER, port,
                            String.valueOf(r.failoverBytes))) {
                while (Long.parseLong(server.awaitLine("progress=", 120).substring("progress=".length()))
                        < r.downAfterBytes) {
                    // wait until the receiver has the first part
                }
                r.downAtSeconds = (System.nanoTime() - t0) / 1e9;
                downAtWall = System.currentTimeMillis();
                net.down("pa");
                Forked.Result c = client.finish(300).assertExit(0);
                Forked.Result s = server.finish(30).assertExit(0);
                Thread.sleep(300);
                sampling.set(false); // not an interrupt: that would cut a running `ip netns exec` short
                sampler.join(5000);
                Map<String, String> sf = Lines.parse(s.stdout());
                r.intact = String.valueOf(r.failoverBytes).equals(sf.get("received"))
                        && sf.get("sha256").equals(Lines.parse(c.stdout()).get("sha256"));
                if (!r.intact) {
                    throw new IllegalStateException("failover lost or changed bytes:\n" + s + "\n" + c);
                }
                r.maxStallMs = Long.parseLong(sf.get("maxStallMs"));
                r.failoverMillis = Long.parseLong(sf.get("millis"));
            }
            Path jfrPng = out.resolve(smoke ? "subflows-jfr-smoke.png" : "subflows-jfr.png");
            r.subflowEvents = SubflowPlot.render(recording, downAtWall, "Failover, as the client JVM's Flight "
                    + "Recorder saw it (io.github.mptcpnio.Subflow events, every 250 ms)", jfrPng);
            r.jfrPlot = jfrPng.getFileName().toString();
            Files.deleteIfExists(recording);
            Files.deleteIfExists(jfc);
        }
        r.series = rates(samples);
        Path png = out.resolve(smoke ? "failover-smoke.png" : "failover.png");
        FailoverPlot.render(r.series, r.downAtSeconds, r.rateMbit, png);
        r.plot = png.getFileName().toString();
        System.out.printf("=== failover: path A down at %.1f s, longest stall %d ms, intact%n", r.downAtSeconds,
                r.maxStallMs);
    }

    /** Every 100 ms: seconds since t0 and the client's transmit byte counters of path A and path B. */
    private static void sample(TwoPaths net, long t0, List<double[]> samples,
                               java.util.concurrent.atomic.AtomicBoolean sampling) {
        try {
            while (sampling.get()) {
                String[] v = net.client.exec("cat", "/sys/class/net/pa/statistics/tx_bytes",
                        "/sys/class/net/pb/statistics/tx_bytes").trim().split("\\s+");
                samples.add(new double[] {(System.nanoTime() - t0) / 1e9, Double.parseDouble(v[0]),
                    Double.parseDouble(v[1])});
                Thread.sleep(100);
            }
        } catch (Exception e) {
            System.out.println("=== link counters unreadable: " + e);
            samples.add(new double[] {Double.NaN, Double.NaN, Double.NaN});
        }
    }

    /** Counter samples to {time, Mbit/s on A, Mbit/s on B} per interval (wire bytes, headers included). */
    static List<double[]> rates(List<double[]> samples) {
        List<double[]> out = new ArrayList<>();
        for (int i = 1; i < samples.size(); i++) {
            double[] p = samples.get(i - 1);
            double[] c = samples.get(i);
            if (Double.isNaN(c[0])) {
                throw new IllegalStateException("the link counters could not be read");
            }
            double dt = c[0] - p[0];
            out.add(new double[] {c[0], (c[1] - p[1]) * 8 / dt / 1e6, (c[2] - p[2]) * 8 / dt / 1e6});
        }
        return out;
    }
}
