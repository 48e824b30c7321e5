"""The limits of what a loader reads, shared by the text and the binary formats."""

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024  # a zip bomb stops here (.docx and .xlsx)
MAX_TABLE_CELLS = 200_000  # cells of all a file's tables or sheets, empty ones included
MAX_FRONT_MATTER_CHARS = 16 * 1024  # YAML front matter, as written and as parsed
CELL_SEP = " | "
