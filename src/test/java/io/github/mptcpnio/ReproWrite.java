package io.github.mptcpnio;

import io.github.mptcpnio.DifferentialIT.*;
import io.github.mptcpnio.internal.KnownDifferences.Kind;
import java.io.ObjectOutputStream;
import java.nio.file.*;
import java.util.*;

/** Temporary: writes N copies of the CI failure's first steps. */
public class ReproWrite {
    public static void main(String[] a) throws Exception {
        List<DifferentialRunner.Sample> s = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(a[1]); i++) {
            s.add(new DifferentialRunner.Sample(new Setup(Family.INET6_TO_IPV4, Bind.LOOPBACK_EXPLICIT_PORT, true,
                    Kind.CHANNEL, List.of(new SetOpt(0, 19, 1))),
                    List.of(new Write(1, 644, false, true, false), new End(1, 0),
                            new Read(0, 27020, false, false, false), new Read(0, 4, true, false, true))));
        }
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(Path.of(a[0])))) {
            out.writeObject(s);
        }
    }
}
