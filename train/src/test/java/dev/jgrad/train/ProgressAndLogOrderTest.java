package dev.jgrad.train;

import dev.jgrad.core.DType;
import dev.jgrad.data.DataLoader;
import dev.jgrad.data.Tabular;
import dev.jgrad.nn.Mlp;
import dev.jgrad.nn.Sequential;
import dev.jgrad.nn.optim.Adam;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress bar (standard error) and the epoch lines (standard output) never mix on one screen or in one log. */
class ProgressAndLogOrderTest {

    @Test
    void anEpochLineClearsTheBarAndTheBarIsRedrawnBelowIt() throws IOException {
        Tabular[] d = TrainerTest.standardizedDigits();
        // both streams into one log, as a terminal (or `2>&1 > log`) shows them
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(log, false, StandardCharsets.UTF_8), out = new PrintStream(log, false, StandardCharsets.UTF_8);
        // before each epoch line, wait until the bar's refresh thread has drawn it (at most 20 s on a loaded machine)
        TrainingListener waitForBar = new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingContext ctx, EpochMetrics metrics) {
                long start = System.nanoTime();
                try {
                    do {
                        Thread.sleep(20);
                    } while (!log.toString(StandardCharsets.UTF_8).contains("epoch " + metrics.epoch() + "/2 loss")
                            && System.nanoTime() - start < 20_000_000_000L);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        Sequential m = Mlp.builder(64, 10).hidden(16).seed(3).build();
        Trainer.builder(m, Adam.adamW(m.parameters(), 1e-2, 1e-4)).epochs(2).progress(false).log(null)
                .listener(new ProgressBarListener(err)).listener(waitForBar).listener(new LogListener(out, 1, false))
                .build().fit(new DataLoader(d[0], 128, true, false, 1, DType.FLOAT32), new DataLoader(d[1], 500, false, false, 1, DType.FLOAT32));
        err.flush();
        out.flush();
        String shown = log.toString(StandardCharsets.UTF_8);
        int lines = 0;
        for (int at = shown.indexOf("epoch   "); at >= 0; at = shown.indexOf("epoch   ", at + 1)) {
            lines++;
            // what precedes the epoch line is the cleared bar: a carriage return after blanks, never the bar's text
            assertEquals('\r', shown.charAt(at - 1), "the bar is cleared before the epoch line: " + shown.substring(Math.max(0, at - 80), at + 20));
            int prev = shown.lastIndexOf('\r', at - 2);
            assertTrue(prev >= 0 && shown.substring(prev + 1, at - 1).isBlank() && at - 1 > prev + 1, "blanks over the bar: " + shown);
            int end = shown.indexOf('\n', at);
            assertTrue(shown.startsWith("\rtrain ", end + 1), "the bar is drawn again below the line: " + shown.substring(at, Math.min(shown.length(), end + 40)));
        }
        assertEquals(2, lines, shown);
    }
}
