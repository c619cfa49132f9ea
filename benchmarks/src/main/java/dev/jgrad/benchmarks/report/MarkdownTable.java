package dev.jgrad.benchmarks.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Minimal GitHub-flavoured Markdown table builder. Cells are escaped ({@code |} becomes
 * {@code \|}, line breaks become spaces); columns whose header starts with {@code >} are
 * right-aligned (the marker is not printed).
 */
public final class MarkdownTable {

    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> rightAligned = new ArrayList<>();
    private final List<List<String>> rows = new ArrayList<>();

    /**
     * Creates a table.
     *
     * @param headers column headers; prefix one with {@code >} to right-align the column
     */
    public MarkdownTable(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        for (String h : headers) {
            boolean right = h.startsWith(">");
            this.rightAligned.add(right);
            this.headers.add(right ? h.substring(1) : h);
        }
    }

    /**
     * Adds a row.
     *
     * @param cells one value per column
     * @return this table
     * @throws IllegalArgumentException if the number of cells differs from the number of columns
     */
    public MarkdownTable row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has "
                    + headers.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** @return number of data rows */
    public int size() {
        return rows.size();
    }

    /**
     * Renders the table, one line per row, each line ending in a newline.
     *
     * @return the Markdown text
     */
    public String render() {
        StringBuilder sb = new StringBuilder();
        line(sb, headers);
        sb.append('|');
        for (boolean right : rightAligned) {
            sb.append(right ? " ---: |" : " --- |");
        }
        sb.append('\n');
        for (List<String> r : rows) {
            line(sb, r);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append('|');
        for (String c : cells) {
            sb.append(' ').append(escape(c)).append(" |");
        }
        sb.append('\n');
    }

    /**
     * Escapes a cell value.
     *
     * @param cell raw text (null is rendered empty)
     * @return the escaped text
     */
    public static String escape(String cell) {
        if (cell == null) {
            return "";
        }
        return cell.replace("|", "\\|").replace("\r", " ").replace("\n", " ").trim();
    }
}
