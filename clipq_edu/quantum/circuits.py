"""Cirq circuits used through the course (taught in chapters 02, 03, 04 and 05).

Everything here is plain Cirq: no TensorFlow is imported, so building and drawing circuits is
fast. Parameterised circuits are built *once* with ``sympy`` symbols; a batch of inputs or of
random circuits is then a ``[batch, n_symbols]`` array of values fed to one circuit (see
:mod:`clipq_edu.quantum.simulate`), never a Python loop that rebuilds circuits.

>>> from clipq_edu.quantum.circuits import bell_circuit, circuit_diagram
>>> print(circuit_diagram(bell_circuit()))
0: ───H───@───
          │
1: ───────X───
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._validate import (
    MAX_LAYERS,
    MAX_SAMPLES,
    _show,
    as_float_array,
    check_array_memory,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_seed,
)
from clipq_edu.quantum._core import check_circuit, check_resolvable, symbol_names
from clipq_edu.quantum.resources import check_qubits

__all__ = [
    "ANSATZ_NAME_FORMAT",
    "MCCLEAN_AXES",
    "angle_encoding",
    "angle_encoding_symbols",
    "bell_circuit",
    "circuit_diagram",
    "circuit_symbols",
    "entangling_chain",
    "ghz_circuit",
    "hardware_efficient_ansatz",
    "mcclean_random_circuit",
    "mcclean_random_values",
    "qubits",
    "random_angles",
    "resolve",
    "reuploading_circuit",
]

#: Order of the three rotation slots of every McClean position: rx, ry, rz.
MCCLEAN_AXES = ("x", "y", "z")

_ROTATIONS = {"rx": cirq.rx, "ry": cirq.ry, "rz": cirq.rz}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def qubits(n: int) -> list[cirq.LineQubit]:
    """Return ``n`` line qubits ``q(0) ... q(n-1)``, checked against the memory budget.

    Args:
        n: number of qubits, 1 <= n <= 20 (a state vector needs 2**n amplitudes).

    Returns:
        ``cirq.LineQubit.range(n)``.

    Taught in chapter 02.

    >>> qubits(3)
    [cirq.LineQubit(0), cirq.LineQubit(1), cirq.LineQubit(2)]
    """
    return cirq.LineQubit.range(check_qubits("n", n))


def _check_qubit_list(name: str, qs: Any) -> list[cirq.Qid]:
    if isinstance(qs, (int, np.integer)) and not isinstance(qs, bool):
        return cirq.LineQubit.range(check_qubits(name, int(qs)))  # the message names ``name``
    if not isinstance(qs, Sequence) or isinstance(qs, str):
        raise TypeError(f"{name} must be a list of cirq qubits or an int, got {_show(qs)}")
    out = list(qs)
    if not out:
        raise ValueError(f"{name} must hold at least one qubit, got an empty list")
    for q in out:
        if not isinstance(q, cirq.Qid):
            raise TypeError(f"{name} must hold cirq qubits, got {_show(q)}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} holds the same qubit twice: {_show(out)}")
    check_qubits(f"len({name})", len(out))
    return out


def _cz_ladder(qs: Sequence[cirq.Qid]) -> list[cirq.Operation]:
    return [cirq.CZ(a, b) for a, b in zip(qs, qs[1:], strict=False)]


def _measure(qs: Sequence[cirq.Qid]) -> cirq.Operation:
    return cirq.measure(*qs, key="m")


# --------------------------------------------------------------------------------------------
# Entangled states
# --------------------------------------------------------------------------------------------
def bell_circuit(measure: bool = False) -> cirq.Circuit:
    """Return the Bell-state circuit H(q0), CNOT(q0, q1): (|00> + |11>)/sqrt(2).

    Args:
        measure: append a measurement of both qubits (key ``"m"``).

    Returns:
        A two-qubit ``cirq.Circuit``.

    Taught in chapters 02 and 04.

    >>> len(bell_circuit(measure=True).moments)
    3
    """
    q0, q1 = cirq.LineQubit.range(2)
    circuit = cirq.Circuit([cirq.H(q0), cirq.CNOT(q0, q1)])
    if check_bool("measure", measure):
        circuit.append(_measure([q0, q1]))
    return circuit


def ghz_circuit(n: int, measure: bool = False) -> cirq.Circuit:
    """Return the n-qubit GHZ circuit: H on q0, then a CNOT ladder q0->q1->...->q(n-1).

    The state is (|0...0> + |1...1>)/sqrt(2): measuring gives all zeros or all ones.

    Args:
        n: number of qubits (>= 2).
        measure: append a measurement of all qubits (key ``"m"``).

    Returns:
        A ``cirq.Circuit`` on ``cirq.LineQubit.range(n)``.

    References:
        Greenberger, Horne, Zeilinger, "Going beyond Bell's theorem" (1989),
        https://arxiv.org/abs/0712.0921

    Taught in chapter 02.

    >>> print(ghz_circuit(3))
    0: ───H───@───────
              │
    1: ───────X───@───
                  │
    2: ───────────X───
    """
    n = check_qubits("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2 for a GHZ state, got {n}")
    qs = cirq.LineQubit.range(n)
    circuit = cirq.Circuit([cirq.H(qs[0])])
    circuit.append(cirq.CNOT(a, b) for a, b in zip(qs, qs[1:], strict=False))
    if check_bool("measure", measure):
        circuit.append(_measure(qs))
    return circuit


def entangling_chain(n: int = 4, variant: str = "ghz", measure: bool = False) -> cirq.Circuit:
    """Return the article's n-qubit H/CNOT chain, in a correct and runnable form.

    ``variant="ghz"``: H on q0, then CNOT(q_i, q_i+1) down the chain (a GHZ state: only
    0000 and 1111 appear). ``variant="all_h"``: H on *every* qubit before the same CNOT chain,
    a contrast that creates no entanglement at all: H|0> = |+> is an eigenstate of X, CNOT
    maps |+>|+> to |+>|+>, so every bitstring appears with probability 1/2**n. The article's
    literal gate order (H0 CX01 H1 CX12 H2 CX23 H3) is neither: it is
    :func:`clipq_edu.course.article.article_chain`, entangled yet uniform in the computational
    basis.

    Args:
        n: number of qubits (>= 2).
        variant: ``"ghz"`` or ``"all_h"``.
        measure: append a measurement of all qubits (key ``"m"``).

    Returns:
        A ``cirq.Circuit`` on ``cirq.LineQubit.range(n)``.

    Taught in chapter 04.

    >>> len(list(entangling_chain(4, variant="all_h").all_operations()))
    7
    """
    check_choice("variant", variant, ("ghz", "all_h"))
    n = check_qubits("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2 for an entangling chain, got {n}")
    qs = cirq.LineQubit.range(n)
    first = [cirq.H(qs[0])] if variant == "ghz" else [cirq.H(q) for q in qs]
    circuit = cirq.Circuit(first)
    circuit.append(cirq.CNOT(a, b) for a, b in zip(qs, qs[1:], strict=False))
    if check_bool("measure", measure):
        circuit.append(_measure(qs))
    return circuit


# --------------------------------------------------------------------------------------------
# Encodings and ansätze
# --------------------------------------------------------------------------------------------
def angle_encoding(x: Any, qubits: Sequence[cirq.Qid] | int, gate: str = "ry") -> cirq.Circuit:
    """Encode one sample ``x`` (one angle per qubit, radians) as rotations: a resolved circuit.

    Qubit j gets ``gate(x[j])``. For a *batch* of samples do not call this in a loop: use
    ``angle_encoding_symbols`` once and feed the batch as values.

    Args:
        x: 1-D array of angles in radians, one per qubit.
        qubits: the qubits (or an int n for ``LineQubit.range(n)``).
        gate: ``"rx"`` or ``"ry"`` (``"rz"`` would do nothing on |0>).

    Returns:
        A ``cirq.Circuit`` with one rotation per qubit.

    Taught in chapter 03.

    >>> print(angle_encoding([0.5, 1.0], 2))
    0: ───Ry(0.159π)───
    <BLANKLINE>
    1: ───Ry(0.318π)───
    """
    check_choice("gate", gate, ("rx", "ry"))
    qs = _check_qubit_list("qubits", qubits)
    arr = check_finite("x", as_float_array("x", x, ndim=1))
    if arr.shape[0] != len(qs):
        raise ValueError(f"x must have one angle per qubit ({len(qs)}), got shape {arr.shape}")
    rot = _ROTATIONS[gate]
    return cirq.Circuit(rot(float(a))(q) for a, q in zip(arr, qs, strict=True))


def angle_encoding_symbols(
    n: int, prefix: str = "x", gate: str = "ry"
) -> tuple[cirq.Circuit, list[sympy.Symbol]]:
    """Return a symbolic angle-encoding circuit ``gate(x_j)`` on n qubits and its symbols.

    Feed a batch of inputs ``X`` of shape ``[batch, n]`` as the values of the symbols.

    Args:
        n: number of qubits / input features.
        prefix: symbol name prefix; symbols are ``f"{prefix}{j}"``.
        gate: ``"rx"`` or ``"ry"``.

    Returns:
        ``(circuit, symbols)`` with symbols in qubit order.

    Taught in chapter 03.

    >>> circuit, symbols = angle_encoding_symbols(2)
    >>> symbols
    [x0, x1]
    """
    check_choice("gate", gate, ("rx", "ry"))
    _check_prefix(prefix)
    qs = qubits(n)
    symbols = [sympy.Symbol(f"{prefix}{j}") for j in range(len(qs))]
    rot = _ROTATIONS[gate]
    return cirq.Circuit(rot(s)(q) for s, q in zip(symbols, qs, strict=True)), symbols


def _check_prefix(prefix: Any, name: str = "prefix") -> str:
    if not isinstance(prefix, str) or not prefix.isidentifier():
        raise ValueError(f"{name} must be a Python identifier string, got {_show(prefix)}")
    return prefix


#: Default symbol names of :func:`hardware_efficient_ansatz`.
ANSATZ_NAME_FORMAT = "{prefix}_{layer}_{qubit}_{axis}"


def hardware_efficient_ansatz(
    qubits: Sequence[cirq.Qid] | int,
    layers: int,
    prefix: str = "theta",
    *,
    entangle: bool = True,
    name_format: str = ANSATZ_NAME_FORMAT,
) -> tuple[cirq.Circuit, list[sympy.Symbol]]:
    """Return a hardware-efficient ansatz: per layer ry, rz on every qubit, then a CZ ladder.

    Args:
        qubits: the qubits (or an int n for ``LineQubit.range(n)``).
        layers: number of layers (>= 1).
        prefix: symbol prefix; symbols are ``f"{prefix}_{layer}_{qubit}_{y|z}"``.
        entangle: end every layer with the CZ ladder (``False``: rotations only).
        name_format: the symbol names, a ``str.format`` template with the fields ``prefix``,
            ``layer``, ``qubit`` and ``axis`` (``"y"`` or ``"z"``); it must name ``qubit`` and
            ``axis`` and give Python identifiers.

    Returns:
        ``(circuit, symbols)``: 2 * layers * n symbols ordered by (layer, qubit, y|z).

    References:
        Kandala et al., "Hardware-efficient variational quantum eigensolver for small
        molecules and quantum magnets", Nature 549 (2017), https://arxiv.org/abs/1704.05018

    Taught in chapter 03.

    >>> circuit, symbols = hardware_efficient_ansatz(2, layers=1)
    >>> [s.name for s in symbols]
    ['theta_0_0_y', 'theta_0_0_z', 'theta_0_1_y', 'theta_0_1_z']
    >>> _, symbols = hardware_efficient_ansatz(1, 1, "t", name_format="{prefix}{qubit}{axis}")
    >>> symbols
    [t0y, t0z]
    """
    qs = _check_qubit_list("qubits", qubits)
    layers = check_int("layers", layers, minimum=1, maximum=MAX_LAYERS)
    _check_prefix(prefix)
    entangle = check_bool("entangle", entangle)
    _check_name_format(name_format, prefix)
    circuit = cirq.Circuit()
    symbols: list[sympy.Symbol] = []
    for layer in range(layers):
        _append_trainable_layer(circuit, symbols, qs, prefix, layer, entangle, name_format)
    return circuit, symbols


def _check_name_format(name_format: Any, prefix: str) -> None:
    fields = ("{qubit}", "{axis}")
    try:
        ok = isinstance(name_format, str) and all(f in name_format for f in fields) and \
            name_format.format(prefix=prefix, layer=0, qubit=0, axis="y").isidentifier()
    except (KeyError, IndexError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"name_format must be a str.format template naming {{qubit}} and "
                         f"{{axis}} (and optionally {{prefix}}, {{layer}}) that gives Python "
                         f"identifiers, got {_show(name_format)}")


def _append_trainable_layer(circuit: cirq.Circuit, symbols: list[sympy.Symbol],
                            qs: Sequence[cirq.Qid], prefix: str, layer: int,
                            entangle: bool = True,
                            name_format: str = ANSATZ_NAME_FORMAT) -> None:
    """ry(prefix_layer_j_y) rz(prefix_layer_j_z) on every qubit j, then a CZ ladder."""
    for j, q in enumerate(qs):
        sy, sz = (sympy.Symbol(name_format.format(prefix=prefix, layer=layer, qubit=j, axis=a))
                  for a in "yz")
        symbols += [sy, sz]
        circuit.append([cirq.ry(sy)(q), cirq.rz(sz)(q)])
    if entangle:
        circuit.append(_cz_ladder(qs))


def reuploading_circuit(
    qubits: Sequence[cirq.Qid] | int,
    layers: int,
    input_prefix: str = "x",
    weight_prefix: str = "theta",
) -> tuple[cirq.Circuit, list[sympy.Symbol], list[sympy.Symbol]]:
    """Return a data re-uploading circuit: the inputs are encoded again in every layer.

    Each layer: ``rx(x_j)`` on qubit j (the same input symbol in every layer), then trainable
    ``ry``, ``rz`` per qubit and a CZ ladder. Re-uploading makes the model a Fourier series in
    x with more frequencies than a single encoding can give.

    Args:
        qubits: the qubits (or an int n for ``LineQubit.range(n)``).
        layers: number of encoding + trainable layers (>= 1).
        input_prefix: input symbol prefix (``x0, x1, ...``).
        weight_prefix: weight symbol prefix (``theta_{layer}_{qubit}_{y|z}``).

    Returns:
        ``(circuit, input_symbols, weight_symbols)``.

    References:
        Pérez-Salinas, Cervera-Lierta, Gil-Fuster, Latorre, "Data re-uploading for a
        universal quantum classifier", Quantum 4, 226 (2020), https://arxiv.org/abs/1907.02085

    Taught in chapter 03.

    >>> circuit, inputs, weights = reuploading_circuit(2, layers=2)
    >>> len(inputs), len(weights)
    (2, 8)
    """
    qs = _check_qubit_list("qubits", qubits)
    layers = check_int("layers", layers, minimum=1, maximum=MAX_LAYERS)
    _check_prefix(input_prefix, "input_prefix")
    _check_prefix(weight_prefix, "weight_prefix")
    if input_prefix == weight_prefix:
        raise ValueError(f"input_prefix and weight_prefix must differ, both are {input_prefix!r}")
    inputs = [sympy.Symbol(f"{input_prefix}{j}") for j in range(len(qs))]
    weights: list[sympy.Symbol] = []
    circuit = cirq.Circuit()
    for layer in range(layers):
        circuit.append(cirq.rx(s)(q) for s, q in zip(inputs, qs, strict=True))
        _append_trainable_layer(circuit, weights, qs, weight_prefix, layer)
    return circuit, inputs, weights


# --------------------------------------------------------------------------------------------
# The McClean et al. random-circuit family as one symbolic circuit
# --------------------------------------------------------------------------------------------
def mcclean_random_circuit(n: int, depth: int) -> tuple[cirq.Circuit, np.ndarray]:
    """Return the McClean et al. (2018) random-circuit family as ONE symbolic circuit.

    Layout: ``ry(pi/4)`` on every qubit, then ``depth`` layers; in each layer every qubit gets
    the three rotations ``rx(a) ry(b) rz(c)`` (one *slot*), then a CZ ladder. A random circuit
    of the family chooses one axis per slot and a random angle for it; here that choice is
    encoded in the *values*: the chosen rotation gets the angle and the other two get 0 (the
    identity). So a batch of random circuits is this one circuit plus a
    ``[batch, 3 * depth * n]`` value array from ``mcclean_random_values``, and TFQ converts
    the circuit once instead of once per sample.

    Args:
        n: number of qubits (>= 2, since the cost is Z0 Z1).
        depth: number of rotation + CZ layers (>= 1).

    Returns:
        ``(circuit, symbol_table)``; ``symbol_table`` is an object array of shape
        ``(depth, n, 3)`` holding the sympy symbols ``mc_{layer}_{qubit}_{x|y|z}``.
        The value arrays use the flat order ``list(symbol_table.ravel())``.

    References:
        McClean, Boixo, Smelyanskiy, Babbush, Neven, "Barren plateaus in quantum neural
        network training landscapes", Nature Communications 9, 4812 (2018),
        https://arxiv.org/abs/1803.11173

    Taught in chapter 05.

    >>> circuit, table = mcclean_random_circuit(2, depth=3)
    >>> table.shape, table[0, 1, 2]
    ((3, 2, 3), mc_0_1_z)
    """
    n = check_qubits("n", n)
    if n < 2:
        raise ValueError(f"n must be >= 2 (the cost Z0 Z1 needs two qubits), got {n}")
    depth = check_int("depth", depth, minimum=1, maximum=MAX_LAYERS)
    qs = cirq.LineQubit.range(n)
    table = np.empty((depth, n, 3), dtype=object)
    circuit = cirq.Circuit(cirq.ry(np.pi / 4)(q) for q in qs)
    for layer in range(depth):
        for j, q in enumerate(qs):
            for k, axis in enumerate(MCCLEAN_AXES):
                table[layer, j, k] = sympy.Symbol(f"mc_{layer}_{j}_{axis}")
            circuit.append(
                [_ROTATIONS["r" + ax](table[layer, j, k])(q) for k, ax in enumerate(MCCLEAN_AXES)]
            )
        circuit.append(_cz_ladder(qs))
    return circuit, table


def mcclean_random_values(
    n: int,
    depth: int,
    n_circuits: int,
    seed: int | None = 0,
    init: str = "random",
    block_layers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the values that turn ``mcclean_random_circuit(n, depth)`` into random circuits.

    ``init="random"`` (McClean et al. 2018): every slot picks an axis uniformly from x, y, z
    and an angle uniformly from [0, 2 pi); the other two rotations of the slot get 0.

    ``init="identity"`` (after Grant et al. 2019): the layers are split into blocks of
    ``block_layers`` (even, >= 4, default ``depth``) and each block is set to the identity. With
    this layout (rotations then a CZ ladder in every layer) a block of 2k layers
    R_0 C R_1 C ... R_{2k-1} C is the identity when R_0 = R_k = I (all angles 0), layers
    1..k-1 are random and layer k+j undoes layer k-j (same axes, negated angles). The random
    axes are still drawn in the zero layers, so the gradient with respect to the first
    rotation is taken for a random axis at angle 0.

    Args:
        n: number of qubits.
        depth: number of layers (must match the circuit).
        n_circuits: number of random circuits (rows).
        seed: seed of ``np.random.default_rng``; same seed, same values.
        init: ``"random"`` or ``"identity"``.
        block_layers: layers per identity block (``init="identity"`` only).

    Returns:
        ``(values, first_index)``: ``values`` of shape ``[n_circuits, 3 * depth * n]`` in the
        order of ``symbol_table.ravel()``; ``first_index[b]`` is the column of the rotation
        chosen at (layer 0, qubit 0) in row b, whose gradient the barren-plateau experiment
        measures.

    References:
        McClean et al. (2018), https://arxiv.org/abs/1803.11173;
        Grant, Wossnig, Ostaszewski, Benedetti, "An initialization strategy for addressing
        barren plateaus in parametrized quantum circuits", Quantum 3, 214 (2019),
        https://arxiv.org/abs/1903.05076

    Taught in chapter 05.

    >>> values, first = mcclean_random_values(2, 3, n_circuits=4, seed=0)
    >>> values.shape, first.tolist()
    ((4, 18), [2, 0, 1, 1])
    >>> int((values != 0).sum(axis=1)[0])   # one rotation per slot; angle 0 is rare
    6
    """
    n = check_qubits("n", n)
    depth = check_int("depth", depth, minimum=1, maximum=MAX_LAYERS)
    n_circuits = check_int("n_circuits", n_circuits, minimum=1, maximum=MAX_SAMPLES)
    check_array_memory("n_circuits", n_circuits * depth * n * 3 * 8,
                       f"{n_circuits} x {depth * n * 3} parameter values")
    seed = check_seed("seed", seed)
    check_choice("init", init, ("random", "identity"))
    rng = np.random.default_rng(seed)
    axes = rng.integers(0, 3, size=(n_circuits, depth, n))
    angles = rng.uniform(0.0, 2.0 * np.pi, size=(n_circuits, depth, n))
    if init == "identity":
        blk = depth if block_layers is None else check_int("block_layers", block_layers)
        if blk % 2 or blk < 4 or depth % blk:
            raise ValueError(
                f"init='identity' needs an even block_layers >= 4 dividing depth={depth} (a "
                f"2-layer block would hold no random layer), got block_layers={blk}"
            )
        k = blk // 2
        for start in range(0, depth, blk):
            angles[:, start] = 0.0
            angles[:, start + k] = 0.0
            for j in range(1, k):
                axes[:, start + k + j] = axes[:, start + k - j]
                angles[:, start + k + j] = -angles[:, start + k - j]
    elif block_layers is not None:
        raise ValueError("block_layers is only used with init='identity', got init='random'")
    values = np.zeros((n_circuits, depth, n, 3))
    np.put_along_axis(values, axes[..., None], angles[..., None], axis=-1)
    first_index = axes[:, 0, 0].astype(np.int64)  # flat index of (layer 0, qubit 0, axis)
    return values.reshape(n_circuits, -1), first_index


