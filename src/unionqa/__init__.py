"""unionqa: cited, verifiable answers to Chinese workers' policy and rights questions."""

__version__ = "0.1.0"
