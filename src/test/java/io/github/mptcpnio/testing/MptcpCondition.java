package io.github.mptcpnio.testing;

import io.github.mptcpnio.internal.linux.LibC;
import io.github.mptcpnio.internal.linux.Linux;
import io.github.mptcpnio.internal.linux.NativeCallException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The condition behind {@link RequiresMptcp}. */
public final class MptcpCondition implements ExecutionCondition {

    /** Whether CI demands that nothing skips. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("MPTCP_REQUIRED"));
    }

    /** Go's canCreateMPTCPSocket: empty if a raw MPTCP socket can be made, else why not. */
    public static Optional<String> cannotCreateMptcpSocket() {
        Optional<LibC> libc = LibC.instance();
        if (libc.isEmpty()) {
            return Optional.of("native binding not loaded: " + LibC.loadFailure().orElse(null));
        }
        try {
            int fd = libc.get().socket(Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, Linux.IPPROTO_MPTCP);
            libc.get().close(fd);
            return Optional.empty();
        } catch (NativeCallException e) {
            return Optional.of("cannot create MPTCP sockets: " + e.getMessage());
        }
    }

    /** Empty if we can make network namespaces and read their counters, else why not. */
    public static Optional<String> cannotUseNetns() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("network namespaces need root (running as " + System.getProperty("user.name") + ")");
        }
        for (String tool : new String[] {"ip", "nstat", "sysctl"}) {
            if (Netns.which(tool).isEmpty()) {
                return Optional.of("'" + tool + "' not found (install iproute2 / procps)");
            }
        }
        return Optional.empty();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<RequiresMptcp> annotation = context.getElement()
                .flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresMptcp.class));
        if (annotation.isEmpty()) {
            return ConditionEvaluationResult.enabled("no @RequiresMptcp");
        }
        Optional<String> missing = cannotCreateMptcpSocket();
        if (missing.isEmpty() && annotation.get().netns()) {
            missing = cannotUseNetns();
        }
        for (String tool : annotation.get().tools()) {
            if (missing.isEmpty() && Netns.which(tool).isEmpty()) {
                missing = Optional.of("'" + tool + "' not found (install the Debian package that has it)");
            }
        }
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("MPTCP prerequisites present");
        }
        if (required()) {
            throw new IllegalStateException("MPTCP_REQUIRED=true but " + missing.get());
        }
        return ConditionEvaluationResult.disabled("skipped: " + missing.get());
    }

    static boolean exists(Path p) {
        return Files.isExecutable(p);
    }
}