# --------------------------------------------------------------------------------------------
# Symbols, resolving, drawing
# --------------------------------------------------------------------------------------------
def circuit_diagram(circuit: cirq.AbstractCircuit, transpose: bool = False) -> str:
    """Return the text diagram of ``circuit`` (qubits as rows, or columns with transpose).

    Args:
        circuit: a Cirq circuit.
        transpose: draw qubits as columns (handy for deep circuits in a notebook).

    Returns:
        The diagram as a string.

    Taught in chapter 02.

    >>> print(circuit_diagram(bell_circuit(), transpose=True))
    0 1
    │ │
    H │
    │ │
    @─X
    │ │
    """
    check_circuit(circuit)
    return circuit.to_text_diagram(transpose=check_bool("transpose", transpose))


def circuit_symbols(circuit: cirq.AbstractCircuit) -> list[sympy.Symbol]:
    """Return the free symbols of ``circuit`` in order of first appearance.

    Args:
        circuit: a Cirq circuit.

    Returns:
        A list of ``sympy.Symbol`` (empty for a circuit without parameters).

    Taught in chapter 03.

    >>> circuit, _ = hardware_efficient_ansatz(1, layers=1)
    >>> circuit_symbols(circuit)
    [theta_0_0_y, theta_0_0_z]
    """
    check_circuit(circuit)
    seen: dict[str, sympy.Symbol] = {}
    for op in circuit.all_operations():
        for name in sorted(cirq.parameter_names(op)):
            seen.setdefault(name, sympy.Symbol(name))
    return list(seen.values())


