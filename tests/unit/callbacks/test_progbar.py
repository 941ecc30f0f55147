"""Progbar prints exactly the tf.keras 2.x text; values convert only when printed."""
import pytest

from layerkit.utils import progbar as progbar_module
from layerkit.utils.progbar import Progbar


def _run(bar, clock, steps, seconds_per_step, values):
    for step in range(1, steps + 1):
        clock.now += seconds_per_step
        bar.update(step, values(step))


LOSS = [2.3140, 2.3133, 2.3126, 2.3124, 2.3121, 2.3119, 2.3117, 2.3115]
ACC = [0.1250, 0.1094, 0.1042, 0.1016, 0.1000, 0.1000, 0.1000, 0.1000]


def _stateful_values(step):
    return [("loss", LOSS[step - 1]), ("accuracy", ACC[step - 1])]


# ---------------------------------------------------------------- verbose=1
def test_verbose1_dynamic_exact_lines(clock, dynamic, capsys):
    bar = Progbar(8, interval=0, stateful_metrics=["loss", "accuracy"])
    _run(bar, clock, 8, 0.003, _stateful_values)
    lines = [
        "1/8 [==>...........................] - ETA: 0s - loss: 2.3140 - accuracy: 0.1250",
        "2/8 [======>.......................] - ETA: 0s - loss: 2.3133 - accuracy: 0.1094",
        "3/8 [==========>...................] - ETA: 0s - loss: 2.3126 - accuracy: 0.1042",
        "4/8 [==============>...............] - ETA: 0s - loss: 2.3124 - accuracy: 0.1016",
        "5/8 [=================>............] - ETA: 0s - loss: 2.3121 - accuracy: 0.1000",
        "6/8 [=====================>........] - ETA: 0s - loss: 2.3119 - accuracy: 0.1000",
        "7/8 [=========================>....] - ETA: 0s - loss: 2.3117 - accuracy: 0.1000",
        "8/8 [==============================] - 0s 3ms/step - loss: 2.3115 - accuracy: 0.1000",
    ]
    expected, previous = "", 0
    for line in lines:
        expected += "\b" * previous + "\r" + line
        previous = len(line)
    expected += "\n"
    assert capsys.readouterr().out == expected


def test_verbose1_static_prints_final_line_only(clock, static, capsys):
    bar = Progbar(8, interval=0, stateful_metrics=["loss", "accuracy"])
    _run(bar, clock, 8, 0.003, _stateful_values)
    assert capsys.readouterr().out == (
        "8/8 [==============================] - 0s 3ms/step - loss: 2.3115 - accuracy: 0.1000\n")


def test_number_column_is_right_aligned_to_target_width(clock, dynamic, capsys):
    bar = Progbar(100, interval=0)
    clock.now += 0.5
    bar.update(3)
    out = capsys.readouterr().out
    assert out == "\r  3/100 [..............................] - ETA: 16s"  # 0.5s / 3 * 97
    bar = Progbar(10, interval=0)
    clock.now += 0.5
    bar.update(3)
    assert capsys.readouterr().out == "\r 3/10 [========>.....................] - ETA: 1s"


def test_eta_formats(clock, dynamic, capsys):
    cases = [(200, 2.0, "ETA: 6:38"), (200, 30.0, "ETA: 1:39:30"), (200, 0.01, "ETA: 1s")]
    for target, step_time, eta in cases:
        bar = Progbar(target, interval=0)
        clock.now += step_time
        bar.update(1)
        assert capsys.readouterr().out.endswith("] - " + eta)


def test_per_step_time_units(clock, static, capsys):
    for step_time, text in [(2.0, " - 16s 2s/step"), (0.25, " - 2s 250ms/step"),
                            (0.0004, " - 0s 400us/step"), (0.0, " - 0s 0s/step")]:
        bar = Progbar(8, interval=0)
        _run(bar, clock, 8, step_time, lambda step: None)
        assert capsys.readouterr().out == "8/8 [==============================]" + text + "\n"


def test_first_step_is_left_out_of_the_step_time(clock, static, capsys):
    # The first (compiling) step takes 5s, the others 10ms: 10ms/step is shown.
    bar = Progbar(4, interval=0)
    for step, seconds in enumerate([5.0, 0.01, 0.01, 0.01], start=1):
        clock.now += seconds
        bar.update(step)
    assert capsys.readouterr().out == "4/4 [==============================] - 5s 10ms/step\n"


