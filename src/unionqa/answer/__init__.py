"""Hits → a cited, verified answer: the chain, the refusal gate, evidence selection,
verification, the LLM and the answer's texts."""
