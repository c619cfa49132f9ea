package dev.jgrad.train.plot;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A small line-chart figure rendered to PNG with XChart: one or more panels side by side,
 * each with a title, axis titles, optional logarithmic axes and any number of named
 * {@code (x[], y[])} series.
 *
 * <pre>{@code
 * LineChart fig = new LineChart();
 * fig.addPanel("loss").xAxis("epoch").yAxis("cross-entropy").logY(true)
 *    .series("train", epochs, trainLoss)
 *    .series("test", epochs, testLoss);
 * fig.addPanel("accuracy").xAxis("epoch").yAxis("accuracy")
 *    .series("test", epochs, testAcc);
 * fig.writePng(Path.of("runs/curves.png"));
 * }</pre>
 *
 * <h2>Points that cannot be drawn</h2>
 * A point is left out of its line when its x or y is NaN or infinite, or, on a logarithmic axis, when its
 * value on that axis is zero or negative; the line then joins the neighbouring points that
 * remain. Non-finite values are not hidden: a point with a finite x and a NaN or infinite y is
 * <b>marked</b> with a cross at the top edge of the panel (one extra legend entry,
 * {@code "non-finite (× at the top)"}), and the series' legend entry counts them, e.g.
 * {@code "naive (3 of 40 non-finite)"}; points left out only because a log axis cannot show
 * them are counted as {@code "(2 of 40 ≤ 0, not shown)"}. A series that loses all its points
 * keeps its legend entry. {@link Panel#droppedPoints()} gives the count of points left out of
 * the lines.
 *
 * <h2>Headless rendering</h2>
 * Loading this class sets {@code java.awt.headless=true} unless the property is already set,
 * so charts render on servers without a display. Rendering needs the JDK's font support
 * (fontconfig and at least one font installed).
 *
 * <p>Not thread-safe; build and write a figure from one thread.
 */
public final class LineChart {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Default width of one panel in pixels. */
    public static final int DEFAULT_PANEL_WIDTH = 640;
    /** Default height of the figure in pixels. */
    public static final int DEFAULT_PANEL_HEIGHT = 480;

    private final List<Panel> panels = new ArrayList<>();
    private int panelWidth = DEFAULT_PANEL_WIDTH;
    private int panelHeight = DEFAULT_PANEL_HEIGHT;

    /** Creates an empty figure with the default panel size. */
    public LineChart() {
    }

    /**
     * Sets the size of every panel; the PNG is {@code panels × width} by {@code height} pixels.
     *
     * @param width  panel width in pixels, at least 50
     * @param height panel height in pixels, at least 50
     * @return this figure
     */
    public LineChart panelSize(int width, int height) {
        if (width < 50 || height < 50) {
            throw new IllegalArgumentException("panel size must be at least 50×50, got " + width + "×" + height);
        }
        this.panelWidth = width;
        this.panelHeight = height;
        return this;
    }

    /**
     * Adds a panel to the right of the existing ones.
     *
     * @param title the panel title (may be empty)
     * @return the new panel, for adding series
     */
    public Panel addPanel(String title) {
        Panel p = new Panel(Objects.requireNonNull(title, "title"));
        panels.add(p);
        return p;
    }

    /**
     * The panels added so far, left to right.
     *
     * @return an unmodifiable view
     */
    public List<Panel> panels() {
        return Collections.unmodifiableList(panels);
    }

    /**
     * Renders the figure and writes it as a PNG file (replacing any existing file). Parent
     * directories are created if needed. The file is written exactly at {@code file}; no
     * extension is added.
     *
     * @param file the output path
     * @throws IOException           if the file cannot be written
     * @throws IllegalStateException if the figure has no panels
     */
    public void writePng(Path file) throws IOException {
        byte[] png = toPng();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, png);
    }

    /**
     * Renders the figure to PNG bytes.
     *
     * @return the PNG file contents
     * @throws IOException           if encoding fails
     * @throws IllegalStateException if the figure has no panels
     */
    public byte[] toPng() throws IOException {
        if (panels.isEmpty()) {
            throw new IllegalStateException("a LineChart needs at least one panel");
        }
        List<XYChart> charts = new ArrayList<>(panels.size());
        for (Panel p : panels) {
            charts.add(p.render(panelWidth, panelHeight));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (charts.size() == 1) {
            BitmapEncoder.saveBitmap(charts.get(0), out, BitmapEncoder.BitmapFormat.PNG);
        } else {
            BitmapEncoder.saveBitmap(charts, 1, charts.size(), (OutputStream) out, BitmapEncoder.BitmapFormat.PNG);
        }
        return out.toByteArray();
    }

    /** One panel of a {@link LineChart}: axes plus named series. Methods chain. */
    public static final class Panel {
        private final String title;
        private String xTitle = "";
        private String yTitle = "";
        private boolean logX;
        private boolean logY;
        private boolean markers;
        private final List<String> names = new ArrayList<>();
        private final List<double[]> xs = new ArrayList<>();
        private final List<double[]> ys = new ArrayList<>();
        private final Set<String> nameSet = new LinkedHashSet<>();

        private Panel(String title) {
            this.title = title;
        }

        /**
         * The panel title.
         *
         * @return the title
         */
        public String title() {
            return title;
        }

        /**
         * Whether the y axis is logarithmic.
         *
         * @return true for a logarithmic y axis
         */
        public boolean isLogY() {
            return logY;
        }

        /**
         * Sets the x-axis title.
         *
         * @param title the title
         * @return this panel
         */
        public Panel xAxis(String title) {
            this.xTitle = Objects.requireNonNull(title, "title");
            return this;
        }

        /**
         * Sets the y-axis title.
         *
         * @param title the title
         * @return this panel
         */
        public Panel yAxis(String title) {
            this.yTitle = Objects.requireNonNull(title, "title");
            return this;
        }

        /**
         * Makes the x axis logarithmic (points with x &lt;= 0 are then dropped).
         *
         * @param log whether the axis is logarithmic
         * @return this panel
         */
        public Panel logX(boolean log) {
            this.logX = log;
            return this;
        }

        /**
         * Makes the y axis logarithmic (points with y &lt;= 0 are then dropped).
         *
         * @param log whether the axis is logarithmic
         * @return this panel
         */
        public Panel logY(boolean log) {
            this.logY = log;
            return this;
        }

        /**
         * Draws a marker at every point (off by default: lines only).
         *
         * @param show whether to draw markers
         * @return this panel
         */
        public Panel markers(boolean show) {
            this.markers = show;
            return this;
        }

        /**
         * Adds a series. The arrays are copied.
         *
         * @param name legend name, unique within the panel
         * @param x    x values
         * @param y    y values, as many as {@code x}
         * @return this panel
         * @throws IllegalArgumentException for a duplicate name or different lengths
         */
        public Panel series(String name, double[] x, double[] y) {
            Objects.requireNonNull(name, "name");
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but "
                        + y.length + " y values");
            }
            if (!nameSet.add(name)) {
                throw new IllegalArgumentException("duplicate series name '" + name + "' in panel '" + title + "'");
            }
            names.add(name);
            xs.add(x.clone());
            ys.add(y.clone());
            return this;
        }

        /**
         * Adds a series with x = 1, 2, ..., n (e.g. epochs).
         *
         * @param name legend name, unique within the panel
         * @param y    y values
         * @return this panel
         */
        public Panel series(String name, double[] y) {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            return series(name, x, y);
        }

        /**
         * Number of points, over all series, that will not be drawn (non-finite, or
         * non-positive on a logarithmic axis) with the current axis settings.
         *
         * @return the count
         */
        public int droppedPoints() {
            int dropped = 0;
            for (int s = 0; s < names.size(); s++) {
                double[] x = xs.get(s);
                double[] y = ys.get(s);
                for (int i = 0; i < x.length; i++) {
                    if (!drawable(x[i], y[i])) {
                        dropped++;
                    }
                }
            }
            return dropped;
        }

        /**
         * Number of points, over all series, drawn as non-finite marks: a finite x (positive on a logarithmic x axis)
         * with a NaN or infinite y.
         *
         * @return the count
         */
        public int nonFinitePoints() {
            int n = 0;
            for (int s = 0; s < names.size(); s++) {
                double[] x = xs.get(s), y = ys.get(s);
                for (int i = 0; i < x.length; i++) if (Double.isFinite(x[i]) && !(logX && x[i] <= 0) && !Double.isFinite(y[i])) n++;
            }
            return n;
        }

        private boolean drawable(double x, double y) {
            return Double.isFinite(x) && Double.isFinite(y) && !(logX && x <= 0) && !(logY && y <= 0);
        }

        private XYChart render(int width, int height) {
            XYChart chart = new XYChart(width, height);
            chart.setTitle(title);
            chart.setXAxisTitle(xTitle);
            chart.setYAxisTitle(yTitle);
            XYStyler st = chart.getStyler();
            st.setXAxisLogarithmic(logX);
            st.setYAxisLogarithmic(logY);
            st.setXAxisLogarithmicDecadeOnly(true);
            st.setYAxisLogarithmicDecadeOnly(true);
            st.setPlotGridLinesStroke(new BasicStroke(0.5f));
            st.setPlotGridLinesColor(new Color(225, 225, 225));
            st.setLegendPosition(Styler.LegendPosition.OutsideS);
            st.setLegendLayout(Styler.LegendLayout.Horizontal);
            st.setChartTitleVisible(!title.isEmpty());
            st.setLegendVisible(!names.isEmpty());
            // the top of the drawn values: where non-finite points are marked
            double top = Double.NaN;
            for (int s = 0; s < names.size(); s++) {
                double[] x = xs.get(s), y = ys.get(s);
                for (int i = 0; i < x.length; i++) if (drawable(x[i], y[i]) && !(y[i] <= top)) top = y[i];
            }
            if (Double.isNaN(top)) top = 1;
            List<Double> markX = new ArrayList<>();
            for (int s = 0; s < names.size(); s++) {
                double[] x = xs.get(s);
                double[] y = ys.get(s);
                int kept = 0;
                for (int i = 0; i < x.length; i++) {
                    if (drawable(x[i], y[i])) {
                        kept++;
                    }
                }
                double[] kx = new double[kept];
                double[] ky = new double[kept];
                int k = 0;
                for (int i = 0; i < x.length; i++) {
                    if (drawable(x[i], y[i])) {
                        kx[k] = x[i];
                        ky[k++] = y[i];
                    }
                }
                int nonFinite = 0;
                for (int i = 0; i < x.length; i++) {
                    if (Double.isFinite(x[i]) && !(logX && x[i] <= 0) && !Double.isFinite(y[i])) {
                        nonFinite++;
                        markX.add(x[i]);
                    }
                }
                String label = names.get(s);
                if (nonFinite > 0) label += " (" + nonFinite + " of " + x.length + " non-finite)";
                if (kept + nonFinite < x.length) {
                    label += " (" + (x.length - kept - nonFinite) + " of " + x.length + (logY || logX ? " ≤ 0, not shown)" : " not shown)");
                }
                if (kept == 0) {
                    // XChart rejects empty series; a lone NaN point keeps the legend entry and draws nothing.
                    kx = new double[] {Double.NaN};
                    ky = new double[] {Double.NaN};
                }
                XYSeries series = chart.addSeries(label, kx, ky);
                if (!markers) {
                    series.setMarker(SeriesMarkers.NONE);
                }
            }
            if (!markX.isEmpty()) {
                double[] mx = new double[markX.size()], my = new double[markX.size()];
                for (int i = 0; i < mx.length; i++) {
                    mx[i] = markX.get(i);
                    my[i] = top;
                }
                XYSeries marks = chart.addSeries("non-finite (× at the top)", mx, my);
                marks.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                marks.setMarker(SeriesMarkers.CROSS);
                marks.setMarkerColor(Color.RED);
            }
            return chart;
        }
    }
}
