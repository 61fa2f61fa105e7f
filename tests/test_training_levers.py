"""Issue 10's post-hoc levers on synthetic fold logits: calibration and thresholds come from
validation subjects only, ensembles refuse runs with other splits, stacking refuses a leaked
fold and never trains on the subject it scores, and an exported ensemble is the mean of its
members to within the export tolerance."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training import posthoc, stacking  # noqa: E402
from training.arguments import read_json_value  # noqa: E402
from training.calibrate import fit_temperature  # noqa: E402
from training.ensemble import MeanLogits  # noqa: E402
from training.posthoc import FoldLogits, Run, choose_threshold, ensemble, evaluate_run, score_fold  # noqa: E402
from training.stacking import LeakedFoldError, fit_stacker, stacked_scores  # noqa: E402

SUBJECTS = {"A1": 2, "A2": 2, "A3": 2, "C1": 0, "C2": 0, "C3": 0, "M1": 1, "M2": 1, "M3": 1}
RECORDS_PER_SUBJECT, WINDOWS_PER_RECORD = 4, 6


def synthetic_run(seed: int = 0, name: str = "run", validation_shift: float = 0.0, rotate: bool = False) -> Run:
    """LOSO over nine subjects; logits point at the truth with noise. ``validation_shift``
    sharpens validation logits only, so a calibration fitted on them differs from one that
    would be fitted on the test windows. ``rotate``: folds draw different validation subjects
    (as real LOSO draws do), not always the first of each class."""
    rng = np.random.default_rng(seed)
    subjects = sorted(SUBJECTS)
    record_subjects = tuple(s for s in subjects for _ in range(RECORDS_PER_SUBJECT))
    record_labels = np.array([SUBJECTS[s] for s in record_subjects])
    record_index = np.repeat(np.arange(len(record_subjects)), WINDOWS_PER_RECORD)
    labels = record_labels[record_index]

    def logits_for(indices: np.ndarray, sharpen: float) -> np.ndarray:
        base = rng.normal(0.0, 1.0, (indices.size, 3))
        base[np.arange(indices.size), labels[indices]] += 1.2 + sharpen
        return base

    folds = []
    for k, test in enumerate(subjects):
        rest = [s for s in subjects if s != test]
        validation = tuple(sorted({[s for s in rest if SUBJECTS[s] == c][k % 2 if rotate else 0] for c in range(3)}))
        test_idx = np.flatnonzero(np.isin(np.asarray(record_subjects)[record_index], [test]))
        val_idx = np.flatnonzero(np.isin(np.asarray(record_subjects)[record_index], validation))
        folds.append(FoldLogits(f"test {test}", (test,), validation, test_idx, logits_for(test_idx, 0.0),
                                val_idx, logits_for(val_idx, validation_shift)))
    return Run(name, {"seed": seed}, labels, record_index, tuple(f"R{i}" for i in range(len(record_subjects))),
               record_subjects, record_labels, ("control", "myopathy", "ALS"), tuple(folds))


def test_window_temperature_is_fitted_on_validation_windows_only():
    run = synthetic_run(validation_shift=3.0)
    fold = run.folds[0]
    scores = score_fold(run, fold)
    on_validation = fit_temperature(fold.validation_logits, run.labels[fold.validation_indices])
    on_test = fit_temperature(fold.test_logits, run.labels[fold.test_indices])
    assert scores.window_temperature == pytest.approx(on_validation)
    assert abs(on_validation - on_test) > 0.1  # the test windows would have given another one


def test_pooled_calibration_uses_every_folds_validation_windows_but_never_the_test_subjects():
    run = synthetic_run(validation_shift=3.0, rotate=True)
    for fold in run.folds:
        sources = posthoc.validation_folds(run, fold)
        assert any(other is fold for other in sources) and len(sources) > 1
        assert all(fold.test_subjects[0] not in other.validation_subjects for other in sources)
        # Exactly the folds left out are those that validated on the test subject.
        left_out = [other for other in run.folds if all(other is not kept for kept in sources)]
        assert all(fold.test_subjects[0] in other.validation_subjects for other in left_out)
        windows = np.concatenate([other.validation_indices for other in sources])
        expected = fit_temperature(np.concatenate([other.validation_logits for other in sources]), run.labels[windows])
        assert score_fold(run, fold, pooled=True).window_temperature == pytest.approx(expected)
    row = evaluate_run(run, pooled=True)
    assert row["run"] == "run, calibrated on every fold's validation subjects but the test subject"
    assert row["n_records"] == len(SUBJECTS) * RECORDS_PER_SUBJECT  # still every record once


def test_every_record_is_scored_once_by_the_fold_that_held_its_subject_out():
    result = evaluate_run(synthetic_run())
    rows = result["record_rows"]
    assert sorted(r["record"] for r in rows) == sorted(f"R{i}" for i in range(len(SUBJECTS) * RECORDS_PER_SUBJECT))
    assert result["n_records"] == len(rows) and result["windows"]["n_windows"] == len(rows) * WINDOWS_PER_RECORD
    assert result["selective"]["coverage"] <= 1.0


def test_threshold_is_the_lowest_that_reaches_the_target():
    confidence = np.array([0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    correct = np.array([False, False, True, False, True, True])
    # kept at >= 0.71: 2/2 right; at >= 0.61: 2/3; at >= 0.51: 3/4
    assert choose_threshold(confidence, correct, target=0.95) == pytest.approx(0.71)
    assert choose_threshold(confidence, np.zeros(6, dtype=bool)) == posthoc.THRESHOLDS[-1]


def test_ensemble_is_the_mean_of_member_logits_and_refuses_other_splits():
    a, b = synthetic_run(0, "a"), synthetic_run(1, "b")
    both = ensemble([a, b], "a+b")
    assert np.allclose(both.folds[3].test_logits, (a.folds[3].test_logits + b.folds[3].test_logits) / 2)
    other = synthetic_run(2, "c")
    moved = replace(other.folds[0], validation_subjects=("A3", "C3", "M3"))
    with pytest.raises(ValueError, match="differs"):
        ensemble([a, replace(other, folds=(moved, *other.folds[1:]))], "leak")


def test_stacker_refuses_a_leaked_fold():
    features = np.random.default_rng(0).normal(size=(6, 2))
    subjects = np.array(["A1", "A1", "C1", "C1", "M1", "M1"])
    with pytest.raises(LeakedFoldError, match="C1"):
        fit_stacker(features, np.array([2, 2, 0, 0, 1, 1]), subjects, {"C1"}, 3)


def test_a_balanced_stacker_does_not_learn_the_class_mix():
    """Features that say nothing about the class: unweighted, the regression answers with the
    training rows' class shares (here 80 % control); balanced, with a third for each class."""
    rng = np.random.default_rng(0)
    labels = np.array([0] * 80 + [1] * 10 + [2] * 10)
    features = rng.normal(size=(labels.size, 2))
    subjects = np.array([f"S{i % 20}" for i in range(labels.size)])
    mix = fit_stacker(features, labels, subjects, set(), 3, l2=100.0)
    even = fit_stacker(features, labels, subjects, set(), 3, l2=100.0, balanced=True)
    probe = np.zeros((1, 2)) + features.mean(axis=0)
    assert mix.predict(probe)[0] == pytest.approx([0.8, 0.1, 0.1], abs=0.02)
    assert even.predict(probe)[0] == pytest.approx([1 / 3] * 3, abs=0.02)


