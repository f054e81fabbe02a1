"""The LSH band layout fold.py writes out is the one datasketch computes for its threshold and weights."""

from datasketch import MinHashLSH

from newsdesk.archive import fold as folding


def test_written_out_layout_is_datasketchs_optimum() -> None:
    lsh = MinHashLSH(threshold=folding.SIMILARITY_THRESHOLD, num_perm=folding.NUM_PERM, weights=folding.LSH_WEIGHTS)
    assert (lsh.b, lsh.r) == (folding.BANDS, folding.ROWS)
