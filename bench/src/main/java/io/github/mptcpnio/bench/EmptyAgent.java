package io.github.mptcpnio.bench;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * An agent that does nothing: what {@code -javaagent} itself costs the JVM (the instrument library, the agent's jar,
 * and the JVM's module graph resolved at start instead of taken from the CDS archive). The floor under ours.
 *
 * <p>With the option {@code hook} it registers one class-file transformer that changes nothing, as ours must (Netty's
 * classes are rewritten as they load, in any class loader, at any time): the JVM then hands every class it loads from
 * then on to the agent — for a class from the CDS archive it first reads the bytes from the runtime image — and the
 * instrument library calls into Java with a copy of them.
 */
public final class EmptyAgent {
    private EmptyAgent() {}

    public static void premain(String args, Instrumentation inst) {
        if ("hook".equals(args)) {
            inst.addTransformer(new NoChange(), false);
        }
    }

    /** A transformer that changes nothing. */
    static final class NoChange implements ClassFileTransformer {
        @Override
        public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                                ProtectionDomain domain, byte[] bytes) {
            return null;
        }
    }
}
