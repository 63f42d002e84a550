package io.github.mptcpnio;

import io.github.mptcpnio.DifferentialIT.Op;
import io.github.mptcpnio.DifferentialIT.Setup;
import io.github.mptcpnio.internal.KnownDifferences.LaunchMode;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the samples of {@link DifferentialIT} written to a file, with the sockets of this JVM (channels of
 * {@code SelectorProvider.provider()}, {@code java.net} sockets), and prints one line per sample: its outcomes,
 * normalised for the agent's listed differences. {@code DifferentialIT} runs it in a plain JVM and under the agent
 * and compares the lines.
 */
public final class DifferentialRunner {
    private DifferentialRunner() {}

    /** One generated case. */
    record Sample(Setup setup, List<Op> ops) implements Serializable {}

    public static void main(String[] args) throws Exception {
        List<Sample> samples = read(Path.of(args[0]));
        SelectorProvider provider = SelectorProvider.provider();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            List<String> outcomes = DifferentialIT.run(provider, s.setup(), s.ops(), LaunchMode.AGENT);
            out.append(i).append('\t').append(String.join(" | ", outcomes).replace('\n', ' ')).append('\n');
        }
        System.out.print(out);
    }

    @SuppressWarnings("unchecked")
    private static List<Sample> read(Path file) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(file))) {
            return (List<Sample>) in.readObject();
        }
    }
}
