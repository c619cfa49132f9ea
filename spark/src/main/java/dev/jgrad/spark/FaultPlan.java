package dev.jgrad.spark;

import org.apache.spark.TaskContext;

import java.io.Serializable;

/**
 * A deliberate failure for testing the recovery: the task of partition {@code rank} throws in global step {@code step}
 * (counted from 0 over the whole run), after its backward pass and before the gradient exchange, in the first attempt of its stage only, so the retried stage runs
 * through.
 *
 * @param rank the partition whose task fails
 * @param step the global step (epoch · steps per epoch + step in epoch) at which it fails
 */
public record FaultPlan(int rank, long step) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The exception a planned fault throws. */
    public static final class InjectedFault extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFault(String message) {
            super(message);
        }
    }

    /** Throws {@link InjectedFault} if this is the planned task, step and first attempt. */
    void maybeFail(int partition, long globalStep, TaskContext ctx) {
        if (partition == rank && globalStep == step && ctx.stageAttemptNumber() == 0 && ctx.attemptNumber() == 0) {
            throw new InjectedFault("jgrad-spark: injected fault in partition " + rank + " at step " + step + " (first attempt)");
        }
    }
}
