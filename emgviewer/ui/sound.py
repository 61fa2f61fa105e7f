"""Sound: play the visible part (or from the cursor to the end) at real speed, with a cursor
moving on the trace and the overview; loop, volume; through the display filter.

Qt's own audio (QtMultimedia, part of the PySide6 wheel) plays it: no extra dependency. Where
it cannot (the module fails to load, e.g. without libpulse, or no output device exists, as on
CI) the cursor still runs on a clock, silently, and the viewer says so once: the rest of the app
is unaffected and File → Export audio still writes the WAV.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

from emgviewer.analysis.audio import SoundError, pcm16, wav_bytes
from emgviewer.ui.viewer import Viewer

CURSOR_PEN = pg.mkPen("#00897b", width=2)
VOLUME_STEPS = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0)


def audio_output():
    """(QtMultimedia module, default output device) or (None, reason it cannot play)."""
    try:
        from PySide6 import QtMultimedia
    except ImportError as err:  # the plugin needs system audio libraries
        return None, f"Qt's audio could not load ({err})"
    device = QtMultimedia.QMediaDevices.defaultAudioOutput()
    if device.isNull():
        return None, "no audio output device"
    return (QtMultimedia, device), ""


class SoundController(QtCore.QObject):
    """Sound: the visible part of the record (or from there on) played at real speed, with a moving cursor."""

    playing = QtCore.Signal(bool)

    def __init__(self, window: Viewer) -> None:
        super().__init__(window)
        self.window = window
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=CURSOR_PEN)
        self.overview_cursor = pg.InfiniteLine(angle=90, movable=False, pen=CURSOR_PEN)
        for plot, line in ((window.trace.trace_plot, self.cursor), (window.overview.getPlotItem(), self.overview_cursor)):
            line.hide()
            line.setZValue(30)
            plot.addItem(line, ignoreBounds=True)
        self.volume_index = VOLUME_STEPS.index(1.0)
        self.loop = False
        self.span: tuple[float, float] = (0.0, 0.0)
        self.clock = QtCore.QElapsedTimer()
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(30)
        self.timer.timeout.connect(self._tick)
        self.sink = None
        self.buffer = None
        self.unavailable_said = False
        self.silent_reason = ""

    def build_menu(self, menu) -> None:
        """View → Sound."""
        sound = menu.addMenu("Sound")
        w = self.window
        add = w.action_maker.add
        self.play_action = add(sound, "Play / stop the visible part", self.toggle, "play")
        add(sound, "Play from the view to the end", self.play_to_end, "play_to_end")
        self.loop_action = add(sound, "Loop", self.toggle_loop, "loop", checkable=True)
        add(sound, "Louder", lambda: self.step_volume(+1), "louder")
        add(sound, "Softer", lambda: self.step_volume(-1), "softer")

    @property
    def volume(self) -> float:
        """The playback gain."""
        return VOLUME_STEPS[self.volume_index]

    def step_volume(self, direction: int) -> None:
        """One step louder (``+1``) or softer (``-1``), said in the status bar."""
        self.volume_index = max(0, min(len(VOLUME_STEPS) - 1, self.volume_index + direction))
        self.window.statusBar().showMessage(f"volume x{self.volume:g}", 2000)
        if self.sink is not None:
            self.sink.setVolume(min(1.0, self.volume))

    def toggle_loop(self) -> None:
        """Loop the part being played, or stop looping."""
        self.loop = self.loop_action.isChecked()

    def toggle(self) -> None:
        """Play the visible part, or stop."""
        if self.timer.isActive():
            self.stop()
        else:
            self.play(*self.window.trace.visible_range())

    def play_to_end(self) -> None:
        """Play from the start of the view to the end of the record."""
        record = self.window.record
        if record is not None:
            self.play(self.window.trace.visible_range()[0], record.duration_s)

    def play(self, start_s: float, stop_s: float) -> None:
        """Play ``start_s`` to ``stop_s`` of the displayed signal (said once when no audio device works)."""
        window = self.window
        record = window.record
        if record is None:
            return
        self.stop()
        start_s, stop_s = max(0.0, start_s), min(record.duration_s, stop_s)
        if stop_s - start_s < 0.01:
            return
        self.span = (start_s, stop_s)
        signal = window.filters.signal()
        part = signal[int(start_s * record.fs_hz): int(stop_s * record.fs_hz)]
        self._start_audio(part, record.fs_hz)
        self.clock.start()
        self.cursor.show()
        self.overview_cursor.show()
        self.timer.start()
        self.playing.emit(True)

    def _start_audio(self, part, fs_hz: float) -> None:
        output, reason = audio_output()
        if output is None:
            self.silent_reason = reason
            if not self.unavailable_said:
                self.window.show_error(f"Sound unavailable: {reason}. The cursor runs silently; "
                                       "File → Export audio writes the sound as a WAV file.")
                self.unavailable_said = True
            return
        QtMultimedia, device = output
        try:
            samples, rate = pcm16(part, fs_hz, volume=self.volume)
        except SoundError as err:  # the cursor still runs: the reader sees where the sound would be
            self.window.show_error(f"{self.window.record.source_path}: no sound ({err})")
            return
        fmt = QtMultimedia.QAudioFormat()
        fmt.setSampleRate(rate)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QtMultimedia.QAudioFormat.SampleFormat.Int16)
        self.buffer = QtCore.QBuffer(self)
        self.buffer.setData(QtCore.QByteArray(samples.astype("<i2").tobytes()))
        self.buffer.open(QtCore.QIODevice.OpenModeFlag.ReadOnly)
        self.sink = QtMultimedia.QAudioSink(device, fmt, self)
        self.sink.start(self.buffer)

    def position_s(self) -> float:
        """Where the playback is in the record."""
        if self.sink is not None:
            elapsed = self.sink.processedUSecs() / 1e6
        else:
            elapsed = self.clock.elapsed() / 1e3
        return self.span[0] + elapsed

    def _tick(self) -> None:
        t = self.position_s()
        if t >= self.span[1]:
            if self.loop:
                self.play(*self.span)
            else:
                self.stop()
            return
        self.cursor.setValue(t)
        self.overview_cursor.setValue(t)
        start, stop = self.window.trace.visible_range()
        if not start <= t <= stop:  # playing past the screen: the view pages along
            self.window.trace.set_start(t)

    def stop(self) -> None:
        """Stop playing and hide the cursor."""
        self.timer.stop()
        if self.sink is not None:
            self.sink.stop()
            self.sink = None
        if self.buffer is not None:
            self.buffer.close()
            self.buffer = None
        self.cursor.hide()
        self.overview_cursor.hide()
        self.playing.emit(False)

    def wav_of(self, start_s: float, stop_s: float) -> bytes:
        """The WAV bytes of ``start_s`` to ``stop_s`` of the displayed signal."""
        record = self.window.record
        signal = self.window.filters.signal()
        samples, rate = pcm16(signal[int(start_s * record.fs_hz): int(stop_s * record.fs_hz)], record.fs_hz)
        return wav_bytes(samples, rate)


def export_audio(window: Viewer) -> None:
    """File → Export audio: the calipers' span when they are shown, else the whole record."""
    from pathlib import Path

    from PySide6 import QtWidgets

    from emgviewer.atomic import atomic_write_bytes

    record = window.record
    if record is None:
        window.show_error("Nothing to export: open a record first.")
        return
    span = (0.0, record.duration_s)
    if window.calipers_action.isChecked():
        span = tuple(sorted(line.value() for line in window.muap_overlay.calipers))
    suggested = str(Path(window.settings.value("last_folder", "")) / f"{record.name}.wav")
    path, _ = QtWidgets.QFileDialog.getSaveFileName(window, "Export audio", suggested, "WAV (*.wav)")
    if not path:
        return
    try:
        atomic_write_bytes(Path(path), window.sound.wav_of(*span), overwrite=True)
    except SoundError as err:
        window.show_error(f"{record.source_path}: no sound written ({err})")
        return
    except OSError as err:
        window.show_error(f"{path}: could not write the sound ({err})")
        return
    window.statusBar().showMessage(f"wrote {path} ({span[1] - span[0]:.2f} s, display {window.filters.spec.label()})", 5000)


__all__ = ["SoundController", "audio_output", "export_audio"]
