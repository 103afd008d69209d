"""verl: the parquet exporter writes verl's documented RL dataset format (train and val, val
without gold, never test), and the reward functions score through a live server."""
from __future__ import annotations

import pytest

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow comes with requirements-integrations.txt")

from factrecall_integrations.data import ExportFormatError  # noqa: E402
from factrecall_integrations.verl import (  # noqa: E402
    JudgeUnavailable,
    compute_score,
    compute_score_batch,
    export_parquet,
)


def test_the_parquet_has_verls_columns_and_types_with_gold_on_train_only(train_export, val_export, tmp_path):
    val = val_export
    n_train = export_parquet(train_export, tmp_path / "train.parquet")
    n_val = export_parquet(val, tmp_path / "val.parquet")
    assert n_train > 0 and n_val > 0
    for name, n in (("train", n_train), ("val", n_val)):
        table = pq.read_table(tmp_path / f"{name}.parquet")
        assert table.num_rows == n
        # verl's RLHFDataset reads these (examples/data_preprocess/gsm8k.py writes the same):
        assert set(table.column_names) == {"data_source", "prompt", "ability", "reward_model", "extra_info"}
        rows = table.to_pylist()
        for r in rows[:20]:
            assert isinstance(r["data_source"], str) and r["ability"] == "factual_recall"
            assert [m["role"] for m in r["prompt"]][-1] == "user"
            assert set(r["reward_model"]) == {"style", "ground_truth"}
            assert r["extra_info"]["split"] == name and r["extra_info"]["question_id"]
        gold = [r["reward_model"]["ground_truth"] for r in rows]
        if name == "train":
            assert all(len(g) > 0 for g in gold)
        else:
            assert all(g == [] for g in gold)
    assert not list(tmp_path.glob("*.tmp"))


def test_a_test_split_row_is_refused(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question_id":"q","split":"test","dataset":"factworld","question":"?","prompt":[],"fingerprint":"f"}\n')
    with pytest.raises(ExportFormatError, match="test rows"):
        export_parquet(bad, tmp_path / "bad.parquet")


def test_the_reward_functions_score_through_the_server_and_retry_a_judge_failure(judged_server, val_export, tmp_path):
    export_parquet(val_export, tmp_path / "val.parquet")
    rows = pq.read_table(tmp_path / "val.parquet").to_pylist()[:3]
    kw = {"url": judged_server["ws"]}
    # Batch manager: one call, scores as dicts; the injected failure is judged again, not 0.
    out = compute_score_batch([r["data_source"] for r in rows], ["a guess"] * 3,
                              [r["reward_model"]["ground_truth"] for r in rows],
                              [r["extra_info"] for r in rows], **kw)
    assert [o["score"] for o in out] == [0.0, 0.0, 0.0]
    assert sum(o["judge_retries"] for o in out) == 1
    one = compute_score(rows[0]["data_source"], "another guess", [], rows[0]["extra_info"], **kw)
    assert one["score"] == 0.0
    with pytest.raises(ValueError, match="question_id"):
        compute_score("factrecall", "x", [], {}, **kw)


def test_a_judge_that_keeps_failing_raises_instead_of_scoring_zero(judged_server, val_export, tmp_path):
    judged_server["judge"].arm(10**6)
    export_parquet(val_export, tmp_path / "val.parquet")
    row = pq.read_table(tmp_path / "val.parquet").to_pylist()[1]
    with pytest.raises(JudgeUnavailable):
        compute_score(row["data_source"], "a guess", [], row["extra_info"], url=judged_server["ws"], retries=1)
    judged_server["judge"].arm(0)