def test_stacking_never_trains_on_the_subject_it_scores(monkeypatch):
    run = synthetic_run()
    scores = [score_fold(run, fold) for fold in run.folds]
    calls = []
    real = stacking.fit_stacker

    def spy(features, labels, subjects, held_out, n_classes, l2=1.0, names=None, balanced=False):
        calls.append((set(subjects.tolist()), set(held_out)))
        return real(features, labels, subjects, held_out, n_classes, l2, names, balanced)

    monkeypatch.setattr(stacking, "fit_stacker", spy)
    stacked = stacked_scores(run, scores)
    assert len(calls) == len(run.folds) * 4  # one for the test subject, one per validation subject
    assert all(not (trained & held) for trained, held in calls)
    for fold, score in zip(run.folds, stacked):
        assert score.record_probabilities.shape == (RECORDS_PER_SUBJECT, 3)
        assert np.allclose(score.record_probabilities.sum(axis=1), 1.0)
        assert any(held == set(fold.test_subjects) for _trained, held in calls)


def test_a_record_unlike_its_fold_models_training_records_keeps_its_windows_mean():
    """As the app does with a card: a test record whose signal profile leaves the range of the
    fold's training records (not its validation or test subjects') gets the tempered mean, and
    the row names it; a record inside the range gets the regression."""
    run = synthetic_run()
    scores = [score_fold(run, fold) for fold in run.folds]
    profiles = np.tile([50.0, 150.0, 0.01], (len(run.record_names), 1))
    profiles[:, 0] += np.arange(len(run.record_names))  # rms 50..85 µV, by record
    fold = run.folds[0]  # tests A1 (records 0-3), validates A2, C1, M1
    held_out = [r for r, s in enumerate(run.record_subjects) if s in (*fold.test_subjects, *fold.validation_subjects)]
    trained = [r for r in range(len(run.record_names)) if r not in held_out]
    low = min(profiles[trained, 0])
    assert low > profiles[0, 0]  # A1's rms values all lie below the fold's training range...
    profiles[1, 0] = profiles[2, 0] = profiles[3, 0] = low  # ...until three of them are put on its edge
    unlike = stacking.unlike_training(run, fold, profiles, scores[0].record_ids)
    assert unlike.tolist() == [True, False, False, False]
    unmeasured = np.full_like(profiles, np.nan)  # no training record with a profile: no range, no caveat
    assert not stacking.unlike_training(run, fold, unmeasured, scores[0].record_ids).any()
    plain = stacked_scores(run, scores)
    replayed = stacked_scores(run, scores, profiles=profiles)
    np.testing.assert_array_equal(replayed[0].record_probabilities[0], scores[0].record_probabilities[0])
    np.testing.assert_array_equal(replayed[0].record_probabilities[1:], plain[0].record_probabilities[1:])
    assert replayed[0].fallback.tolist() == [0]
    row = posthoc.pool(run, replayed, "stacked")
    assert row["fallback_records"][0] == "R0" and "fallback_records" in posthoc.pool(run, plain)


