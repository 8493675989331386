"""Labelled folders (the alpr_benchmark format), the detector's training set, the eval figures."""

import json

import numpy as np
import pytest
from helpers import write_labelled_folder

from vision.dataset import DatasetError, build_detection_dataset, read_labelled_folder, split_of
from vision.evaluate import calibration_table, expected_calibration_error, iou
from vision.reader import calibrate, fit_calibration


def _folder(tmp_path, n=4, seed=0):
    return write_labelled_folder(tmp_path / "labelled", n, seed)


def test_reads_a_labelled_folder_and_clamps_boxes(tmp_path):
    folder = _folder(tmp_path, 2)
    (folder / "img0.txt").write_text("img0.jpg\t-1\t5\t40\t20\tabc-123\n")
    items = read_labelled_folder(folder)
    assert len(items) == 2
    p = items[0].plates[0]
    assert (p.x, p.y, p.w, p.h, p.text) == (0, 5, 39, 20, "ABC123")


@pytest.mark.parametrize("label, why", [
    (None, "no label file"),
    ("img0.jpg\t1\t2\t3\tABC\n", "expected 6 tab-separated fields"),
    ("img0.jpg\tx\t2\t3\t4\tABC\n", "not numeric"),
    ("img0.jpg\t5000\t2\t3\t4\tABC\n", "outside"),
])
def test_bad_labels_are_clear_errors(tmp_path, label, why):
    folder = _folder(tmp_path, 1)
    if label is None:
        (folder / "img0.txt").unlink()
    else:
        (folder / "img0.txt").write_text(label)
    with pytest.raises(DatasetError, match=why):
        read_labelled_folder(folder)


def test_split_is_stable_and_about_half():
    names = [f"photo{i}.jpg" for i in range(400)]
    assert [split_of(n) for n in names] == [split_of(n) for n in names]
    assert 150 < sum(split_of(n) == "train" for n in names) < 250


def test_detection_dataset_has_yolo_labels_matching_the_scenes(tmp_path):
    real = _folder(tmp_path, 6, seed=1)
    n_train_real = sum(i.split == "train" for i in read_labelled_folder(real))
    data_yaml = build_detection_dataset(tmp_path / "ds", 10, [real], seed=2, scene_size=(320, 240), real_repeats=2)
    root = data_yaml.parent
    assert "names:\n  0: plate" in data_yaml.read_text()
    train = sorted((root / "images" / "train").iterdir())
    assert len(train) == 9 + 2 * n_train_real and len(list((root / "images" / "val").iterdir())) == 1
    for img in train:
        for line in (root / "labels" / "train" / (img.stem + ".txt")).read_text().splitlines():
            cls, cx, cy, w, h = line.split()
            assert cls == "0" and all(0 <= float(v) <= 1 for v in (cx, cy, w, h))
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["real_train_photos"] == n_train_real and manifest["scenes"] == 10


def test_iou_and_calibration_figures():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    pairs = [(0.95, True)] * 19 + [(0.95, False)] + [(0.6, True)] * 3 + [(0.6, False)] * 2
    table = {r["confidence"]: r for r in calibration_table(pairs)}
    assert table["[0.95, 1.00]"]["share_right"] == 0.95 and table["[0.50, 0.70]"]["reads"] == 5
    assert expected_calibration_error(pairs) == pytest.approx(0.0, abs=1e-9)


def test_calibration_fit_recovers_a_known_link():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0.05, 1.0, 20000)
    truth = 1 / (1 + np.exp(-(2.0 * np.log(raw) + 1.5)))
    correct = rng.random(20000) < truth
    a, b = fit_calibration(list(raw), list(correct))
    assert a == pytest.approx(2.0, abs=0.15) and b == pytest.approx(1.5, abs=0.15)
    assert calibrate(0.5, (a, b)) == pytest.approx(1 / (1 + np.exp(-(2.0 * np.log(0.5) + 1.5))), abs=0.02)
