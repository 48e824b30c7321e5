"""The HTTP API front door (FastAPI) over ``QAService``."""
