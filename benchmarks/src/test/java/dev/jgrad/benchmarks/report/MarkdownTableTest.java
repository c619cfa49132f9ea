package dev.jgrad.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MarkdownTableTest {

    @Test
    void rendersHeaderSeparatorWithAlignmentAndRows() {
        String md = new MarkdownTable("Name", ">Value").row("a", "1").row("b", "22").render();
        assertEquals("| Name | Value |\n| --- | ---: |\n| a | 1 |\n| b | 22 |\n", md);
    }

    @Test
    void escapesPipesAndLineBreaksInCells() {
        String md = new MarkdownTable("X").row("a|b\nc").render();
        assertEquals("| X |\n| --- |\n| a\\|b c |\n", md);
        assertEquals("", MarkdownTable.escape(null));
    }

    @Test
    void rowWithWrongCellCountIsRejected() {
        MarkdownTable t = new MarkdownTable("A", "B");
        assertThrows(IllegalArgumentException.class, () -> t.row("only one"));
        assertThrows(IllegalArgumentException.class, () -> t.row("1", "2", "3"));
        assertThrows(IllegalArgumentException.class, MarkdownTable::new);
    }
}
