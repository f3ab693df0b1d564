"""Fuzzy person matching on labelled data we did not generate: FEBRL 1 and fake_1000.

Each dataset goes through the documented CRM import and ``dbt build`` into its own warehouse
under ``tmp_path`` (``ingestion.evaluation.evaluate_dataset``); pairwise F1 against the labels
must stay at 0.95 or more. Neither dataset shares an identifier between duplicates except
fake_1000's emails, so the score is the fuzzy links' (and the clustering's) doing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.evaluation import evaluate_dataset

MIN_F1 = 0.95


@pytest.mark.parametrize("dataset", ["febrl1", "fake_1000"])
def test_fuzzy_matching_f1(dataset: str, tmp_path: Path) -> None:
    scores = evaluate_dataset(dataset, tmp_path / dataset)
    assert scores.records == 1000, scores.describe()
    assert scores.f1 >= MIN_F1, scores.describe()
