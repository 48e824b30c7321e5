"""Chinese/English text primitives every stage shares: sentences, numerals, article patterns,
tokens and stop words, question words and tagging, the glossary, answer types."""
