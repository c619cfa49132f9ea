package dev.jgrad.train.reliability;

import dev.jgrad.core.GradMode;
import dev.jgrad.core.IntTensor;
import dev.jgrad.core.Tensor;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.ops.Ops;
import dev.jgrad.train.Objective;
import dev.jgrad.train.TrainingDivergedException;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.Checkpoint;
import dev.jgrad.nn.io.SafeTensorsException;
import dev.jgrad.nn.optim.Sgd;
import dev.jgrad.nn.reliability.NnCatalogueSupport;
import dev.jgrad.ops.reliability.BadInputCatalogue;
import dev.jgrad.train.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.jgrad.core.DType.FLOAT64;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.linear;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.mlp;
import static dev.jgrad.nn.reliability.NnCatalogueSupport.stepped;

/**
 * The bad-input catalogue of train: the Trainer's builder and resuming from a checkpoint. Each case is run by the
 * shared harness ({@link BadInputCatalogue}, from the ops test-jar), which checks the exception's exact type, that its
 * message names the API and the offending argument, and that no watched state changed (the model and the optimizer as
 * snapshotted by {@link NnCatalogueSupport#MODULES_AND_OPTIMIZERS} from the nn test-jar, the checkpoint file).
 */
class TrainBadInputCatalogueTest extends BadInputCatalogue {
    private static final Class<SafeTensorsException> STE = SafeTensorsException.class;

    TrainBadInputCatalogueTest() {
        super(NnCatalogueSupport.MODULES_AND_OPTIMIZERS);
    }

    @Override
    protected void register() {
        trainerCases();
    }

    // ================================================================== the trainer

    /** Cross-entropy plus +inf while training (a constant: the gradients stay finite). */
    private static final Objective INFINITE_LOSS = new Objective() {
        private final Objective ce = Objective.crossEntropy(SoftmaxCrossEntropy.FUSED);

        public Tensor loss(Tensor output, IntTensor labels) {
            Tensor l = ce.loss(output, labels);
            return GradMode.isEnabled() ? Ops.add(l, Double.POSITIVE_INFINITY) : l;
        }

        public int correct(Tensor output, IntTensor labels) {
            return ce.correct(output, labels);
        }

        public String name() {
            return "infinite";
        }
    };

    /** Eight rows of 4 features in 3 classes, in 2 batches of 4. */
    private static DataLoader eightRows() {
        double[][] x = new double[8][4];
        int[] y = new int[8];
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 4; j++) x[i][j] = Math.sin(i + 3 * j);
            y[i] = i % 3;
        }
        return new DataLoader(Tabular.of(x, y, 3), 4, false, false, 1, FLOAT64);
    }

    private void trainerCases() {
        add("Trainer.builder", "null model", IAE, msg("Trainer", "model is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(null, opt), l, opt);
        });
        add("Trainer.builder", "null optimizer", IAE, msg("Trainer", "optimizer is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            return act(() -> Trainer.builder(l, null), l);
        });
        add("Trainer.Builder.epochs", "zero epochs", IAE, msg("Trainer", "epochs 0 must be positive"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).epochs(0), l, opt);
        });
        add("Trainer.Builder.epochs", "negative epochs", IAE, msg("Trainer", "epochs -3 must be positive"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).epochs(-3), l, opt);
        });
        add("Trainer.Builder.clipGradNorm", "negative norm", IAE, msg("Trainer", "clipGradNorm -1.0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).clipGradNorm(-1.0), l, opt);
        });
        add("Trainer.Builder.clipGradNorm", "NaN norm", IAE, msg("Trainer", "clipGradNorm NaN"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).clipGradNorm(Double.NaN), l, opt);
        });
        add("Trainer.Builder.objective", "null", IAE, msg("Trainer", "objective is null"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).objective(null), l, opt);
        });
        add("Trainer.resume", "checkpoint without epochs_completed", IAE, msg("checkpoint", "no epochs_completed entry"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of());
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
        add("Trainer.resume", "epochs_completed not a number", IAE, msg("checkpoint", "epochs_completed 'two'"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of("epochs_completed", "two"));
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
        add("Trainer.resume", "negative epochs_completed", IAE, msg("checkpoint", "epochs_completed '-1'"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of("epochs_completed", "-1"));
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
        add("Trainer.Builder.skipNonFiniteBatches", "negative limit", IAE, msg("Trainer", "skipNonFiniteBatches -1 must be >= 0"), () -> {
            Linear l = linear(2, 2, FLOAT64);
            Sgd opt = new Sgd(l.parameters(), 0.1);
            return act(() -> Trainer.builder(l, opt).skipNonFiniteBatches(-1), l, opt);
        });
        // a non-finite loss with finite gradients: the run stops before the step, nothing changed
        add("Trainer.fit", "non-finite loss on the first batch", TrainingDivergedException.class,
                msg("training diverged in epoch 1, batch 1 of 2 (step 1 of the run)", "the training loss became +inf"), () -> {
            Sequential m = Mlp.builder(4, 3).hidden(5).dtype(FLOAT64).seed(1).build();
            Adam opt = Adam.adamW(m.parameters(), 1e-2, 1e-4);
            Trainer t = Trainer.builder(m, opt).objective(INFINITE_LOSS).epochs(2).progress(false).log(null).build();
            return act(() -> t.fit(eightRows(), null), m, opt);
        });
        add("Trainer.fit", "one more non-finite batch than skipNonFiniteBatches allows", TrainingDivergedException.class,
                msg("epoch 1, batch 2 of 2 (step 2 of the run)", "1 batches with a non-finite loss were skipped before",
                        "(skipNonFiniteBatches 1)"), () -> {
            Sequential m = Mlp.builder(4, 3).hidden(5).dtype(FLOAT64).seed(1).build();
            Adam opt = Adam.adamW(m.parameters(), 1e-2, 1e-4);
            Trainer t = Trainer.builder(m, opt).objective(INFINITE_LOSS).epochs(2).progress(false).log(null).skipNonFiniteBatches(1).build();
            return act(() -> t.fit(eightRows(), null), m, opt);
        });
        add("Trainer.resume", "corrupt checkpoint", STE, msg("ck.safetensors", "CRC-32 mismatch"), () -> {
            Path f = file("ck.safetensors");
            Sequential saved = mlp(1, FLOAT64, 5);
            Checkpoint.save(f, saved, stepped(new Sgd(saved.parameters(), 0.1, 0.9, 0, false, 0), 1), Map.of("epochs_completed", "1"));
            byte[] b = Files.readAllBytes(f);
            b[b.length - 1] ^= 0x40;
            Files.write(f, b);
            Sequential m = mlp(2, FLOAT64, 5);
            Sgd opt = stepped(new Sgd(m.parameters(), 0.1, 0.9, 0, false, 0), 2);
            Trainer t = Trainer.builder(m, opt).epochs(3).log(null).build();
            return act(() -> t.resume(f), m, opt, f);
        });
    }
}