def test_shorter_line_is_padded_over_the_previous_one(clock, dynamic, capsys):
    bar = Progbar(3, interval=0, stateful_metrics=["loss"])
    clock.now += 100.0
    bar.update(1, [("loss", 12345.5)])
    first = "1/3 [=========>....................] - ETA: 3:20 - loss: 12345.5000"
    clock.now += 1.0
    bar.update(2, [("loss", 0.5)])
    second = "2/3 [===================>..........] - ETA: 1s - loss: 0.5000"
    pad = " " * (len(first) - len(second))
    assert capsys.readouterr().out == "\r" + first + "\b" * len(first) + "\r" + second + pad


def test_updates_are_throttled_by_interval(clock, dynamic, capsys):
    bar = Progbar(10, interval=0.05)
    for step in range(1, 11):
        clock.now += 0.02
        bar.update(step)
    out = capsys.readouterr().out
    shown = [part.split("/")[0].strip() for part in out.split("\r")[1:]]
    # 1 prints (first), then every 0.05s: 4 (+0.06), 7 (+0.06), and the final 10.
    assert shown == ["1", "4", "7", "10"]
    assert out.endswith("\n")


# ---------------------------------------------------------------- unknown target
def test_unknown_target(clock, dynamic, capsys):
    bar = Progbar(None, interval=0)
    for step in range(1, 4):
        clock.now += 0.005
        bar.update(step, [("loss", 0.5)])
    bar.update(3, [("loss", 0.5)], finalize=True)
    lines = ["      1/Unknown - 0s 5ms/step - loss: 0.5000",
             "      2/Unknown - 0s 5ms/step - loss: 0.5000",
             "      3/Unknown - 0s 5ms/step - loss: 0.5000",
             "      3/Unknown - 0s 5ms/step - loss: 0.5000"]
    expected = "\r" + lines[0]
    for line in lines[1:]:
        expected += "\b" * len(line) + "\r" + line
    assert capsys.readouterr().out == expected + "\n"


def test_unknown_target_wide_count(clock, dynamic, capsys):
    bar = Progbar(None, interval=0)
    clock.now += 2.0
    bar.update(1234, [("loss", 1.25)])
    assert capsys.readouterr().out == "\r   1234/Unknown - 2s 2ms/step - loss: 1.2500"


# ---------------------------------------------------------------- verbose=2
def test_verbose2_prints_one_line_at_the_end(clock, dynamic, capsys):
    bar = Progbar(8, verbose=2, stateful_metrics=["loss", "accuracy"])
    _run(bar, clock, 7, 0.012, _stateful_values)
    assert capsys.readouterr().out == ""
    clock.now += 0.012
    bar.update(8, _stateful_values(8))
    assert capsys.readouterr().out == (
        "8/8 - 0s - loss: 2.3115 - accuracy: 0.1000 - 96ms/epoch - 12ms/step\n")


def test_verbose2_seconds_per_epoch(clock, capsys):
    bar = Progbar(12, verbose=2)
    _run(bar, clock, 12, 0.25, lambda step: [("loss", 1.0)])
    assert capsys.readouterr().out == "12/12 - 3s - loss: 1.0000 - 3s/epoch - 250ms/step\n"


def test_verbose0_prints_nothing(clock, dynamic, capsys):
    bar = Progbar(8, verbose=0)
    _run(bar, clock, 8, 0.01, _stateful_values)
    assert capsys.readouterr().out == ""


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("value, text", [
    (0.5, "0.5000"), (2.31155, "2.3115"), (12345.678, "12345.6780"),
    (0.0005, "5.0000e-04"), (0.001, "1.0000e-03"), (0.0, "0.0000e+00"),
    (-0.25, "-0.2500"), (-0.0001, "-1.0000e-04"), (3e-9, "3.0000e-09")])
def test_value_formatting(clock, static, capsys, value, text):
    bar = Progbar(1, verbose=1, stateful_metrics=["v"])
    clock.now += 0.002
    bar.update(1, [("v", value)])
    assert capsys.readouterr().out == (
        "1/1 [==============================] - 0s 2ms/step - v: " + text + "\n")


def test_non_stateful_values_are_averaged_by_steps(clock, capsys):
    bar = Progbar(4, verbose=2, stateful_metrics=["acc"])
    clock.now += 0.004
    bar.update(2, [("loss", 1.0), ("acc", 0.25)])  # covers 2 steps
    bar.update(3, [("loss", 4.0), ("acc", 0.5)])   # covers 1 step
    bar.update(4, {"loss": 3.0, "acc": 0.75})      # a dict works too
    # loss: (1*2 + 4*1 + 3*1) / 4; acc: as given last
    assert capsys.readouterr().out == "4/4 - 0s - loss: 2.2500 - acc: 0.7500 - 4ms/epoch - 1ms/step\n"