def test_the_shipped_stacker_learns_from_every_subject_the_features_the_app_computes(monkeypatch):
    from emgviewer.analysis.stacking import RecordStacker, stacked_verdict

    run = synthetic_run()
    scores = [score_fold(run, fold) for fold in run.folds]
    trained_on = []
    real = stacking.fit_stacker

    def spy(features, labels, subjects, held_out, n_classes, l2=1.0, names=None, balanced=False):
        trained_on.append((set(subjects.tolist()), balanced))
        return real(features, labels, subjects, held_out, n_classes, l2, names, balanced)

    monkeypatch.setattr(stacking, "fit_stacker", spy)
    shipped = stacking.deployed_stacker(run, scores)
    assert trained_on == [(set(SUBJECTS), True)]
    parsed = RecordStacker.from_dict(shipped.to_dict(), run.class_names)  # as the app reads a card
    # Record 0's out-of-fold windows through the app's verdict give the regression's own answer.
    fold = scores[0]
    windows = fold.window_probabilities[run.record_index[fold.test_indices] == fold.record_ids[0]]
    features, _labels, _subjects, ids, _names = stacking._table(run, scores, None)
    verdict = stacked_verdict(windows, run.class_names, parsed)
    expected = shipped.predict(features[ids == fold.record_ids[0]])[0]
    assert [verdict.probabilities[c] for c in run.class_names] == pytest.approx(expected, abs=1e-12)