def resolve(circuit: cirq.AbstractCircuit, symbols: Any, values: Any) -> cirq.Circuit:
    """Return ``circuit`` with every symbol replaced by its value.

    Args:
        circuit: a (parameterised) Cirq circuit.
        symbols: the symbols (sympy or names), one per value.
        values: 1-D array of finite numbers, same length as ``symbols``.

    Returns:
        A resolved ``cirq.Circuit`` (no free symbols left).

    Raises:
        ValueError: a circuit symbol has no value (the message names it), lengths differ, or
            a value is not finite.

    Taught in chapter 03.

    >>> import sympy
    >>> circuit, symbols = angle_encoding_symbols(1)
    >>> print(resolve(circuit, symbols, [np.pi]))
    0: ───Ry(π)───
    """
    check_circuit(circuit)
    names = symbol_names("symbols", symbols)
    vals = check_finite("values", as_float_array("values", values, ndim=1))
    if vals.shape[0] != len(names):
        raise ValueError(
            f"values must have one entry per symbol ({len(names)}), got shape {vals.shape}"
        )
    check_resolvable(circuit, names)
    resolver = cirq.ParamResolver(dict(zip(names, vals.tolist(), strict=True)))
    return cirq.resolve_parameters(circuit, resolver)


def random_angles(n_values: int, seed: int | None = 0) -> np.ndarray:
    """Return ``n_values`` angles uniform in [0, 2 pi) from ``default_rng(seed)`` (helper).

    Args:
        n_values: how many angles.
        seed: seed of ``np.random.default_rng``.

    Returns:
        A float64 array of shape ``[n_values]``.

    Taught in chapter 03.

    >>> random_angles(3, seed=0).round(3)
    array([4.002, 1.695, 0.257])
    """
    n_values = check_int("n_values", n_values, minimum=1, maximum=MAX_SAMPLES)
    return np.random.default_rng(check_seed("seed", seed)).uniform(0, 2 * np.pi, n_values)
