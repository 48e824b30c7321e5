"""Launch the worker chat UI: `python app_gradio.py` (the Gradio / Hugging Face Spaces convention)."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

from unionqa.ui.app import main  # noqa: E402

if __name__ == "__main__":
    main()
