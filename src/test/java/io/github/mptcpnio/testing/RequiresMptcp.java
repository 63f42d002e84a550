package io.github.mptcpnio.testing;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the test only where MPTCP sockets can be created (and, with {@link #netns()}, where we are root with
 * iproute2 to make network namespaces). Skips with the reason otherwise; with {@code MPTCP_REQUIRED=true} (CI) a
 * missing prerequisite fails the test instead.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(MptcpCondition.class)
public @interface RequiresMptcp {
    /** Also needs root, {@code ip netns} and {@code nstat}. */
    boolean netns() default false;

    /** Commands the test runs besides iproute2's (looked up in /usr/sbin, /sbin, /usr/bin, /bin), e.g. {@code nft}. */
    String[] tools() default {};
}
