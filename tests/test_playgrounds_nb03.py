"""Notebook 03 playground: the neuron and fork graphs carry the right gradients, and are drawn whole."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from course_lib.autograd import Value
from course_lib.course.playgrounds import nb03 as play


def test_neuron_graph_gradients_match_the_chain_rule_by_hand():
    x, w, b, t = 1.5, 0.8, -0.3, 1.0
    graph = play.neuron_graph(x, w, b, t)
    a = 1 / (1 + math.exp(-(w * x + b)))
    dz = 2 * (a - t) * a * (1 - a)
    assert graph["L"].data == pytest.approx((a - t) ** 2)
    assert graph["w"].grad == pytest.approx(dz * x) and graph["x"].grad == pytest.approx(dz * w)
    assert graph["b"].grad == pytest.approx(dz) and graph["t"].grad == pytest.approx(-2 * (a - t))


def test_fork_graph_adds_one_gradient_per_use():
    graph = play.fork_graph(3.0, -2.0)
    assert graph["f"].data == 3.0 and graph["x"].grad == 2 * 3.0 - 2.0 and graph["y"].grad == 3.0


@pytest.mark.parametrize("leaves", [dict(x=1.5, w=0.8, b=-0.3, t=1.0), dict(x=-2.0, w=3.0, b=1.0, t=0.0)])
def test_leaf_differences_agree_with_the_engine(leaves):
    graph = play.neuron_graph(**leaves)
    numeric = play.leaf_differences(play.neuron_graph, "L", **leaves)
    assert set(numeric) == set(play.LEAVES)
    assert all(abs(numeric[n] - graph[n].grad) < 1e-8 for n in play.LEAVES)


def test_layout_puts_leaves_before_their_first_use_and_the_root_last():
    graph = play.neuron_graph(1.0, 1.0, 0.0, 0.0)
    where = play.layout(graph["L"])
    column = {name: where[id(v)][0] for name, v in graph.items()}
    assert column["w"] == column["x"] == 0 and column["b"] == column["u"] == 1
    assert column["t"] == column["a"] == 3 and column["L"] == max(column.values()) == 5
    leaf = Value(2.0)
    assert play.layout(leaf) == {id(leaf): (0.0, 0.0)}


def test_draw_graph_writes_every_value_and_every_gradient_share():
    graph = play.fork_graph(3.0, -2.0)
    fig, ax = plt.subplots()
    play.draw_graph(ax, graph["f"], {"x": 4.0, "y": 3.0})
    texts = [t.get_text() for t in ax.texts]
    assert sum("value" in t for t in texts) == 4 and sum("f.d." in t for t in texts) == 2
    assert {"3.000", "1.000"} <= set(texts)              # x's two shares: 3 through s, 1 directly
    plt.close(fig)


def test_draw_neuron_graph_summary_has_engine_and_numeric_gradients():
    summary = play.draw_neuron_graph(0.5, -1.0, 0.2, 1.0)
    plt.close("all")
    assert play.gradient_agreement(summary) < 1e-8
    assert set(summary) == {"L"} | {f"{k} {n}" for n in play.LEAVES for k in ("fd",)} | {
        f"dL/d{n}" for n in play.LEAVES}


def test_a_value_used_twice_by_one_node_gets_two_arrows_and_two_shares():
    e = Value(-0.5, label="e")
    square = e * e
    square.backward()
    fig, ax = plt.subplots()
    play.draw_graph(ax, square)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("-0.500") == 2 and e.grad == -1.0      # two shares of −0.5 add to 2e
    assert len([c for c in ax.get_children() if type(c).__name__ == "Annotation"]) == 2
    plt.close(fig)
