package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.core.Tensor;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.io.SafeTensors;
import dev.jgrad.nn.optim.Adam;
import dev.jgrad.nn.optim.LrSchedule;
import dev.jgrad.nn.optim.Sgd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listener interface of {@link Trainer}: the calls, their order and arguments, early stopping, and the built-in listeners. */
class TrainingListenerTest {
    private static Tabular train, test;

    @TempDir
    Path dir;

    @BeforeAll
    static void data() {
        Tabular[] d = TrainerTest.standardizedDigits();
        train = d[0];
        test = d[1];
    }

    private static Sequential model() {
        return Mlp.builder(64, 10).hidden(16).dropout(0.1).seed(3).build();
    }

    /** A quiet builder: no progress bar, no log, so only the listeners a test adds. */
    private static Trainer.Builder quiet(Sequential m, int epochs) {
        return Trainer.builder(m, Adam.adamW(m.parameters(), 1e-2, 1e-4)).epochs(epochs).progress(false).log(null);
    }

    private static DataLoader trainLoader() {
        return new DataLoader(train, 128, true, true, 1, DType.FLOAT32); // equal batches
    }

    private static DataLoader testLoader() {
        return new DataLoader(test, 500, false, false, 1, DType.FLOAT32);
    }

    /** Records every call as a line, and checks what the context says at each. */
    private static final class Recorder implements TrainingListener {
        final List<String> calls = new ArrayList<>();
        final List<Double> losses = new ArrayList<>();
        final List<EpochMetrics> ended = new ArrayList<>();
        TrainingContext ctx;

        @Override
        public void onFitStart(TrainingContext c) {
            ctx = c;
            calls.add("fitStart " + c.epochsCompleted() + "/" + c.epochs());
        }

        @Override
        public void onEpochStart(TrainingContext c, int epoch) {
            assertSame(ctx, c);
            assertEquals(epoch - 1, c.epochsCompleted());
            calls.add("epochStart " + epoch + " lr " + c.optimizer().lr());
        }

        @Override
        public void onBatchEnd(TrainingContext c, int batch, int batches, double loss) {
            if (batch == 1 || batch == batches) calls.add("batchEnd " + batch + "/" + batches);
            losses.add(loss);
        }

        @Override
        public void onEpochEnd(TrainingContext c, EpochMetrics m) {
            assertSame(m, c.history().get(c.history().size() - 1), "the epoch's metrics are the last of the history");
            assertEquals(m.epoch(), c.epochsCompleted());
            ended.add(m);
            calls.add("epochEnd " + m.epoch());
        }

        @Override
        public void onFitEnd(TrainingContext c) {
            calls.add("fitEnd " + c.history().size());
        }
    }

    @Test
    void aListenerReceivesEveryCallInOrderWithTheEpochsMetrics() throws IOException {
        Sequential m = model();
        Recorder r = new Recorder();
        Trainer t = quiet(m, 2).schedule(LrSchedule.step(1e-2, 1, 0.5)).listener(r).build();
        DataLoader loader = trainLoader();
        int n = loader.numBatches();
        List<EpochMetrics> h = t.fit(loader, testLoader());
        assertEquals(List.of("fitStart 0/2",
                "epochStart 1 lr 0.01", "batchEnd 1/" + n, "batchEnd " + n + "/" + n, "epochEnd 1",
                "epochStart 2 lr 0.005", "batchEnd 1/" + n, "batchEnd " + n + "/" + n, "epochEnd 2",
                "fitEnd 2"), r.calls);
        assertEquals(h, r.ended);
        assertEquals(t.history(), r.ctx.history());
        assertSame(m, r.ctx.model());
        assertEquals(2, r.ctx.epochs());
        assertEquals(n, r.ctx.batchesPerEpoch());
        assertTrue(r.ctx.objective().name().contains("FUSED"));
        assertThrows(UnsupportedOperationException.class, () -> r.ctx.history().clear(), "the history is read-only");
        // the batch losses are the ones the epoch's train loss averages (equal batches)
        assertEquals(2 * n, r.losses.size());
        for (int e = 0; e < 2; e++) {
            double sum = 0;
            for (int b = 0; b < n; b++) sum += r.losses.get(e * n + b);
            assertEquals(h.get(e).trainLoss(), sum / n, 1e-12, "epoch " + (e + 1));
        }
    }

