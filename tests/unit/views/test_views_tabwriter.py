"""The tabwriter port against outputs Go's text/tabwriter produces."""

from __future__ import annotations

from k8slab.views.tabwriter import TabWriter, tabify


def test_get_table_layout_pads_to_widest_cell_plus_three():
    text = "NAME\tREADY\tAGE\nnginx-abc\t1/1\t5m\n"
    assert tabify(text) == "NAME        READY   AGE\nnginx-abc   1/1     5m\n"


def test_minwidth_applies_to_short_columns():
    # "A"+3 = 4 is below the minimum width 6.
    assert tabify("A\tB\nx\ty\n") == "A     B\nx     y\n"


def test_last_cell_is_never_padded_but_empty_middle_cells_are():
    # Both columns get the minimum width 6, the empty one included.
    assert tabify("a\t\tb\n") == "a" + " " * 11 + "b\n"
    assert tabify("a\tb\t\n") == "a     b     \n"


def test_columns_align_only_across_consecutive_lines_that_have_them():
    text = "Name:\tx\nLongerLabel:\ty\nBreak\nA:\tz\n"
    expected = "Name:         x\nLongerLabel:  y\nBreak\nA:  z\n"
    assert tabify(text, minwidth=0, padding=2) == expected


def test_nested_column_blocks():
    # The second column only exists on the first two lines, so only they align on it.
    text = "a\tbb\tc\naaaa\tb\tc\naa\tb\n"
    expected = "a     bb  c\naaaa  b   c\naa    b\n"
    assert tabify(text, minwidth=0, padding=2) == expected


def test_flush_starts_a_new_alignment_block():
    w = TabWriter(minwidth=0, padding=2)
    w.write("Label:\tv\n")
    w.flush()
    w.write("VeryLongLabel:\tv\n")
    assert w.getvalue() == "Label:  v\nVeryLongLabel:  v\n"


def test_no_trailing_newline_is_preserved():
    assert tabify("a\tb") == "a     b"
    assert tabify("") == ""
