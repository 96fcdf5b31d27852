import numpy as np
import pytest

from course_lib.gradcheck import check_loss
from course_lib.losses import binary_cross_entropy, get_loss, mse, softmax_cross_entropy

rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
PROBS = rng.uniform(0.05, 0.95, (6, 1))
BINARY = rng.integers(0, 2, (6, 1)).astype(np.float64)


@pytest.mark.parametrize(
    ("loss", "pred", "target"),
    [
        ("mse", rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
        ("binary_cross_entropy", PROBS, BINARY),
        ("softmax_cross_entropy", LOGITS, LABELS),
    ],
)
def test_loss_gradient_matches_finite_differences(loss: str, pred: np.ndarray, target: np.ndarray) -> None:
    report = check_loss(loss, pred, target)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


def test_values_match_the_formulas() -> None:
    p, t = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
    assert mse(p, t)[0] == pytest.approx((1 + 4) / 2)
    expected = -np.mean(BINARY * np.log(PROBS) + (1 - BINARY) * np.log(1 - PROBS))
    assert binary_cross_entropy(PROBS, BINARY)[0] == pytest.approx(expected, rel=1e-12)
    log_probs = LOGITS - np.log(np.exp(LOGITS).sum(axis=1, keepdims=True))
    assert softmax_cross_entropy(LOGITS, LABELS)[0] == pytest.approx(-log_probs[np.arange(5), LABELS].mean())


def test_softmax_cross_entropy_starts_at_log_k_and_survives_huge_logits() -> None:
    assert softmax_cross_entropy(np.zeros((3, 10)), np.array([1, 2, 3]))[0] == pytest.approx(np.log(10))
    loss, grad = softmax_cross_entropy(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0]))
    assert loss == pytest.approx(500.0)
    assert np.isfinite(grad).all()


def test_losses_keep_float32_gradients() -> None:
    x32 = LOGITS.astype(np.float32)
    assert softmax_cross_entropy(x32, LABELS)[1].dtype == np.float32
    assert mse(x32, LOGITS)[1].dtype == np.float32
    assert binary_cross_entropy(PROBS.astype(np.float32), BINARY)[1].dtype == np.float32


def test_binary_cross_entropy_clips_probabilities_of_zero_and_one() -> None:
    loss, grad = binary_cross_entropy(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]))
    assert np.isfinite(loss) and np.isfinite(grad).all()


def test_label_out_of_range_is_explained() -> None:
    with pytest.raises(
        ValueError, match=r"labels must lie in \[0, 4\) for 4 classes, got values from 0 to 4"
    ):
        softmax_cross_entropy(LOGITS, np.array([0, 1, 2, 3, 4]))
    with pytest.raises(ValueError, match=r"from -1 to"):
        softmax_cross_entropy(LOGITS, np.array([0, 1, 2, 3, -1]))


def test_wrong_label_count_and_dtype_are_explained() -> None:
    with pytest.raises(ValueError, match=r"expected labels of shape \(5,\), one per sample, got \(4,\)"):
        softmax_cross_entropy(LOGITS, LABELS[:4])
    with pytest.raises(TypeError, match=r"integer class labels, got float64.*astype\(np.int64\)"):
        softmax_cross_entropy(LOGITS, LABELS.astype(float))
    with pytest.raises(ValueError, match=r"logits of shape \(batch, classes\), got \(5,\)"):
        softmax_cross_entropy(LOGITS[:, 0], LABELS)


def test_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"mse: pred has shape \(4, 1\) but target has shape \(4,\)"):
        mse(np.zeros((4, 1)), np.zeros(4))


def test_unknown_loss_lists_valid_names() -> None:
    with pytest.raises(
        ValueError, match=r"Unknown loss 'xent'.*mse, binary_cross_entropy, softmax_cross_entropy"
    ):
        get_loss("xent")