    @Test
    void aStopRequestEndsTheFitAfterTheCurrentEpochAndALaterFitContinues() throws IOException {
        Sequential m = model();
        Path ck = dir.resolve("stop.safetensors");
        Recorder r = new Recorder();
        TrainingListener stopAfterTwo = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
                if (metrics.epoch() == 2) ctx.requestStop();
                assertEquals(metrics.epoch() == 2, ctx.stopRequested());
            }
        };
        // the stopping listener comes before the recorder: the epoch still ends on every listener
        Trainer t = quiet(m, 5).checkpoint(ck).listener(stopAfterTwo).listener(r).build();
        List<EpochMetrics> h = t.fit(trainLoader(), null);
        assertEquals(2, h.size());
        assertEquals(List.of("epochEnd 1", "epochEnd 2", "fitEnd 2"),
                r.calls.stream().filter(c -> c.startsWith("epochEnd") || c.startsWith("fitEnd")).toList());
        assertEquals("2", SafeTensors.read(ck).metadata().get(Trainer.EPOCHS_COMPLETED_KEY), "the last epoch run was saved");
        // the request lasts one fit: the next continues with epoch 3 and runs to the end
        r.calls.clear();
        List<EpochMetrics> rest = t.fit(trainLoader(), null);
        assertEquals(List.of(3, 4, 5), rest.stream().map(EpochMetrics::epoch).toList());
        assertEquals("fitStart 2/5", r.calls.get(0));
        assertFalse(r.ctx.stopRequested());
        assertEquals(5, t.history().size());
    }

    @Test
    void aStopRequestedBeforeTheFirstEpochRunsNoEpoch() throws IOException {
        Sequential m = model();
        Recorder r = new Recorder();
        Trainer t = quiet(m, 3).listener(new TrainingListener() {
            @Override
            public void onFitStart(TrainingContext ctx) {
                ctx.requestStop();
            }
        }).listener(r).build();
        assertTrue(t.fit(trainLoader(), null).isEmpty());
        assertEquals(List.of("fitStart 0/3", "fitEnd 0"), r.calls);
    }

    @Test
    void withoutListenersNothingIsWrittenAnywhere() throws IOException {
        Sequential m = model();
        Trainer t = quiet(m, 2).build();
        assertTrue(t.listeners().isEmpty());
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Path cwd = Path.of("").toAbsolutePath();
        List<Path> before = list(cwd);
        try {
            PrintStream p = new PrintStream(printed, true, StandardCharsets.UTF_8);
            System.setOut(p);
            System.setErr(p);
            assertEquals(2, t.fit(trainLoader(), testLoader()).size());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
        assertEquals(before, list(cwd), "no file created in the working directory");
        assertEquals(List.of(), list(dir));
    }

    private static List<Path> list(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theBuilderOrdersTheBuiltInListenersAroundTheUsersOnes() {
        Sequential m = model();
        TrainingListener mine = new TrainingListener() {
        };
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Trainer t = Trainer.builder(m, new Sgd(m.parameters(), 0.1)).log(log).listener(mine).checkpoint(dir.resolve("c.safetensors"))
                .outDir(dir.resolve("out")).progress(true).build();
        List<TrainingListener> l = t.listeners();
        assertEquals(6, l.size(), l.toString());
        assertInstanceOf(ProgressBarListener.class, l.get(0));
        assertInstanceOf(MetricsFileListener.class, l.get(1));
        assertInstanceOf(ChartListener.class, l.get(2));
        assertInstanceOf(CheckpointListener.class, l.get(3));
        assertSame(mine, l.get(4));
        assertInstanceOf(LogListener.class, l.get(5));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, new Sgd(m.parameters(), 0.1)).listener(null));
        // null turns a convenience listener off again
        assertEquals(List.of(mine), Trainer.builder(m, new Sgd(m.parameters(), 0.1)).progress(false).log(null).outDir(null)
                .checkpoint(null).listener(mine).build().listeners());
    }

    @Test
    void whenAListenerThrowsEveryListenerStillSeesTheFitEndAndTheExceptionLeavesFit() throws IOException {
        Sequential m = model();
        Recorder r = new Recorder();
        IOException boom = new IOException("disk full");
        Trainer t = quiet(m, 3).listener(new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) throws IOException {
                if (metrics.epoch() == 2) throw boom;
            }

            boolean broken = true;

            @Override
            public void onFitEnd(TrainingContext ctx) {
                if (broken) {
                    broken = false;
                    throw new IllegalStateException("also broken");
                }
            }
        }).listener(r).build();
        IOException e = assertThrows(IOException.class, () -> t.fit(trainLoader(), null));
        assertSame(boom, e);
        assertEquals(1, e.getSuppressed().length, "the failing fit end is kept as suppressed");
        assertEquals("fitEnd 2", r.calls.get(r.calls.size() - 1), "the recorder saw the fit end: " + r.calls);
        assertFalse(r.calls.contains("epochEnd 2"), "the epoch end stopped at the throwing listener");
        assertEquals(2, t.history().size(), "the trained epoch is in the history");
        assertEquals(List.of(3), t.fit(trainLoader(), null).stream().map(EpochMetrics::epoch).toList());
    }

    @Test
    void resumeRestoresTheHistoryAListenerRecorded() throws IOException {
        Sequential first = model();
        Path ck = dir.resolve("r.safetensors");
        List<EpochMetrics> earlier = quiet(first, 2).checkpoint(ck).build().fit(trainLoader(), null);
        List<Integer> asked = new ArrayList<>();
        TrainingListener keeper = new TrainingListener() {
            @Override
            public List<EpochMetrics> onResume(TrainingContext ctx, int epochsCompleted) {
                asked.add(epochsCompleted);
                // a record of more epochs than the checkpoint holds (a later run's): only those up to it are kept
                List<EpochMetrics> all = new ArrayList<>(earlier);
                all.add(new EpochMetrics(3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
                return all;
            }
        };
        TrainingListener late = new TrainingListener() {
            @Override
            public List<EpochMetrics> onResume(TrainingContext ctx, int epochsCompleted) {
                return List.of(new EpochMetrics(1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9));
            }
        };
        Sequential second = model();
        Trainer t = quiet(second, 3).listener(keeper).listener(late).build();
        assertEquals(2, t.resume(ck));
        assertEquals(List.of(2), asked);
        assertEquals(earlier, t.history(), "the first non-empty answer, up to the checkpoint's epoch");
        assertEquals(List.of(3), t.fit(trainLoader(), null).stream().map(EpochMetrics::epoch).toList());
        assertEquals(3, t.history().size());
    }

    @Test
    void theLogListenerPrintsTheEpochLineAndTheTimeOfTheListenersBeforeIt() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainingListener slow = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
                try {
                    Thread.sleep(30);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public String timingLabel() {
                return "slow";
            }
        };
        TrainingListener unlabelled = new TrainingListener() {
        };
        Sequential m = model();
        List<EpochMetrics> h = quiet(m, 2).listener(slow).listener(unlabelled).log(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .checkpoint(dir.resolve("c.safetensors")).build().fit(trainLoader(), null);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(2, lines.length);
        for (int i = 0; i < 2; i++) {
            String prefix = h.get(i).line() + "; checkpoint ";
            assertTrue(lines[i].startsWith(prefix), lines[i]);
            String[] rest = lines[i].substring(prefix.length()).split(" s; slow ");
            assertEquals(2, rest.length, lines[i]);
            assertTrue(rest[1].endsWith(" s"), lines[i]);
            double slowSeconds = Double.parseDouble(rest[1].substring(0, rest[1].length() - 2));
            assertTrue(slowSeconds >= 0.03 && slowSeconds < 10, lines[i]);
            assertTrue(rest[0].matches("\\d+\\.\\d{3}"), lines[i]);
        }
        assertThrows(IllegalArgumentException.class, () -> new LogListener(null));
    }

    @Test
    void theChartIsDrawnAtTheIntervalAndWhenAStoppedFitEnds() throws IOException {
        Path every = dir.resolve("every"), stopped = dir.resolve("stopped");
        List<Boolean> drawnAtEpochEnd = new ArrayList<>();
        TrainingListener probe = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
                drawnAtEpochEnd.add(Files.exists(every.resolve(ChartListener.PNG)));
                try {
                    Files.deleteIfExists(every.resolve(ChartListener.PNG));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        // interval 0: a chart after every epoch (the probe, after the chart, deletes it each time)
        quiet(model(), 3).listener(new ChartListener(every, 0)).listener(probe).build().fit(trainLoader(), null);
        assertEquals(List.of(true, true, true), drawnAtEpochEnd);
        // the default interval draws only after the last epoch; a run stopped before it gets its chart at the fit end
        TrainingListener stop = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
                assertFalse(Files.exists(stopped.resolve(ChartListener.PNG)), "not drawn after epoch " + metrics.epoch());
                if (metrics.epoch() == 2) ctx.requestStop();
            }
        };
        quiet(model(), 10).listener(new ChartListener(stopped)).listener(stop).build().fit(trainLoader(), null);
        assertTrue(Files.size(stopped.resolve(ChartListener.PNG)) > 1000);
        assertThrows(IllegalArgumentException.class, () -> new ChartListener(dir, -1));
        assertThrows(IllegalArgumentException.class, () -> new ChartListener(null));
    }

    @Test
    void theMetricsFilesAreWrittenAfterEveryEpochAndReadBack() throws IOException {
        Path out = dir.resolve("metrics");
        List<Integer> csvLines = new ArrayList<>();
        TrainingListener probe = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) throws IOException {
                csvLines.add(Files.readAllLines(out.resolve(MetricsFileListener.CSV)).size());
                assertEquals(ctx.history(), MetricsFileListener.read(out.resolve(MetricsFileListener.JSON)));
            }
        };
        List<EpochMetrics> h = quiet(model(), 2).listener(new MetricsFileListener(out)).listener(probe).build().fit(trainLoader(), testLoader());
        assertEquals(List.of(2, 3), csvLines);
        assertEquals(h, MetricsFileListener.read(out.resolve(MetricsFileListener.JSON)));
        assertFalse(Files.exists(out.resolve(ChartListener.PNG)), "metrics files only");
    }

    /**
     * The metrics files are replaced by a rename, never rewritten in place: a file written in place would also change
     * through a hard link to the old one, and a crash mid-write would leave it truncated.
     */
    @Test
    void theMetricsFilesAreReplacedAtomically() throws IOException {
        Path out = Files.createDirectories(dir.resolve("atomic-metrics"));
        for (String name : List.of(MetricsFileListener.CSV, MetricsFileListener.JSON)) {
            Path witness = Files.writeString(dir.resolve("witness-" + name), "old");
            Files.createLink(out.resolve(name), witness);
        }
        List<EpochMetrics> h = quiet(model(), 2).listener(new MetricsFileListener(out)).build().fit(trainLoader(), null);
        for (String name : List.of(MetricsFileListener.CSV, MetricsFileListener.JSON)) {
            assertEquals("old", Files.readString(dir.resolve("witness-" + name)), name + " was rewritten in place");
        }
        assertEquals(h, MetricsFileListener.read(out.resolve(MetricsFileListener.JSON)));
        try (var files = Files.list(out)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "temporaries left");
        }
    }

    @Test
    void theProgressBarCoversTheWholeFitAndNamesTheEpoch() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataLoader loader = trainLoader();
        // a pause after the first epoch, until the bar's refresh thread has drawn it half-way (at least 600 ms, three
        // refresh intervals; up to 20 s on a loaded machine, where that thread may not be scheduled for a while)
        TrainingListener pause = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
                if (metrics.epoch() == 1) {
                    long start = System.nanoTime();
                    try {
                        do {
                            Thread.sleep(50);
                        } while (System.nanoTime() - start < 600_000_000L
                                || !bytes.toString(StandardCharsets.UTF_8).contains("train  50%") && System.nanoTime() - start < 20_000_000_000L);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        };
        quiet(model(), 2).listener(new ProgressBarListener(new PrintStream(bytes, true, StandardCharsets.UTF_8))).listener(pause)
                .build().fit(loader, null);
        String shown = bytes.toString(StandardCharsets.UTF_8);
        int n = loader.numBatches();
        assertTrue(shown.contains("train  50%") && shown.contains(n + "/" + 2 * n) && shown.contains("epoch 1/2 loss "),
                "one bar over both epochs, half-way after the first: " + shown);
        assertTrue(shown.contains("train 100%") && shown.contains(2 * n + "/" + 2 * n) && shown.contains("epoch 2/2 loss "), shown);
        assertThrows(IllegalArgumentException.class, () -> new ProgressBarListener(null));
    }

    @Test
    void aWarmStepWithListenersAllocatesNothing() throws IOException {
        com.sun.management.ThreadMXBean mx = allocationCounter();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx != null, "no per-thread allocation counter in this JVM");
        dev.jgrad.core.kernel.KernelBackend previous = dev.jgrad.core.kernel.Kernels.use(new dev.jgrad.core.kernel.ScalarKernels());
        try {
            Sequential m = Mlp.builder(64, 10).hidden(32, 16).dropout(0.2).seed(3).build();
            DataLoader loader = new DataLoader(train, 32, true, true, 1, DType.FLOAT32);
            int n = loader.numBatches();
            long[] bytes = new long[2 * n];
            long[] start = new long[1];
            // the bytes this thread allocates from the loss (its entry) to the end of the last listener's onBatchEnd:
            // the loss, backward, optimizer step, scoring, the loop's bookkeeping and the calls of every listener. (The
            // forward pass is measured by WorkspaceTrainingTest; left out: the loader's next(), which allocates the
            // batch's record and labels, and clipping, whose list iterators allocate until the JIT removes them.)
            Objective ce = Objective.crossEntropy(dev.jgrad.losses.SoftmaxCrossEntropy.FUSED);
            Objective metered = new Objective() {
                public Tensor loss(Tensor output, dev.jgrad.core.IntTensor labels) {
                    start[0] = mx.getCurrentThreadAllocatedBytes();
                    return ce.loss(output, labels);
                }

                public int correct(Tensor output, dev.jgrad.core.IntTensor labels) {
                    return ce.correct(output, labels);
                }

                public String name() {
                    return ce.name();
                }
            };
            TrainingListener counter = new TrainingListener() {
                long calls;

                @Override
                public void onBatchEnd(TrainingContext ctx, int batch, int batches, double loss) {
                    calls++;
                }
            };
            TrainingListener meter = new TrainingListener() {
                int step;

                @Override
                public void onBatchEnd(TrainingContext ctx, int batch, int batches, double loss) {
                    bytes[step++] = mx.getCurrentThreadAllocatedBytes() - start[0];
                }
            };
            Trainer t = quiet(m, 2).objective(metered).listener(counter).listener(new TrainingListener() {
            }).listener(meter).build();
            t.fit(loader, null);
            assertTrue(bytes[0] > 0, "the first step builds the pools");
            // as in WorkspaceTrainingTest: a step that allocates does so every time, so steps of exactly 0 bytes prove
            // it allocates nothing; the JIT may allocate in the odd one, so a quarter of the warm steps at 0 is asked
            int zero = 0;
            for (int s = 2; s < 2 * n; s++) if (bytes[s] == 0) zero++;
            assertTrue(4 * zero >= 2 * n - 2, "bytes allocated per step " + java.util.Arrays.toString(bytes));
            for (Tensor p : m.parameters()) assertTrue(Double.isFinite(p.get(0)));
        } finally {
            dev.jgrad.core.kernel.Kernels.use(previous);
        }
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)) return null;
        if (!mx.isThreadAllocatedMemorySupported()) return null;
        if (!mx.isThreadAllocatedMemoryEnabled()) mx.setThreadAllocatedMemoryEnabled(true);
        return mx;
    }
}
