"""emgviewer: a diagnostic viewer for clinical needle EMG.

The core (records, analysis, inference, display, report) and the viewer's session are Qt-free;
``emgviewer.ui`` is the PySide6 view over the session (docs/architecture.md). Research and
teaching tool, not a medical device.
"""

__version__ = "0.3.0"
