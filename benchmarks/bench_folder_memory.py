"""Memory around the folder jobs: resident memory of the real viewer before "Classify all",
after it, and after the folder report that follows (offscreen, default model).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_folder_memory.py FOLDER [--records N]

With ``--records N`` only the first N records of FOLDER are used (linked into a temporary
folder). Reported in MB: ``rss_before``, ``rss_after_classify_all``, ``rss_after_report`` (each
read after the job has finished and the event loop has settled), the peak, and the seconds each
job took. Goal (issue 12): memory goes back down after folder jobs. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtCore  # noqa: E402

from emgviewer.inference import default_model_path  # noqa: E402
from emgviewer.ui.app import make_application  # noqa: E402
from emgviewer.ui.main_window import MainWindow  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def settle(app, seconds: float = 1.0) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--records", type=int, default=None)
    args = parser.parse_args()
    app = make_application()
    work = Path(tempfile.mkdtemp())
    folder = args.folder
    if args.records:
        folder = work / "records"
        folder.mkdir()
        for header in sorted(args.folder.glob("*.hea"))[: args.records]:
            for part in args.folder.glob(header.stem + ".*"):
                (folder / part.name).symlink_to(part.resolve())
    settings = QtCore.QSettings(str(work / "s.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(1600, 900)
    window.show()
    window.set_model(default_model_path())
    window.open_folder(folder)
    settle(app, 3.0)
    out = {"records": len(window.browser.index.records), "rss_before": round(rss_mb())}
    started = time.perf_counter()
    window.classify_all()
    while not window.jobs.folder_job.finished:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    out["classify_all_s"] = round(time.perf_counter() - started, 1)
    settle(app)
    out["rss_after_classify_all"] = round(rss_mb())
    started = time.perf_counter()
    job = window.export_folder_report(work / "report.pdf", summary_only=False)
    while not (work / "report.pdf").exists() or not job.finished:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)
    out["report_s"] = round(time.perf_counter() - started, 1)
    out["reused"] = job.reused
    settle(app)
    out["rss_after_report"] = round(rss_mb())
    out["peak_rss"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(f"{out['records']} records: RSS {out['rss_before']} MB before, {out['rss_after_classify_all']} MB after "
          f"Classify all ({out['classify_all_s']} s), {out['rss_after_report']} MB after the report "
          f"({out['report_s']} s, {out['reused']} reused); peak {out['peak_rss']} MB")
    print(json.dumps(out))
    window.close()


if __name__ == "__main__":
    main()
