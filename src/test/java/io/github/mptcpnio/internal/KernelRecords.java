package io.github.mptcpnio.internal;

import io.github.mptcpnio.internal.KnownDifferences.Difference;
import io.github.mptcpnio.internal.KnownDifferences.Family;
import io.github.mptcpnio.internal.KnownDifferences.Kind;
import io.github.mptcpnio.internal.KnownDifferences.LaunchMode;
import io.github.mptcpnio.internal.KnownDifferences.State;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code CompatibilityIT} observed on each kernel series, one file per series:
 * {@code src/test/resources/compatibility/linux-<series>.tsv}, a line {@code MODE<TAB>key<TAB>mptcp=... jdk=...} per
 * difference (key: {@code subject [GET|SET] STATE FAMILY KIND}), for the older kernels: what their guests measured
 * ({@code KernelsIT}), written by {@code CompatibilityIT} with {@code -Dmptcp.nio.regenerate=true}, never by hand.
 * Linux 6.18, this machine's kernel, has no file: there {@link KnownDifferences#TABLE} is the record, and
 * {@code CompatibilityIT} holds the kernel to it.
 */
public final class KernelRecords {
    private KernelRecords() {}

    /** The kernel series measured, oldest first: Debian 12's, Debian 13's and this machine's. */
    public static final List<String> KERNELS = List.of("6.1", "6.12", "6.18");

    /** The series {@link KnownDifferences#TABLE} describes. */
    public static final String TABLE_KERNEL = "6.18";

    public static Path file(String series) {
        return Path.of("src", "test", "resources", "compatibility", "linux-" + series + ".tsv");
    }

    /**
     * What was measured on a series: for {@link #TABLE_KERNEL} the table itself (which {@code CompatibilityIT} holds
     * to the kernel there), for another series its file; empty if that series was never measured.
     */
    public static Optional<Map<LaunchMode, Map<String, String>>> recorded(String series) {
        if (!series.equals(TABLE_KERNEL)) {
            return read(series);
        }
        Map<LaunchMode, Map<String, String>> out = new EnumMap<>(LaunchMode.class);
        for (LaunchMode m : LaunchMode.values()) {
            out.put(m, expand(m));
        }
        return Optional.of(out);
    }

    /** {@link #recorded} of every series in {@link #KERNELS} that has a record, oldest first. */
    public static Map<String, Map<LaunchMode, Map<String, String>>> allRecorded() {
        Map<String, Map<LaunchMode, Map<String, String>>> out = new LinkedHashMap<>();
        for (String series : KERNELS) {
            recorded(series).ifPresent(r -> out.put(series, r));
        }
        return out;
    }

    private static Map<LaunchMode, Map<String, String>> emptyRecord() {
        Map<LaunchMode, Map<String, String>> out = new EnumMap<>(LaunchMode.class);
        for (LaunchMode m : LaunchMode.values()) {
            out.put(m, new TreeMap<>());
        }
        return out;
    }

