"""Question → ranked hits: the keyword (BM25) index, metadata filters and the hybrid retriever."""
