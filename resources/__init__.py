"""What the app ships with (installed as emgviewer.resources): the models, the demo records, the icons."""