def test_averaged_by_samples_when_counting_samples(clock, capsys):
    bar = Progbar(80, verbose=2, unit_name="sample")
    clock.now += 0.008
    bar.update(32, [("loss", 1.0)])
    bar.update(64, [("loss", 2.0)])
    bar.update(80, [("loss", 4.0)])
    assert capsys.readouterr().out == "80/80 - 0s - loss: 2.0000 - 8ms/epoch - 100us/sample\n"


def test_add_counts_on(clock, capsys):
    bar = Progbar(3, verbose=2)
    clock.now += 0.003
    bar.add(1, [("loss", 3.0)])
    bar.add(2, [("loss", 0.0)])
    assert bar._seen_so_far == 3
    assert capsys.readouterr().out == "3/3 - 0s - loss: 1.0000 - 3ms/epoch - 1ms/step\n"


# ---------------------------------------------------------------- lazy values
def test_lazy_values_convert_only_when_printed_dynamic(clock, dynamic, capsys, lazy):
    clock.now = 1000.0
    bar = Progbar(8, interval=10.0, stateful_metrics=["loss"])
    stateful, averaged = [], []
    for step in range(1, 9):
        clock.now += 0.002
        stateful.append(lazy(0.1 * step))
        averaged.append(lazy(1.0))
        bar.update(step, [("loss", stateful[-1]), ("acc", averaged[-1])])
        if step == 1:
            assert stateful[0].reads == 1 and averaged[0].reads == 1  # printed
        elif step < 8:
            # Throttled: nothing printed, nothing read from the "device".
            assert [v.reads for v in stateful[1:]] == [0] * (step - 1)
            assert [v.reads for v in averaged[1:]] == [0] * (step - 1)
    # Final line: the last stateful value and the pending averaged ones, once each.
    assert [v.reads for v in stateful] == [1, 0, 0, 0, 0, 0, 0, 1]
    assert [v.reads for v in averaged] == [1] * 8
    out = capsys.readouterr().out
    assert out.count("\r") == 2
    assert out.endswith("8/8 [==============================] - 0s 2ms/step - loss: 0.8000 - acc: 1.0000\n")


def test_lazy_values_never_read_until_final_line_static(clock, static, capsys, lazy):
    bar = Progbar(8, interval=0, stateful_metrics=["loss"])
    values = []
    for step in range(1, 8):
        clock.now += 0.001
        values.append(lazy(0.5))
        bar.update(step, [("loss", values[-1])])
    assert sum(v.reads for v in values) == 0
    assert capsys.readouterr().out == ""
    clock.now += 0.001
    last = lazy(0.25)
    bar.update(8, [("loss", last)])
    assert last.reads == 1 and sum(v.reads for v in values) == 0
    assert capsys.readouterr().out.endswith(" - loss: 0.2500\n")


def test_lazy_values_never_read_when_silent(clock, lazy):
    bar = Progbar(5, verbose=0, stateful_metrics=["loss"])
    values = [lazy(1.0) for _ in range(5)]
    for step, value in enumerate(values, start=1):
        bar.update(step, [("loss", value)])
    assert sum(v.reads for v in values) == 0


def test_pending_averaged_values_are_folded_in_bounded_chunks(clock, lazy):
    # A silent bar holds at most _MAX_PENDING unread values per metric.
    limit = progbar_module._MAX_PENDING
    bar = Progbar(None, verbose=0)
    values = [lazy(2.0) for _ in range(limit + 3)]
    for step, value in enumerate(values, start=1):
        bar.update(step, [("loss", value)])
    assert [v.reads for v in values] == [1] * limit + [0] * 3
    assert bar._values["loss"].result() == 2.0
    assert all(v.reads == 1 for v in values)


def test_host_arrays_are_averaged(clock, static, capsys):
    import numpy as np
    bar = Progbar(2, interval=0)
    clock.now += 0.002
    bar.update(1, [("loss", np.float32(1.0)), ("v", np.array([1.0, 3.0]))])
    clock.now += 0.002
    bar.update(2, [("loss", np.array(3.0)), ("v", np.array([4.0, 4.0]))])
    assert capsys.readouterr().out == (
        "2/2 [==============================] - 0s 2ms/step - loss: 2.0000 - v: 3.0000\n")


def test_engine_scalars_are_printed(clock, static, capsys):
    from layerkit import ops
    bar = Progbar(2, interval=0, stateful_metrics=["loss"])
    clock.now += 0.002
    bar.update(1, [("loss", ops.convert_to_tensor(0.75)), ("mae", ops.convert_to_tensor(0.5))])
    clock.now += 0.002
    bar.update(2, [("loss", ops.convert_to_tensor(0.625)), ("mae", ops.convert_to_tensor(0.25))])
    assert capsys.readouterr().out == (
        "2/2 [==============================] - 0s 2ms/step - loss: 0.6250 - mae: 0.3750\n")
