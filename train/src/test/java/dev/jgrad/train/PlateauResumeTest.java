package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Datasets;
import dev.jgrad.data.Standardizer;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A ReduceLROnPlateau schedule's counters and rate travel with the checkpoint, so a resumed run continues exactly. */
class PlateauResumeTest {
    private static final int EPOCHS = 5;

    @TempDir
    Path dir;

    private static Tabular data() {
        Tabular iris = Datasets.iris();
        return Standardizer.fit(iris).transform(iris);
    }

    private static Trainer trainer(Sequential m, int epochs, Path checkpoint) {
        // a rate so small that the loss cannot improve by the threshold: with patience 0 the plateau schedule halves
        // the rate after every epoch but the first
        Trainer.Builder b = Trainer.builder(m, new Sgd(m.parameters(), 1e-6)).epochs(epochs)
                .schedule(LrSchedule.parse("plateau:0.5:0", 1e-6, epochs)).progress(false).log(null);
        if (checkpoint != null) b.checkpoint(checkpoint);
        return b.build();
    }

    private static DataLoader loader(Tabular t) {
        return new DataLoader(t, 32, true, false, 5, DType.FLOAT64);
    }

    @Test
    void aResumedPlateauScheduleContinuesWithTheReducedRate() throws IOException {
        Tabular t = data();
        List<EpochMetrics> full = trainer(Mlp.builder(4, 3).hidden(8).seed(3).dtype(DType.FLOAT64).build(), EPOCHS, null)
                .fit(loader(t), new DataLoader(t, 150, false, false, 0, DType.FLOAT64));
        assertEquals(1e-6, full.get(0).lr());
        assertTrue(full.get(EPOCHS - 1).lr() < full.get(2).lr(), "the rate was reduced: " + full);

        Path ck = dir.resolve("plateau.safetensors");
        trainer(Mlp.builder(4, 3).hidden(8).seed(3).dtype(DType.FLOAT64).build(), 3, ck)
                .fit(loader(t), new DataLoader(t, 150, false, false, 0, DType.FLOAT64));
        assertTrue(SafeTensors.readHeader(ck).metadata().containsKey(CheckpointListener.SCHEDULE_PREFIX + "num_bad_epochs"));
        Trainer resumed = trainer(Mlp.builder(4, 3).hidden(8).seed(3).dtype(DType.FLOAT64).build(), EPOCHS, null);
        assertEquals(3, resumed.resume(ck));
        List<EpochMetrics> rest = resumed.fit(loader(t), new DataLoader(t, 150, false, false, 0, DType.FLOAT64));
        assertEquals(2, rest.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(full.get(3 + i).lr(), rest.get(i).lr(), "lr of epoch " + (4 + i));
            assertEquals(full.get(3 + i).trainLoss(), rest.get(i).trainLoss(), "train loss of epoch " + (4 + i));
        }
    }
}
