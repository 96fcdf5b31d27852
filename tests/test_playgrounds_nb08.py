"""The notebook 08 playground: curves, the loss gap, the drawing of one run against the baseline."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.course.playgrounds import nb08 as play


def curves(val_loss, best_epoch=None):
    n = len(val_loss)
    return play.Curves((0.1,) * n, tuple(val_loss), (1.0,) * n, (0.9,) * n, best_epoch)


def test_loss_gap_is_validation_minus_training_loss_per_epoch():
    assert np.allclose(play.loss_gap(curves([0.5, 0.3, 0.4])), [0.4, 0.2, 0.3])


def test_final_epoch_is_the_kept_one_for_an_early_stopped_run():
    assert curves([0.5, 0.3, 0.4]).final() == 2
    assert curves([0.5, 0.3, 0.4], best_epoch=1).final() == 1


@pytest.mark.parametrize(("make", "words"), [
    (lambda: play.Curves((0.1, 0.1), (0.2,), (1.0, 1.0), (0.9, 0.9)), "same, non-zero number"),
    (lambda: play.Curves((), (), (), ()), "same, non-zero number"),
    (lambda: curves([0.5, 0.3], best_epoch=2), "best_epoch must be in"),
])
def test_inconsistent_curves_are_rejected(make, words):
    with pytest.raises(ValueError, match=words):
        make()


def test_draw_run_draws_both_runs_and_reports_their_final_gaps():
    runs = {"none": curves([0.5, 0.3, 0.6]), "early stopping": curves([0.5, 0.3, 0.4], best_epoch=1)}
    fig, axes = plt.subplots(1, 2)
    text = play.draw_run(axes, "early stopping", runs, "none")
    assert len(axes[0].lines) == 4 and len(axes[1].lines) == 3  # two gaps and the kept epoch's marker
    assert "early stopping: gap 0.200" in text and "none: gap 0.500" in text
    plt.close(fig)


def test_draw_run_names_the_runs_it_knows_for_an_unknown_one():
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="Unknown run 'L3'. Runs: none"):
        play.draw_run(axes, "L3", {"none": curves([0.5])}, "none")
    plt.close(fig)
