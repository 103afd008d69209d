"""Every RPC method over a real worker subprocess, and coded errors instead of crashes."""

import io
import signal
import struct
import subprocess
import sys

import pytest
from small_world import DOCUMENTS, PROMPTS, SMALL_MODEL
from worker_process import WORKER_DIR, RemoteError, WorkerProcess

from factrecall_worker.errors import all_error_classes
from factrecall_worker.framing import encode_frame, read_frame


@pytest.fixture(scope="module")
def worker():
    w = WorkerProcess()
    yield w
    assert w.close() == 0


def test_each_method_answers_over_the_subprocess(worker, tmp_path):
    assert worker.call("info")["ready"] is False
    tok = worker.call("tokenizer", {"texts": DOCUMENTS})
    assert tok["special_ids"] == {"pad": 0, "bos": 1, "eos": 2, "unk": 3, "newline": 4}
    init = worker.call(
        "init",
        {
            "seed": 7,
            "device": "cpu",
            "threads": 1,
            "model": SMALL_MODEL,
            "optim": {"lr": 1e-3},
            "loss": {"kl_coef": 0.01},
        },
    )
    assert init["parameters"] > 0 and init["model"]["vocab_size"] == tok["vocab_size"]

    worker.events.clear()
    pre = worker.call("pretrain", {"documents": DOCUMENTS, "epochs": 4, "batch_size": 4, "progress_every": 2})
    assert len(pre["epoch_losses"]) == 4 and pre["epoch_losses"][-1] < pre["epoch_losses"][0]
    assert worker.events and all(
        e["event"] == "progress" and e["request_id"] is not None for e in worker.events
    )
    assert worker.events[-1] == {
        "id": None,
        "event": "progress",
        "request_id": worker.events[-1]["request_id"],
        "phase": "pretrain_epoch",
        "epoch": 4,
        "epochs": 4,
        "step": pre["steps"],
        "steps": pre["steps"],
        "loss": pre["epoch_losses"][-1],
    }

    gen = worker.call(
        "generate", {"prompts": PROMPTS[:2], "n": 3, "max_new_tokens": 4, "temperature": 1.0, "seed": 1}
    )
    samples = [(r["prompt_ids"], s) for r in gen["results"] for s in r["samples"]]
    assert len(samples) == 6
    lp = worker.call(
        "logprobs", {"prompts": [p for p, _ in samples], "completions": [s["token_ids"] for _, s in samples]}
    )
    for (_, s), pol in zip(samples, lp["policy"], strict=True):
        assert pol == pytest.approx(s["logprobs"], abs=1e-4)

    batch = [
        {
            "prompt_ids": p,
            "completion_ids": s["token_ids"],
            "old_logprobs": s["logprobs"],
            "advantage": 1.0 if i % 2 else -1.0,
        }
        for i, (p, s) in enumerate(samples)
    ]
    stats = worker.call("train_step", {"samples": batch, "micro_batch_size": 2})
    assert stats["step"] == 1 and stats["tokens"] == sum(len(s["token_ids"]) for _, s in samples)

    path = str(tmp_path / "w.pt")
    assert worker.call("save", {"path": path})["step"] == 1
    after = worker.call("train_step", {"samples": batch})
    assert worker.call("load", {"path": path})["step"] == 1
    again = worker.call("train_step", {"samples": batch})
    assert set(after.pop("seconds")) == set(again.pop("seconds")) == {"score", "train"}
    assert again == after  # everything but the wall-clock


def test_bad_requests_get_coded_errors_and_the_worker_keeps_serving(worker):
    with pytest.raises(RemoteError) as e:
        worker.call("fly")
    assert e.value.code == "FR_ERR_WORKER_UNKNOWN_METHOD" and not e.value.retryable
    with pytest.raises(RemoteError) as e:
        worker.call("generate", {"prompts": ["x"], "temperature": "hot"})
    assert e.value.code in ("FR_ERR_WORKER_BAD_PARAMS", "FR_ERR_WORKER_NOT_READY")
    assert worker.call("info")["torch"]


