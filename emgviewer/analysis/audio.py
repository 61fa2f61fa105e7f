"""Needle EMG as sound: resampled to an audio rate with an anti-alias filter, scaled by a
limiter that never clips (a soft knee, not wrap-around), as 16-bit PCM.

The gain puts the signal's 99.5th percentile of |x| at ``HEADROOM`` of full scale; what rises
above is bent by a smooth knee (tanh above ``KNEE``) so that even a huge artefact stays under
full scale (at most ``CEILING``): loud, never clipped into a square wave.
"""

from __future__ import annotations

import io
import wave
from fractions import Fraction

import numpy as np

from emgviewer.analysis.finite import finite_uv
from emgviewer.lazy import scipy_signal

AUDIO_RATE_HZ = 44_100
HEADROOM = 0.5  # the loud parts of the EMG sit at half of full scale
KNEE = 0.6  # above this (of full scale) the limiter bends the signal
CEILING = 0.98  # ... towards this, which it never reaches: no sample at full scale
FULL_SCALE = 32767
#: Below this rate a record holds nothing audible of needle EMG's crackle (its Nyquist is 500 Hz),
#: and upsampling it to 44.1 kHz would only grow the file (a 16-KB file at 1 Hz became 705 MB).
MIN_SOUND_RATE_HZ = 1000.0
#: The longest sound made at once: an hour is 318 MB of WAV; longer is asked for in parts.
MAX_SOUND_S = 3600.0
#: The largest up or down factor resampled exactly (N2001's 23437.5 Hz to 44.1 kHz is 3528/1875).
MAX_POLYPHASE = 5000


class SoundError(ValueError):
    """A signal that is not made into sound (the message says why)."""


def check_sound_rate(fs_hz: float) -> None:
    """Raise :class:`SoundError` for a rate below which nothing of needle EMG is audible."""
    if not fs_hz >= MIN_SOUND_RATE_HZ:
        raise SoundError(f"recorded at {fs_hz:.6g} Hz; sound needs at least {MIN_SOUND_RATE_HZ:g} Hz "
                         "(below, nothing of needle EMG is audible)")


def check_sound(n_samples: int, fs_hz: float) -> None:
    """Raise :class:`SoundError` for a rate or a length that makes no sound worth making."""
    check_sound_rate(fs_hz)
    if n_samples / fs_hz > MAX_SOUND_S:
        raise SoundError(f"{n_samples / fs_hz / 60:.0f} min of sound asked for; at most {MAX_SOUND_S / 60:.0f} min "
                         "at once (choose a part)")


def resample_for_audio(signal: np.ndarray, fs_hz: float, rate_hz: int = AUDIO_RATE_HZ) -> tuple[np.ndarray, int]:
    """``signal`` at an integer audio rate near ``rate_hz`` (the exact rational ratio when the
    record's rate allows it); resample_poly's polyphase filter is the anti-alias filter."""
    check_sound(int(np.size(signal)), fs_hz)
    exact = Fraction(rate_hz) / Fraction(fs_hz)
    ratio = exact.limit_denominator(10_000)
    if max(ratio.numerator, ratio.denominator) > MAX_POLYPHASE:
        # An odd rate (1454.5 Hz: 88200/2909) would need a filter of millions of taps (85 MB for
        # an empty signal); a ratio within about 1 % shifts the pitch of EMG crackle inaudibly.
        ratio = exact.limit_denominator(100)
    out_rate = int(round(fs_hz * ratio.numerator / ratio.denominator))
    return scipy_signal.resample_poly(finite_uv(signal), ratio.numerator, ratio.denominator), out_rate


def limit(x: np.ndarray, volume: float = 1.0) -> np.ndarray:
    """``x`` scaled to the audio range (-1, 1) exclusive, loud parts bent by the soft knee."""
    reference = float(np.percentile(np.abs(x), 99.5)) if x.size else 0.0
    y = x * (volume * HEADROOM / reference) if reference > 0 else np.zeros_like(x)
    over = np.abs(y) > KNEE
    y[over] = np.sign(y[over]) * (KNEE + (CEILING - KNEE) * np.tanh((np.abs(y[over]) - KNEE) / (CEILING - KNEE)))
    return y


def pcm16(signal: np.ndarray, fs_hz: float, volume: float = 1.0,
          rate_hz: int = AUDIO_RATE_HZ) -> tuple[np.ndarray, int]:
    """Mono 16-bit samples of ``signal`` at an audio rate, and that rate."""
    resampled, out_rate = resample_for_audio(signal, fs_hz, rate_hz)
    # The median, not the mean, is the zero: one huge artefact must not offset the whole sound.
    y = limit(resampled - np.median(resampled) if resampled.size else resampled, volume)
    return np.round(y * FULL_SCALE).astype(np.int16), out_rate


def wav_bytes(samples: np.ndarray, rate_hz: int) -> bytes:
    """``samples`` (int16) as the bytes of a mono 16-bit WAV file at ``rate_hz``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate_hz)
        out.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()
