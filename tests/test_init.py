import numpy as np
import pytest

from course_lib.init import INITIALIZERS, get_init

N_IN, N_OUT = 400, 300
EXPECTED_VAR = {
    "xavier_uniform": 2 / (N_IN + N_OUT),
    "xavier_normal": 2 / (N_IN + N_OUT),
    "he_normal": 2 / N_IN,
    "normal": 0.01**2,
    "uniform": 0.05**2 / 3,
    "zeros": 0.0,
}


@pytest.mark.parametrize("name", list(EXPECTED_VAR))
def test_initializer_has_the_documented_variance_shape_and_dtype(name: str) -> None:
    W = get_init(name)(N_IN, N_OUT, np.random.default_rng(0), np.float32)
    assert W.shape == (N_IN, N_OUT) and W.dtype == np.float32
    assert W.var() == pytest.approx(EXPECTED_VAR[name], rel=0.03)
    assert abs(W.mean()) < 0.01


def test_uniform_initializers_stay_within_their_limit() -> None:
    W = get_init("xavier_uniform")(N_IN, N_OUT, np.random.default_rng(0))
    assert np.abs(W).max() <= np.sqrt(6 / (N_IN + N_OUT))


def test_same_rng_seed_gives_same_weights_and_float64_is_available() -> None:
    a = get_init("he_normal")(3, 2, np.random.default_rng(7), np.float64)
    b = get_init("he_normal")(3, 2, np.random.default_rng(7), np.float64)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, b)


def test_keyword_arguments_fix_the_scale_and_aliases_exist() -> None:
    W = get_init("normal", std=2.0)(N_IN, N_OUT, np.random.default_rng(0))
    assert W.std() == pytest.approx(2.0, rel=0.02)
    assert INITIALIZERS["xavier"] is INITIALIZERS["xavier_uniform"]
    assert INITIALIZERS["he"] is INITIALIZERS["he_normal"]


def test_unknown_init_lists_valid_names() -> None:
    with pytest.raises(
        ValueError, match=r"Unknown init 'xavir'.*zeros, normal, uniform, xavier_uniform.*kaiming"
    ):
        get_init("xavir")
