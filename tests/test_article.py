"""Tests for clipq_edu.course.article: the quoted listing, the defect table and the small analysers."""

from __future__ import annotations

import ast
from pathlib import Path

import cirq
import numpy as np
import pytest

from clipq_edu.course import article

ARTICLE_FILE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "source-article.zh.md"


@pytest.mark.skipif(not ARTICLE_FILE.exists(), reason="source article not beside the repository")
def test_listing_is_the_articles_code_block_verbatim():
    text = ARTICLE_FILE.read_text(encoding="utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    assert block == article.ARTICLE_LISTING


def test_listing_parses_but_is_never_executed_by_the_module():
    ast.parse(article.ARTICLE_LISTING)  # it is valid syntax; its failures are at run time
    assert "qiskit" not in __import__("sys").modules


def test_every_defect_snippet_is_in_the_listing_and_ordered_by_line():
    lines = [d.line for d in article.DEFECTS]
    assert lines == sorted(lines)
    listing_lines = article.ARTICLE_LISTING.splitlines()
    for d in article.DEFECTS:
        assert d.snippet in article.ARTICLE_LISTING, d.key
        assert d.snippet in listing_lines[d.line - 1] or listing_lines[d.line - 1].strip() in d.snippet
        assert d.problem and d.fix and d.evidence
    assert len({d.key for d in article.DEFECTS}) == len(article.DEFECTS)


def test_defects_cover_the_brief():
    keys = {d.key for d in article.DEFECTS}
    for needed in ("quantum_adam", "history_as_gradients", "update_weights", "zero_initialize",
                   "two_qubit_reused", "execute_not_imported", "undefined_data", "keras3_import",
                   "counts_unused"):
        assert needed in keys


def test_undefined_names_finds_exactly_the_missing_ones():
    assert article.undefined_names(article.ARTICLE_LISTING) == {"X_train", "y_train", "execute"}
    assert article.undefined_names("import os\nx = os.sep\nprint(x, len([]))") == set()
    assert article.undefined_names("def f(a):\n    return a + b\n") == {"b"}


def test_imported_names():
    names = article.imported_names(article.ARTICLE_LISTING)
    assert names["QuantumAdam"] == "qiskit.aqua.components.optimizers.QuantumAdam"
    assert names["np"] == "numpy"
    assert names["Sequential"] == "keras.models.Sequential"
    assert article.imported_names("import a.b.c") == {"a": "a.b.c"}


@pytest.mark.parametrize("bad", [3, b"x = 1"])
def test_analysers_reject_non_strings(bad):
    with pytest.raises(TypeError, match="source"):
        article.undefined_names(bad)


def test_analysers_reject_bad_syntax():
    with pytest.raises(ValueError, match="not valid Python"):
        article.imported_names("def (:")


def test_zero_initialize_vector_is_not_a_state():
    # The defect's claim in numbers: the vector has norm 0; 4 qubits need 16 amplitudes.
    assert np.linalg.norm([0, 0, 0, 0]) == 0.0
    assert 2**4 == 16 != 4


def test_listing_and_table_display():
    md = article.listing()._repr_markdown_()
    assert md.count("\n") >= article.ARTICLE_LISTING.count("\n")
    assert " 3  from qiskit.aqua" in md
    plain = article.listing(numbered=False)
    assert article.ARTICLE_LISTING in repr(plain)
    table = article.defect_table()
    assert len(table) == len(article.DEFECTS)
    rows = table._repr_markdown_().splitlines()
    assert len(rows) == 2 + len(article.DEFECTS)
    assert all(r.count(" | ") >= 4 for r in rows[2:])
    with pytest.raises(TypeError, match="numbered"):
        article.listing(numbered="yes")


def test_article_chain_is_entangled_with_uniform_counts():
    circuit = article.article_chain()
    assert len(circuit.all_qubits()) == 4
    state = cirq.final_state_vector(circuit, dtype=np.complex128)
    np.testing.assert_allclose(np.abs(state) ** 2, np.full(16, 1 / 16), atol=1e-12)
    for cut in (1, 2, 3):
        s = article.schmidt_coefficients(state, cut)
        np.testing.assert_allclose(np.sum(s**2), 1.0, atol=1e-12)
        assert np.sum(s > 1e-9) == 2  # Schmidt rank 2 on every cut: entangled, not 4 coins
    assert article.article_chain(measure=True).has_measurements()


def test_schmidt_coefficients_product_and_bell():
    plus = np.array([1, 1]) / np.sqrt(2)
    product = np.kron(plus, np.array([1.0, 0.0]))
    np.testing.assert_allclose(article.schmidt_coefficients(product, 1), [1.0, 0.0], atol=1e-12)
    bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    np.testing.assert_allclose(article.schmidt_coefficients(bell, 1), [2**-0.5] * 2)


@pytest.mark.parametrize(
    ("state", "n_left", "match"),
    [
        (np.ones(3) / np.sqrt(3), 1, "length 2\\*\\*n"),
        (np.zeros(4), 1, "normalised"),
        (np.array([1, 0, 0, 0.0]), 2, "n_left"),
        (np.array([1, 0, 0, 0.0]), 0, "n_left"),
    ],
)
def test_schmidt_coefficients_rejects_bad_input(state, n_left, match):
    with pytest.raises(ValueError, match=match):
        article.schmidt_coefficients(state, n_left)
