"""emgviewer: a diagnostic viewer for clinical needle EMG.

The core (records, analysis, inference, report) is Qt-free; ``emgviewer.ui`` is a thin layer
over it. Research and teaching tool, not a medical device.
"""

__version__ = "0.1.0"
