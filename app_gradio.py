"""Launch the worker chat UI: `python app_gradio.py` (the Gradio / Hugging Face Spaces convention)."""

from unionqa.ui import main

if __name__ == "__main__":
    main()
