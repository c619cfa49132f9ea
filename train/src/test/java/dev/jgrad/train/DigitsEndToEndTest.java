package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.losses.SoftmaxCrossEntropy;
import dev.jgrad.nn.Activation;
import dev.jgrad.nn.Linear;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Split;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI's default recipe ({@code jgrad train}, preset "digits"): MLP 64-128-64-10 with ReLU and He init,
 * AdamW lr 2e-3 weight decay 1e-4, cosine schedule, batch 32, 30 epochs, float32, seed 42, standardised
 * features, 80/20 stratified split, fused cross-entropy.
 */
class DigitsEndToEndTest {

    @Test
    void defaultDigitsRecipeReaches97PercentTestAccuracy() throws IOException {
        long seed = 42;
        int epochs = 30;
        double lr = 2e-3;
        DType dt = DType.FLOAT32;
        Tabular all = Datasets.digits();
        Split split = Split.stratified(all, 0.2, seed);
        Standardizer s = Standardizer.fit(split.train());
        Tabular train = s.transform(split.train());
        Tabular test = s.transform(split.test());
        assertEquals(all.size(), train.size() + test.size());
        assertTrue(Math.abs(test.size() - 0.2 * all.size()) <= 10, "test size " + test.size());

        Sequential model = Mlp.builder(train.numFeatures(), train.numClasses()).hidden(128, 64).activation(Activation.Kind.RELU)
                .dropout(0.0).seed(seed).dtype(dt).build();
        assertEquals(List.of(64, 128, 64, 10), List.of(((Linear) model.layers().get(0)).weight().size(1),
                ((Linear) model.layers().get(0)).weight().size(0), ((Linear) model.layers().get(2)).weight().size(0),
                ((Linear) model.layers().get(4)).weight().size(0)));
        Adam opt = Adam.adamW(model.parameters(), lr, 1e-4);
        Objective objective = Objective.crossEntropy(SoftmaxCrossEntropy.parse("fused"));
        Trainer trainer = Trainer.builder(model, opt).objective(objective).epochs(epochs)
                .schedule(LrSchedule.parse("cosine", lr, epochs)).clipGradNorm(0).progress(false).log(null).build();
        DataLoader trainLoader = new DataLoader(train, 32, true, false, seed, dt);
        DataLoader testLoader = new DataLoader(test, 512, false, false, seed, dt);

        List<EpochMetrics> history = trainer.fit(trainLoader, testLoader);
        assertEquals(epochs, history.size());
        Trainer.Evaluation ev = Trainer.evaluate(model, objective, testLoader);
        assertTrue(ev.accuracy() >= 0.97, "final test accuracy " + ev.accuracy() + " (loss " + ev.loss() + ")");
        assertEquals(test.size(), ev.samples());
        assertEquals(history.get(epochs - 1).testAccuracy(), ev.accuracy(), 1e-12);
        assertTrue(history.get(epochs - 1).trainAccuracy() > 0.99, "train accuracy " + history.get(epochs - 1).trainAccuracy());
        assertTrue(history.get(epochs - 1).trainLoss() < history.get(0).trainLoss() / 10);
        // the cosine schedule ends near zero
        assertTrue(history.get(epochs - 1).lr() < lr * 0.01);
    }
}
