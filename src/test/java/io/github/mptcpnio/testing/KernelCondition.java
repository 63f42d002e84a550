package io.github.mptcpnio.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The condition behind {@link MeasuredOnKernel}, for JUnit Jupiter and (as a skip hook) for jqwik. */
public final class KernelCondition implements ExecutionCondition, SkipExecutionHook {
    private static final Pattern SERIES = Pattern.compile("^(\\d+\\.\\d+)");

    /** {@code major.minor} of the running kernel, from {@code os.version}. */
    public static String runningSeries() {
        Matcher m = SERIES.matcher(System.getProperty("os.version", ""));
        return m.find() ? m.group(1) : "unknown (" + System.getProperty("os.version") + ")";
    }

    /** Empty when the running kernel is the one {@code measuredOn} names; otherwise the skip reason. */
    public static Optional<String> mismatch(String measuredOn) {
        String running = runningSeries();
        return running.equals(measuredOn) ? Optional.empty()
                : Optional.of("asserts behaviour measured on Linux " + measuredOn + "; this kernel is Linux " + running);
    }

    private static Optional<String> evaluate(Optional<? extends AnnotatedElement> element) {
        return element.flatMap(e -> AnnotationSupport.findAnnotation(e, MeasuredOnKernel.class))
                .flatMap(a -> mismatch(a.value()));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> skip = evaluate(context.getElement());
        if (skip.isEmpty() && context.getTestClass().isPresent() && context.getElement().isPresent()
                && context.getElement().get() != context.getTestClass().get()) {
            skip = evaluate(context.getTestClass());
        }
        return skip.isPresent() ? ConditionEvaluationResult.disabled("skipped: " + skip.get())
                : ConditionEvaluationResult.enabled("kernel matches");
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        Optional<String> skip = evaluate(context.optionalElement());
        return skip.isPresent() ? SkipResult.skip("skipped: " + skip.get()) : SkipResult.doNotSkip();
    }
}