def test_a_fixed_record_threshold_gives_the_rows_coverage_and_accuracy_at_it():
    from training.row_export import fixed_threshold_selective

    row = {"record_rows": [{"probabilities": [0.7, 0.2, 0.1], "truth": "control"},
                           {"probabilities": [0.5, 0.3, 0.2], "truth": "control"},  # below 0.6: no verdict
                           {"probabilities": [0.1, 0.1, 0.8], "truth": "myopathy"}]}  # kept, wrong
    said = fixed_threshold_selective(row, ["control", "myopathy", "ALS"], 0.6)
    assert (said["coverage"], said["accuracy"]) == (pytest.approx(2 / 3), 0.5)
    assert said["rule"].startswith("a fixed threshold of 0.6, not fitted")


def test_exported_ensemble_is_the_mean_of_its_members(tmp_path):
    from onnx_models import card_dict

    from training.export import export_onnx

    torch.manual_seed(0)
    members = [torch.nn.Sequential(torch.nn.Conv1d(1, 4, 9, stride=4), torch.nn.ReLU(),
                                   torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten(), torch.nn.Linear(4, 3))
               for _ in range(3)]
    model = MeanLogits(members)
    card = card_dict(fs_hz=4000.0, window_s=0.25, hop_s=0.1)
    card["input"]["scaling"] = {"kind": "fixed", "factor": 1e-3}
    windows = np.random.default_rng(1).normal(0, 200, (16, 1000)).astype(np.float32)
    path = tmp_path / "ensemble.onnx"
    assert export_onnx(model, card, path, windows) <= 1e-4
    import onnxruntime as ort

    (out,) = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(
        None, {"emg": (windows * np.float32(1e-3))[:, None, :]})
    with torch.no_grad():
        x = torch.from_numpy(windows * np.float32(1e-3)).unsqueeze(1)
        expected = np.mean([m(x).numpy() for m in members], axis=0)
    assert np.abs(out - expected).max() <= 1e-4


