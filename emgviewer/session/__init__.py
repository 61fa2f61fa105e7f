"""The viewer's session without Qt: what is open and shown, and the order of the background
work that fills it in. The window is a view over it (see docs/architecture.md)."""

from emgviewer.session.events import Event
from emgviewer.session.jobs import JobRunner
from emgviewer.session.viewer_session import LOAD_IN_BACKGROUND_BYTES, ViewerSession

__all__ = ["Event", "JobRunner", "LOAD_IN_BACKGROUND_BYTES", "ViewerSession"]