def test_calls_before_init_are_not_ready_and_overlong_prompts_are_too_long():
    w = WorkerProcess()
    try:
        with pytest.raises(RemoteError) as e:
            w.call("generate", {"prompts": ["x"]})
        assert e.value.code == "FR_ERR_WORKER_NOT_READY"
        w.call("tokenizer", {"texts": DOCUMENTS})
        w.call("init", {"device": "cpu", "threads": 1, "model": {**SMALL_MODEL, "block_size": 8}})
        with pytest.raises(RemoteError) as e:
            w.call("generate", {"prompts": [PROMPTS[0]], "max_new_tokens": 4})
        assert e.value.code == "FR_ERR_WORKER_TOO_LONG"
        with pytest.raises(RemoteError) as e:
            w.call("init", {"engine": "vllm"})
        assert e.value.code == "FR_ERR_WORKER_UNSUPPORTED_ENGINE"
    finally:
        assert w.close() == 0


def raw_worker(argv=("-m", "factrecall_worker")):
    """The worker as a bare subprocess, pipes on every stream (for tests of its framing)."""
    return subprocess.Popen(
        [sys.executable, *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PYTHONPATH": WORKER_DIR},
    )


def test_a_corrupt_frame_gets_an_error_frame_and_the_worker_exits_nonzero():
    proc = raw_worker()
    proc.stdin.write(struct.pack(">I", 3) + b"\xc1\xc1\xc1")
    proc.stdin.flush()
    msg = read_frame(proc.stdout)
    assert msg["id"] is None and msg["error"]["code"] == "FR_ERR_WORKER_BAD_FRAME"
    proc.stdin.close()
    assert proc.wait(timeout=30) == 2
    proc.stdout.close()
    proc.stderr.close()


def test_closing_stdin_ends_the_worker_cleanly_and_stdout_holds_only_frames():
    proc = raw_worker(
        (
            "-c",
            "import runpy, sys; print('noise'); sys.argv = ['w']; "
            "runpy.run_module('factrecall_worker', run_name='__main__')",
        )
    )
    out, err = proc.communicate(encode_frame({"id": "a", "method": "info", "params": {}}), timeout=60)
    assert proc.returncode == 0
    assert b"noise" in err  # a stray print goes to stderr, never between frames
    stream = io.BytesIO(out)
    assert read_frame(stream)["id"] == "a" and read_frame(stream) is None


def test_the_error_catalogue_lists_each_code_once_with_a_docstring():
    codes = [c.code for c in all_error_classes()]
    assert len(codes) == len(set(codes)) and all(c.startswith("FR_ERR_WORKER_") for c in codes)
    assert all((c.__doc__ or "").strip().count("\n") == 0 for c in all_error_classes())


def test_ctrl_c_reaching_the_worker_leaves_it_serving():
    # A terminal's Ctrl-C goes to the coordinator and the worker alike; the coordinator wants
    # the worker alive to write its checkpoint, then shuts it down itself.
    w = WorkerProcess()
    assert w.call("info")["ready"] is False
    w.proc.send_signal(signal.SIGINT)
    assert w.call("info")["ready"] is False
    assert w.close() == 0


def test_every_reply_carries_the_workers_own_seconds_on_the_request():
    proc = raw_worker()
    requests = encode_frame({"id": 1, "method": "info", "params": {}}) + encode_frame(
        {"id": 2, "method": "fly", "params": {}}
    )
    out, _ = proc.communicate(requests, timeout=60)
    assert proc.returncode == 0
    stream = io.BytesIO(out)
    ok, failed = read_frame(stream), read_frame(stream)
    assert ok["ok"] is True and failed["ok"] is False
    for reply in (ok, failed):
        assert isinstance(reply["compute_s"], float) and 0 <= reply["compute_s"] < 60