    /** The file of a series, empty if there is none. */
    public static Optional<Map<LaunchMode, Map<String, String>>> read(String series) {
        Path f = file(series);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        Map<LaunchMode, Map<String, String>> out = emptyRecord();
        try {
            for (String line : Files.readAllLines(f)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split("\t", 3);
                if (p.length != 3) {
                    throw new IllegalStateException(f + ": not MODE<TAB>key<TAB>value: " + line);
                }
                out.get(LaunchMode.valueOf(p[0])).put(p[1], p[2]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.of(out);
    }

    /** Replaces one launch mode's part of a series' record, keeping the other's. */
    public static void write(String series, LaunchMode mode, Map<String, String> differences, String measuredOn)
            throws IOException {
        Map<LaunchMode, Map<String, String>> all = read(series).orElseGet(KernelRecords::emptyRecord);
        all.put(mode, new TreeMap<>(differences));
        StringBuilder text = new StringBuilder("# measured on ").append(measuredOn).append(" (").append(mode)
                .append(" part last); written by CompatibilityIT -Dmptcp.nio.regenerate=true, never by hand\n");
        for (Map.Entry<LaunchMode, Map<String, String>> m : all.entrySet()) {
            for (Map.Entry<String, String> d : m.getValue().entrySet()) {
                text.append(m.getKey()).append('\t').append(d.getKey()).append('\t').append(d.getValue()).append('\n');
            }
        }
        Files.createDirectories(file(series).getParent());
        Files.writeString(file(series), text);
    }

    /** Every difference {@link KnownDifferences#TABLE} lists for a launch mode, in the record's form. */
    public static Map<String, String> expand(LaunchMode mode) {
        Map<String, String> out = new TreeMap<>();
        for (Difference d : KnownDifferences.TABLE) {
            out.putAll(expand(d, mode));
        }
        return out;
    }

    /** The record lines one row of the table stands for in a launch mode (none where it shows no difference). */
    public static Map<String, String> expand(Difference d, LaunchMode mode) {
        Map<String, String> out = new TreeMap<>();
        if (d.observed(mode) == null) {
            return out;
        }
        for (State s : d.states(mode)) {
            for (Family f : d.families()) {
                for (Kind k : d.kinds(mode)) {
                    out.put(d.subject() + (d.operation() == null ? "" : " " + d.operation()) + " " + s + " " + f
                            + " " + k, "mptcp=" + d.observed(mode) + " jdk=" + d.jdk());
                }
            }
        }
        return out;
    }

    /** "Linux 6.1 (6.1.0-57-amd64) and ..." for the series with a file, as their headers name them. */
    public static String measuredKernels() {
        List<String> out = new ArrayList<>();
        for (String series : KERNELS) {
            Path f = file(series);
            if (series.equals(TABLE_KERNEL) || !Files.isRegularFile(f)) {
                continue;
            }
            String header;
            try (var lines = Files.lines(f)) {
                header = lines.findFirst().orElse("");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String prefix = "# measured on Linux ";
            out.add("Linux " + series + (header.startsWith(prefix) && header.indexOf(',') > 0
                    ? " (" + header.substring(prefix.length(), header.indexOf(',')) + ")" : ""));
        }
        return out.isEmpty() ? "no other kernel yet" : String.join(" and ", out);
    }

    /** Where a row of the table occurs: the series whose records hold all of it, or part of it ("part"). */
    public static String kernelsOf(Difference d, Map<String, Map<LaunchMode, Map<String, String>>> records) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Map<LaunchMode, Map<String, String>>> record : records.entrySet()) {
            int present = 0;
            int all = 0;
            for (LaunchMode m : LaunchMode.values()) {
                for (Map.Entry<String, String> e : expand(d, m).entrySet()) {
                    all++;
                    if (e.getValue().equals(record.getValue().get(m).get(e.getKey()))) {
                        present++;
                    }
                }
            }
            if (present == all) {
                out.add(record.getKey());
            } else if (present > 0) {
                out.add(record.getKey() + " (part)");
            }
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    /** One difference that Linux 6.18 does not have, gathered over the places and kernels it occurs in. */
    private record Extra(String operation, String mptcp, String jdk, Set<String> kernels, Set<LaunchMode> modes,
                         Set<String> states, Set<String> families, Set<String> kinds) {}

    /** The section after the table: differences that occur on an older kernel and not on {@link #TABLE_KERNEL}. */
    public static String olderKernelsMarkdown(Map<String, Map<LaunchMode, Map<String, String>>> records) {
        Map<String, Extra> extras = new TreeMap<>();
        Map<LaunchMode, Map<String, String>> table = recorded(TABLE_KERNEL).orElseThrow();
        for (Map.Entry<String, Map<LaunchMode, Map<String, String>>> record : records.entrySet()) {
            String series = record.getKey();
            if (series.equals(TABLE_KERNEL)) {
                continue;
            }
            for (LaunchMode m : LaunchMode.values()) {
                for (Map.Entry<String, String> e : record.getValue().get(m).entrySet()) {
                    if (e.getValue().equals(table.get(m).get(e.getKey()))) {
                        continue;
                    }
                    String[] words = e.getKey().split(" ");
                    int n = words.length;
                    String operation = String.join(" ", List.of(words).subList(0, n - 3));
                    int jdkAt = e.getValue().lastIndexOf(" jdk=");
                    String mptcp = e.getValue().substring("mptcp=".length(), jdkAt);
                    String jdk = e.getValue().substring(jdkAt + " jdk=".length());
                    Extra x = extras.computeIfAbsent(operation + "\t" + e.getValue(), k -> new Extra(operation, mptcp,
                            jdk, new TreeSet<>(), EnumSet.noneOf(LaunchMode.class), new TreeSet<>(), new TreeSet<>(),
                            new TreeSet<>()));
                    x.kernels().add(series);
                    x.modes().add(m);
                    x.states().add(words[n - 3].toLowerCase(Locale.ROOT));
                    x.families().add(words[n - 2]);
                    x.kinds().add(words[n - 1].toLowerCase(Locale.ROOT));
                }
            }
        }
        StringBuilder md = new StringBuilder("\n## Differences on older kernels only\n\n");
        if (extras.isEmpty()) {
            return md.append("None: the older kernels measured show no difference that Linux 6.18 does not.\n")
                    .toString();
        }
        md.append("Measured by the same probe in the guests; Linux 6.18 does not have these (the kernel changed, ")
          .append("or a value differs from 6.18's). The launch modes say where the difference shows.\n\n")
          .append("| operation | kernels | launch modes | where | families | kinds | JDK TCP | MPTCP |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
        for (Extra x : extras.values()) {
            md.append("| `").append(x.operation()).append("` | ").append(String.join(", ", x.kernels())).append(" | ")
              .append(x.modes().toString().toLowerCase(Locale.ROOT).replaceAll("[\\[\\]]", "")).append(" | ")
              .append(String.join(", ", x.states())).append(" | ").append(String.join(", ", x.families()))
              .append(" | ").append(String.join(", ", x.kinds())).append(" | ")
              .append(KnownDifferences.cell(x.jdk())).append(" | ").append(KnownDifferences.cell(x.mptcp()))
              .append(" |\n");
        }
        return md.toString();
    }
}
