"""What goes into the desktop bundle and what stays out: read by ``emgviewer.spec`` and the tests.

PyInstaller follows ``import`` statements. What it cannot see is listed here: the modules the
app imports by name on first use (``emgviewer.lazy``), so a launch does not wait for them.
What it would drag in but the app never runs is excluded: the training stack (torch alone is
0.75 GB) and the Qt modules no window of the app uses.
"""

from __future__ import annotations

import fnmatch

#: Imported by name at first use (``lazy_module("...")`` in emgviewer): PyInstaller cannot see
#: them. A test checks this list against the source.
LAZY_IMPORTS = (
    "edfio",
    "onnxruntime",
    "scipy.cluster.hierarchy",
    "scipy.signal",
    "threadpoolctl",
    "wfdb",
    "wfdb.io._signal",
)

#: Never in the bundle: training (torch, onnx export, plots), test tools, and what the
#: libraries above import only for features the app does not use.
EXCLUDED_MODULES = (
    "torch",
    "torchvision",
    "training",
    "onnx",
    "matplotlib",  # wfdb imports it only inside its plotting functions
    "tqdm",
    "tkinter",
    "IPython",
    "pytest",
    "hypothesis",
    "pypdf",
    # fsspec offers an HTTP file system with these; wfdb reads local files only here.
    "aiohttp", "aiohappyeyeballs", "aiosignal", "frozenlist", "multidict", "propcache", "yarl",
    "PySide6.Qt3DAnimation", "PySide6.Qt3DCore", "PySide6.Qt3DExtras", "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic", "PySide6.Qt3DRender", "PySide6.QtBluetooth", "PySide6.QtCharts",
    "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtLocation", "PySide6.QtNetworkAuth",
    "PySide6.QtNfc", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPositioning",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuick3D", "PySide6.QtQuickControls2",
    "PySide6.QtQuickWidgets", "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtSensors",
    "PySide6.QtSerialBus", "PySide6.QtSerialPort", "PySide6.QtSpatialAudio", "PySide6.QtSql",
    "PySide6.QtStateMachine", "PySide6.QtTextToSpeech", "PySide6.QtWebChannel",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineQuick", "PySide6.QtWebEngineWidgets",
    "PySide6.QtWebSockets", "PySide6.QtWebView", "PySide6.QtDesigner", "PySide6.QtHelp",
    "PySide6.QtUiTools", "PySide6.QtXml", "PySide6.QtAxContainer",
)

#: Files PyInstaller's Qt hook collects that no part of the app loads (fnmatch patterns on the
#: path inside the bundle). Together about 50 MB, most of what keeps the bundle under 400 MB.
EXCLUDED_FILES = (
    # The on-screen keyboard input method, and with it Qt Quick and QML (17 MB).
    "*/plugins/platforminputcontexts/libqtvirtualkeyboardplugin*",
    "*/Qt/lib/libQt6VirtualKeyboard*", "*/Qt/lib/libQt6Quick*", "*/Qt/lib/libQt6Qml*",
    # PDF pages as images (Qt PDF, 4 MB): the app writes PDFs and never reads them.
    "*/plugins/imageformats/libqpdf*", "*/Qt/lib/libQt6Pdf*",
    # Embedded-display platforms (no desktop session runs them); xcb, wayland, offscreen stay.
    "*/plugins/platforms/libqeglfs*", "*/plugins/platforms/libqlinuxfb*", "*/plugins/platforms/libqvnc*",
    "*/plugins/platforms/libqvkkhrdisplay*", "*/plugins/platforms/libqminimalegl*",
    "*/plugins/egldeviceintegrations/*", "*/Qt/lib/libQt6EglFs*",
    # The FFmpeg media backend (19 MB) decodes media files; the viewer's sound is raw PCM into a
    # QAudioSink, which QtMultimedia plays through PulseAudio/PipeWire itself.
    "*/plugins/multimedia/libffmpegmediaplugin*", "*/Qt/lib/libav*", "*/Qt/lib/libsw*",
    "*/Qt/lib/libQt6FFmpegStub*",
    # Qt's own translations (7 MB): the app installs no QTranslator, its words are English.
    "*/Qt/translations/*",
)


def is_excluded_file(dest: str) -> bool:
    """Whether a collected file (its path inside the bundle) is left out: :data:`EXCLUDED_FILES`."""
    dest = "/" + dest.replace("\\", "/")
    return any(fnmatch.fnmatch(dest, pattern) for pattern in EXCLUDED_FILES)
