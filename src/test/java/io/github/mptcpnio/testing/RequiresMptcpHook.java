package io.github.mptcpnio.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

import java.util.Optional;

/** {@link RequiresMptcp} for jqwik containers, which do not run JUnit Jupiter conditions. Same rules. */
public final class RequiresMptcpHook implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        Optional<String> missing = MptcpCondition.cannotCreateMptcpSocket();
        if (missing.isEmpty()) {
            return SkipResult.doNotSkip();
        }
        if (MptcpCondition.required()) {
            throw new IllegalStateException("MPTCP_REQUIRED=true but " + missing.get());
        }
        return SkipResult.skip("skipped: " + missing.get());
    }
}