@pytest.mark.real_data
def test_levers_then_final_ship_an_ensemble_whose_card_is_its_levers_row(n2001_dir, tmp_path):
    """Two tiny LOSO runs on 30 records, their levers table, and the 2-member ensemble built
    from its row: one ONNX file whose card carries the row's numbers and calibration."""
    from emgviewer.inference import classify, load_model
    from emgviewer.records import read_record
    from training.cli import main as training_main

    runs = tmp_path / "runs"
    for seed in (1, 2):
        assert training_main(["evaluate", "--data", str(n2001_dir), "--max-records", "30", "--folds", "loso",
                              "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "8", "--seed", str(seed),
                              "--split-seed", "0", "--save-logits", "--tag", f"s{seed}", "--out", str(runs)]) == 0
    logits = sorted(runs.glob("*_logits.npz"))
    # The MUAP measures named explicitly: an installed (not editable) package has no reports beside it.
    muap = Path(__file__).resolve().parent.parent / "training" / "reports" / "muap_groups.json"
    assert training_main(["levers", *map(str, logits), "--ensemble", "munet_3class_loso_s1,munet_3class_loso_s2",
                          "--muap", str(muap), "--out", str(tmp_path / "levers")]) == 0
    rows = read_json_value(tmp_path / "levers" / "levers.json.gz")
    row = next(r for r in rows if r["run"].startswith("ensemble of 2"))
    out = tmp_path / "ensemble.onnx"
    assert training_main(["final", "--data", str(n2001_dir), "--levers", str(tmp_path / "levers" / "levers.json.gz"),
                          "--lever", row["run"], "--member", str(runs / "munet_3class_loso_s1.json"),
                          "--member", str(runs / "munet_3class_loso_s2.json"), "--out", str(out),
                          "--version", "0.0.1"]) == 0
    model = load_model(out)
    card = model.card
    assert card.temperature == pytest.approx(float(np.median(row["temperatures"]["window"])))
    assert card.record_temperature == pytest.approx(float(np.median(row["temperatures"]["record"])), abs=1e-4)
    assert card.record_threshold == pytest.approx(float(np.median(row["record_thresholds"])), abs=1e-2)
    assert card.evaluation["records"] == f"{row['records_correct']}/{row['n_records']}"
    assert card.provenance.protocol_kind == "leave-one-subject-out"
    assert "mean of the logits of 2 munet models" in card.architecture
    oof = card.evaluation["out_of_fold"]["records"]
    first = row["record_rows"][0]
    assert oof[first["record"]]["confidence"] == pytest.approx(max(first["probabilities"]), abs=1e-4)
    record = read_record(next(n2001_dir.glob(f"{first['record']}.hea")))
    assert classify(record, model).verdict.label is not None  # the app runs it

    # The same ensemble with the row's learned record verdict (windows and MUAP measures).
    stacked = next(r for r in rows if r["run"].endswith("+ stacked with MUAP measures"))
    assert training_main(["final", "--data", str(n2001_dir), "--levers", str(tmp_path / "levers" / "levers.json.gz"),
                          "--lever", stacked["run"], "--member", str(runs / "munet_3class_loso_s1.json"),
                          "--member", str(runs / "munet_3class_loso_s2.json"), "--out", str(tmp_path / "stacked.onnx"),
                          "--version", "0.0.1"]) == 0
    card = load_model(tmp_path / "stacked.onnx").card
    assert card.record_stacker.to_dict() == stacked["stacker"] and card.record_stacker.uses_muap
    # The regression gives the verdict; the tempered mean is kept for records unlike the training ones.
    assert card.record_temperature == pytest.approx(float(np.median(stacked["temperatures"]["record"])), abs=1e-4)
    assert card.evaluation["records"] == f"{stacked['records_correct']}/{stacked['n_records']}"
    assert "logistic regression on the record's window probabilities" in card.architecture
    verdict = classify(record, load_model(tmp_path / "stacked.onnx")).verdict
    assert verdict.basis.startswith("learned from the windows and the MUAP measures of")


def test_runs_are_compared_on_the_folds_they_share_and_merged_from_parts():
    from training.posthoc import merge_runs
    from training.posthoc_table import common_folds

    full = synthetic_run(0, "full")
    first, rest = (replace(full, folds=full.folds[:3]), replace(full, folds=full.folds[2:]))
    merged = merge_runs([first, rest], "merged")
    assert [f.name for f in merged.folds] == [f.name for f in full.folds]  # the shared fold once
    other = synthetic_run(1, "other")
    subset = replace(other, folds=tuple(other.folds[k] for k in (1, 4, 7)))
    a, b = common_folds([full, subset])
    assert [f.name for f in a.folds] == [f.name for f in b.folds] == [full.folds[k].name for k in (1, 4, 7)]
    with pytest.raises(ValueError, match="not the same recipe"):
        merge_runs([full, other], "mixed")  # another seed is another recipe
    # A file saved before mixup existed and one saved with mixup 0 hold the same recipe.
    newer = replace(rest, config={**rest.config, "mixup": 0.0})
    assert [f.name for f in merge_runs([first, newer], "merged").folds] == [f.name for f in full.folds]
    with pytest.raises(ValueError, match="not the same recipe"):
        merge_runs([first, replace(rest, config={**rest.config, "mixup": 0.4})], "mixed")


def test_divote_features_are_each_patients_mean_probability_and_vote_shares():
    from training.patient_regression import patient_features

    # Patient P: record 0 votes ALS in 2 of 3 windows, record 1 votes control in both windows.
    p = np.array([[0.1, 0.1, 0.8], [0.2, 0.2, 0.6], [0.5, 0.3, 0.2], [0.7, 0.2, 0.1], [0.6, 0.3, 0.1],
                  [0.1, 0.8, 0.1]])
    records = np.array([0, 0, 0, 1, 1, 2])
    patients, features = patient_features(p, records, ("P", "P", "Q"))
    assert patients == ["P", "Q"]
    np.testing.assert_allclose(features[0], [*p[:5].mean(axis=0), 3 / 5, 0, 2 / 5, 1 / 2, 0, 1 / 2])
    np.testing.assert_allclose(features[1], [0.1, 0.8, 0.1, 0, 1, 0, 0, 1, 0])


