package io.github.mptcpnio.testing;

import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test asserts one kernel's behaviour (an option the kernel refuses, a struct size, how a path failure shows):
 * it runs on the kernel series it was measured on and skips, naming both kernels, on any other. Such a skip is not a
 * missing prerequisite, so {@code MPTCP_REQUIRED=true} does not turn it into a failure; the suite passes or skips
 * with a reason on any Linux 5.6 or later (DESIGN.md, "Tests").
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(KernelCondition.class)
public @interface MeasuredOnKernel {
    /** {@code major.minor} of the kernel the asserted behaviour was measured on, e.g. {@code "6.18"}. */
    String value();
}
