import numpy as np
import pytest

from course_lib.metrics import accuracy, confusion_matrix, predicted_labels

LOGITS = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [4.0, 0.0, 0.0]])
LABELS = np.array([0, 1, 1, 2])


def test_accuracy_from_logits_probabilities_and_labels() -> None:
    assert accuracy(LOGITS, LABELS) == 0.5
    assert accuracy(np.array([0, 1, 2, 0]), LABELS) == 0.5
    assert accuracy(np.array([[0.9], [0.2], [0.6]]), np.array([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)


def test_predicted_labels_thresholds_single_probabilities() -> None:
    np.testing.assert_array_equal(predicted_labels(np.array([0.2, 0.7])), [0, 1])


def test_confusion_matrix_counts_true_rows_against_predicted_columns() -> None:
    cm = confusion_matrix(LOGITS, LABELS, n_classes=3)
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [1, 0, 0]])
    assert cm.sum() == len(LABELS)
    assert confusion_matrix(LOGITS, LABELS.astype(np.uint8), 3).tolist() == cm.tolist()


def test_bad_inputs_are_explained() -> None:
    with pytest.raises(ValueError, match=r"accuracy: 4 predictions but 3 labels"):
        accuracy(LOGITS, LABELS[:3])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\) for 2 classes"):
        confusion_matrix(np.array([0, 1]), np.array([0, 2]), n_classes=2)
