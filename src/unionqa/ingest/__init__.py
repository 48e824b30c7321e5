"""Files → documents → chunks → the index: loaders, the chunker and the one write path."""
