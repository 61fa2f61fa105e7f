"""The classifications "Classify all" keeps for the folder report: reused only for the same
model and hop, and never holding a record's signal alive."""

from __future__ import annotations

import gc
import weakref

import numpy as np
from onnx_models import card_dict, write_model

from emgviewer.inference import classify, load_model
from emgviewer.inference.reuse import ClassificationCache
from emgviewer.records import read_record


def _setup(tmp_path, emgdb_dir):
    model = load_model(write_model(tmp_path / "m.onnx", card_dict(fs_hz=4000.0)))
    path = emgdb_dir / "emg_healthy.hea"
    return model, path


def test_the_cache_does_not_keep_the_signal_alive(tmp_path, emgdb_dir):
    model, path = _setup(tmp_path, emgdb_dir)
    cache = ClassificationCache()
    record = read_record(path)
    signal = weakref.ref(record.signal_uv.base if record.signal_uv.base is not None else record.signal_uv)
    cache.put(path, classify(record, model), None)
    del record
    gc.collect()
    assert signal() is None  # a 0-sample view of the signal would have kept all of it
    again = read_record(path)
    kept = cache.get(path, again, model, None)
    assert kept is not None and kept.record is again


def test_kept_results_are_reused_only_for_the_same_model_and_hop(tmp_path, emgdb_dir):
    model, path = _setup(tmp_path, emgdb_dir)
    cache = ClassificationCache()
    record = read_record(path)
    result = classify(record, model)
    cache.put(path, result, None)
    reused = cache.get(path, record, model, None)
    assert np.array_equal(reused.probabilities, result.probabilities, equal_nan=True)
    assert cache.get(path, record, model, 0.07) is None  # another hop
    other = load_model(write_model(tmp_path / "other.onnx", card_dict(fs_hz=4000.0)))
    assert cache.get(path, record, other, None) is None  # another model file


def test_a_record_read_by_its_fold_model_is_reused_only_for_the_same_reading(n2001_dir):
    """The default model reads N2001 by its fold models: the kept result is found for the model
    asked for (not the fold file), keeps the fold model as its reader, and is never handed to a
    report that asked for the final model's reading or for verdicts outside the domain."""
    from emgviewer.inference import default_model_path

    model = load_model(default_model_path())
    path = n2001_dir / "N2001C04BB80.hea"
    record = read_record(path)
    result = classify(record, model)
    assert result.stands_for is model and result.model.path.name == "fold_C04.onnx"
    cache = ClassificationCache()
    cache.put(path, result, None)
    reused = cache.get(path, record, model, None)
    assert reused is not None and reused.model is result.model and reused.stands_for is model
    assert np.array_equal(reused.probabilities, result.probabilities)
    assert cache.get(path, record, model, None, final_model=True) is None
    assert cache.get(path, record, model, None, force_verdict=True) is None
    final = classify(record, model, final_model=True)
    cache.put(path, final, None, final_model=True)
    assert cache.get(path, record, model, None, final_model=True).model is model
    assert cache.get(path, record, model, None) is None  # the kept one is now the final model's
