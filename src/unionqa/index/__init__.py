"""The Chroma store (chunks, vectors, the document registry), its writer lock and the embeddings.
Knows neither BM25 nor the chunker."""
