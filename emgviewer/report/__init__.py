"""PDF and CSV summaries of classified records (Qt-free)."""
