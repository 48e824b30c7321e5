"""The worker chat UI front door (Gradio) over ``QAService``."""
