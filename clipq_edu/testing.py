"""Seeded fixtures and reusable checks for the test suite (and for anyone extending the course).

Fixtures: :func:`tiny_model`, :func:`tiny_data`. Checks, in the manner of ``cirq.testing``:
:func:`assert_matches_cirq` (a simulator gives Cirq's exact expectations),
:func:`assert_same_seed_same_numbers` (a seeded function repeats itself and uses its seed) and
:func:`assert_clipper_contract` (a clipper never enlarges, keeps direction, passes ``None``,
honours its non-finite policy).

Importing this module does not import TensorFlow; :func:`tiny_model` loads it when called.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def tiny_model(seed: int = 0) -> Any:
    """A 3 -> Dense(4, tanh) -> Dense(1, sigmoid) tf-keras model with seeded initial weights.

    Large initial weights (standard deviation 1) and a bias of 0.5 make gradients big enough
    for clipping to act in a few steps.
    """
    from clipq_edu._tf import tf

    init = tf.keras.initializers.RandomNormal(stddev=1.0, seed=seed)
    return tf.keras.Sequential([
        tf.keras.Input(shape=(3,)),
        tf.keras.layers.Dense(4, activation="tanh", kernel_initializer=init,
                              bias_initializer=tf.keras.initializers.Constant(0.5)),
        tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer=init),
    ])


def tiny_data(n: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points with 3 features (scale 3) and label ``x[:, 0] > 0``, as float32."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, 3)) * 3).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.float32)


# --------------------------------------------------------------------------------------------
# Reusable checks for simulators and seeded functions (in the manner of ``cirq.testing``)
# --------------------------------------------------------------------------------------------
def _cirq_reference(circuit: Any, observable: Any, symbols: Any, values: Any) -> np.ndarray:
    """<observable> for each row of values, by ``cirq.Simulator`` in complex128, row by row."""
    import cirq
    import sympy

    observables = observable if isinstance(observable, (list, tuple)) else [observable]
    names = [s.name if isinstance(s, sympy.Symbol) else str(s) for s in (symbols or [])]
    rows = np.atleast_2d(np.asarray(values, dtype=float)) if names else np.zeros((1, 0))
    qubits = sorted(circuit.all_qubits())
    plain = cirq.drop_terminal_measurements(circuit) if circuit.has_measurements() else circuit
    sim = cirq.Simulator(dtype=np.complex128)
    out = np.empty((rows.shape[0], len(observables)))
    for b, row in enumerate(rows):
        resolver = cirq.ParamResolver(dict(zip(names, row.tolist(), strict=True)))
        state = sim.simulate(plain, resolver, qubit_order=qubits).final_state_vector
        qmap = {q: i for i, q in enumerate(qubits)}
        for k, obs in enumerate(observables):
            ps = cirq.PauliSum.wrap(obs)
            out[b, k] = ps.expectation_from_state_vector(state / np.linalg.norm(state), qmap,
                                                         check_preconditions=False).real
    return out


def assert_matches_cirq(
    simulate: Any,
    circuit: Any,
    observable: Any,
    *,
    symbols: Any = None,
    values: Any = None,
    atol: float = 1e-5,
) -> None:
    """Assert that ``simulate`` gives Cirq's exact expectations for ``circuit``.

    ``simulate(circuit, observable, symbols=..., values=...)`` must return the expectation of
    ``observable`` (one Pauli observable or a list) for every row of ``values``, shaped as
    :func:`clipq_edu.quantum.simulate.expectation` shapes it; the reference is
    ``cirq.Simulator`` (complex128), one row at a time. Use ``atol`` about 1e-5 for float32
    simulators such as TFQ.

    Args:
        simulate: the simulator under test.
        circuit: a Cirq circuit (terminal measurements are ignored).
        observable: a Pauli observable or a list of them.
        symbols: the circuit's symbols, or ``None``.
        values: ``[n_symbols]`` or ``[batch, n_symbols]``, or ``None``.
        atol: absolute tolerance.

    Raises:
        AssertionError: the numbers or the shape differ.

    >>> import cirq, sympy
    >>> from clipq_edu.quantum.simulate import expectation
    >>> q, t = cirq.LineQubit(0), sympy.Symbol("t")
    >>> assert_matches_cirq(lambda c, o, **kw: expectation(c, o, backend="cirq", **kw),
    ...                     cirq.Circuit(cirq.ry(t)(q)), cirq.Z(q), symbols=[t],
    ...                     values=[[0.1], [0.7]])
    """
    got = np.asarray(simulate(circuit, observable, symbols=symbols, values=values), dtype=float)
    ref = _cirq_reference(circuit, observable, symbols, values)
    if not isinstance(observable, (list, tuple)):
        ref = ref[:, 0]
    if symbols is None or np.ndim(values) < 2:
        ref = ref[0]
    if got.shape != ref.shape:
        raise AssertionError(f"shape {got.shape} differs from Cirq's {ref.shape}")
    np.testing.assert_allclose(got, ref, atol=atol, rtol=0,
                               err_msg="the simulator disagrees with cirq.Simulator")


def assert_same_seed_same_numbers(
    fn: Any, *args: Any, seed: int = 0, other_seed: int | None = 1, seed_arg: str = "seed",
    **kwargs: Any,
) -> None:
    """Assert that ``fn`` returns identical numbers for the same seed (and others for another).

    Calls ``fn(*args, **{seed_arg: seed}, **kwargs)`` twice and compares the results exactly
    (nested dicts, lists, tuples and arrays); with ``other_seed`` it also checks that a third
    call with that seed gives different numbers, so a function that ignores its seed fails.

    Args:
        fn: the seeded function.
        *args: positional arguments for ``fn``.
        seed: the seed used twice.
        other_seed: a different seed that must change the result, or ``None`` to skip.
        seed_arg: the name of ``fn``'s seed argument.
        **kwargs: other keyword arguments for ``fn``.

    Raises:
        AssertionError: the repeated call differs, or the other seed changes nothing.

    >>> import numpy as np
    >>> assert_same_seed_same_numbers(lambda seed: np.random.default_rng(seed).normal(size=3))
    """
    first = fn(*args, **{seed_arg: seed}, **kwargs)
    second = fn(*args, **{seed_arg: seed}, **kwargs)
    if not _same(first, second):
        raise AssertionError(f"{seed_arg}={seed} gave different numbers on a second call:\n"
                             f"{first!r}\n{second!r}")
    if other_seed is not None:
        third = fn(*args, **{seed_arg: other_seed}, **kwargs)
        if _same(first, third):
            raise AssertionError(f"{seed_arg}={other_seed} gave the same numbers as "
                                 f"{seed_arg}={seed}: is the seed used?")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and not isinstance(a, np.ndarray):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b, strict=True)))
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    return a_arr.shape == b_arr.shape and bool(np.array_equal(a_arr, b_arr, equal_nan=True))


# --------------------------------------------------------------------------------------------
# The clipper contract (clipq_edu.clipping.Clipper), in the manner of cirq.testing
# --------------------------------------------------------------------------------------------
def _contract_cases(seed: int) -> list[tuple[list[Any], list[Any]]]:
    rng = np.random.default_rng(seed)
    cases = []
    for scale in (1e-3, 1.0, 1e3):
        grads = [rng.normal(size=(3, 2)) * scale, None, rng.normal(size=2) * scale]
        params = [rng.normal(size=(3, 2)), np.zeros(4), rng.normal(size=2)]
        cases.append((grads, params))
    return cases


def _scale_of(a: np.ndarray, b: np.ndarray, what: str) -> None:
    """Assert b = s·a with 0 <= s <= 1 (b keeps a's direction and is not longer)."""
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    aa = float(a @ a)
    if aa == 0.0:
        assert not np.any(b), f"{what}: a zero gradient became non-zero"
        return
    s = float(a @ b) / aa
    assert -1e-12 <= s <= 1 + 1e-9, f"{what}: scaled by {s}, outside [0, 1]"
    np.testing.assert_allclose(b, s * a, rtol=1e-6, atol=1e-9 * np.sqrt(aa),
                               err_msg=f"{what}: direction changed")


def _check_direction(kind: str | None, grads: list[Any], out: list[Any]) -> None:
    if kind == "global":
        present = [i for i, g in enumerate(grads) if g is not None]
        _scale_of(np.concatenate([np.ravel(grads[i]) for i in present]),
                  np.concatenate([np.ravel(out[i]) for i in present]), "global direction")
    elif kind in ("per_tensor", "per_unit"):
        for i, (g, o) in enumerate(zip(grads, out, strict=True)):
            if g is None:
                continue
            if kind == "per_tensor" or np.ndim(g) <= 1:
                units = [(g, o)] if kind == "per_tensor" else list(zip(np.ravel(g), np.ravel(o),
                                                                       strict=True))
            else:
                g2, o2 = np.reshape(g, (-1, np.shape(g)[-1])), np.reshape(o, (-1, np.shape(g)[-1]))
                units = [(g2[:, j], o2[:, j]) for j in range(g2.shape[1])]
            for u, (a, b) in enumerate(units):
                _scale_of(np.atleast_1d(a), np.atleast_1d(b), f"grads[{i}] unit {u}")


def _check_nonfinite(clipper: Any, grads: list[Any], params: list[Any]) -> None:
    import copy

    bad = [None if g is None else np.array(g, dtype=np.float64) for g in grads]
    bad[0].flat[0] = np.nan
    policy = clipper.nonfinite
    c = copy.deepcopy(clipper)
    if policy == "error":
        try:
            c(bad, params)
        except ValueError as exc:
            assert "NaN" in str(exc), f"the error does not say NaN: {exc}"
        else:
            raise AssertionError("nonfinite='error' accepted a NaN gradient")
        return
    out, _ = c(bad, params)
    present = [np.asarray(o) for o in out if o is not None]
    if policy == "zero":
        assert all(np.isfinite(o).all() for o in present), "nonfinite='zero' returned NaN/Inf"
    else:  # propagate: the NaN is not hidden
        assert any(np.isnan(o).any() for o in present), "nonfinite='propagate' hid the NaN"


def assert_clipper_contract(clipper: Any, cases: Any = None, *, seed: int = 0) -> None:
    """Check the promises every :class:`clipq_edu.clipping.Clipper` makes.

    On each case ``(grads, params)`` (default: three seeded lists of differently shaped
    gradients with a ``None`` entry, at scales 1e-3, 1 and 1e3), run on a deep copy of
    ``clipper`` (so a stateful one is not changed), it checks that the clipper

    1. returns the same structure: same length, ``None`` entries stay ``None``, same shapes;
    2. never enlarges the global norm, and its :class:`~clipq_edu.clipping.ClipInfo` reports
       the norms before and after (checked against :func:`clipq_edu.clipping.global_norm`);
    3. keeps the direction its ``keeps_direction`` promises (``"global"``: the whole gradient
       scaled by one factor in [0, 1]; ``"per_tensor"``; ``"per_unit"``);
    4. returns the gradient unchanged when ``info.clipped`` is ``False``;
    5. does not modify the arrays it is given;
    6. honours its non-finite policy: ``"error"`` raises ``ValueError`` naming NaN,
       ``"zero"`` returns finite gradients, ``"propagate"`` does not hide the NaN.

    Raises:
      AssertionError: naming the promise that was broken.

    >>> from clipq_edu.clipping import ClipByGlobalNorm
    >>> assert_clipper_contract(ClipByGlobalNorm(1.0))
    """
    import copy

    from clipq_edu.clipping import global_norm

    for grads, params in cases if cases is not None else _contract_cases(seed):
        before_copy = [None if g is None else np.array(g, copy=True) for g in grads]
        out, info = copy.deepcopy(clipper)(grads, params)
        assert len(out) == len(grads), f"{len(out)} gradients returned for {len(grads)}"
        for i, (g, o) in enumerate(zip(grads, out, strict=True)):
            assert (g is None) == (o is None), f"grads[{i}]: None was not passed through"
            if g is not None:
                assert np.shape(o) == np.shape(g), f"grads[{i}]: shape changed"
                np.testing.assert_array_equal(g, before_copy[i],
                                              err_msg=f"grads[{i}] was modified in place")
        n_in = global_norm([g for g in grads if g is not None])
        n_out = global_norm([o for o in out if o is not None])
        assert n_out <= n_in * (1 + 1e-9) + 1e-300, f"global norm grew: {n_in} -> {n_out}"
        assert np.isclose(info.norm_before, n_in, rtol=1e-9), "info.norm_before is wrong"
        assert np.isclose(info.norm_after, n_out, rtol=1e-9), "info.norm_after is wrong"
        if not info.clipped:
            for g, o in zip(grads, out, strict=True):
                if g is not None:
                    np.testing.assert_array_equal(o, g, err_msg="changed but clipped=False")
        _check_direction(getattr(clipper, "keeps_direction", None), grads, out)
        _check_nonfinite(clipper, grads, params)