def test_divote_diagnoses_each_patient_with_a_regression_that_never_saw_it(monkeypatch):
    from training import patient_regression as divote_module

    fitted = []

    def recording(features, labels, subjects, test_subjects, n_classes, l2=1.0):
        fitted.append((set(subjects.tolist()), set(test_subjects)))
        return fit_stacker(features, labels, subjects, test_subjects, n_classes, l2)

    monkeypatch.setattr(divote_module, "fit_stacker", recording)
    result = divote_module.divote(synthetic_run())
    assert [held_out for _, held_out in fitted] == [{s} for s in sorted(SUBJECTS)]
    assert all(trained == set(SUBJECTS) - held_out for trained, held_out in fitted)
    # The synthetic logits point at the truth: every patient is right both ways.
    assert result["divote_correct"] == result["vote_correct"] == result["n_patients"] == len(SUBJECTS)
    assert [r["truth"] for r in result["patients"]] == [("control", "myopathy", "ALS")[SUBJECTS[s]] for s in sorted(SUBJECTS)]


def test_divote_refuses_predictions_that_are_not_out_of_fold_per_patient():
    from training.patient_regression import divote

    run = synthetic_run(name="run")
    first, second = run.folds[0], run.folds[1]
    # The random window split: every subject validates and tests in its one fold.
    leaky = replace(run, folds=(replace(first, validation_subjects=first.test_subjects),))
    with pytest.raises(ValueError, match=rf"^run: fold 'test {first.test_subjects[0]}' validates on the subjects it "
                                          r"tests \(\w+\): DiVote needs subject-disjoint folds, not a random window split$"):
        divote(leaky)
    twice = replace(run, folds=(*run.folds, replace(second, name="again")))
    with pytest.raises(ValueError, match=rf"^run: subject {second.test_subjects[0]} is tested by folds "
                                          rf"'{second.name}' and 'again'$"):
        divote(twice)
    stopped = replace(run, folds=run.folds[:-2])
    untested = ", ".join(s for f in run.folds[-2:] for s in f.test_subjects)
    with pytest.raises(ValueError, match=rf"^run: no fold tested {untested}: finish the run \(evaluate --resume\) first$"):
        divote(stopped)


def test_per_subject_table_has_one_column_per_distinct_row_with_each_runs_own_accuracy():
    from training.posthoc_table import score_levers, subjects_by_row

    runs = [synthetic_run(seed=0, name="first"), synthetic_run(seed=1, name="second")]
    rows = score_levers(runs, [], None)
    lines = subjects_by_row(rows)
    table = [line for line in lines if line.startswith("| ")]
    # Rows 2 (first, calibrated), 4 (pooled calibration) and 5 (stacked) only calibrate or stack
    # row 1: the same winning class in every window, so only rows 1 and 3 get a column.
    assert table[0] == "| subject | truth | 1 | 3 | lowest | highest |"
    assert len(table) == 1 + len(SUBJECTS)
    for line in table[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        subject = cells[0]
        assert cells[1] == ("control", "myopathy", "ALS")[SUBJECTS[subject]]
        for run, column in zip(runs, (2, 3)):
            fold = next(f for f in run.folds if f.test_subjects == (subject,))
            expected = np.mean(fold.test_logits.argmax(axis=1) == run.labels[fold.test_indices])
            assert cells[column] == f"{expected:.0%}"
        first, second = (float(cells[k].rstrip("%")) for k in (2, 3))
        assert (cells[-2], cells[-1]) == (f"{min(first, second):.0f}%", f"{max(first, second):.0f}%")
