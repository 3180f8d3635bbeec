"""Small Keras models for the chapters: classical, quantum (TFQ) and hybrid, all seeded.

Every builder takes a ``seed`` and gives every weight an explicit seeded initializer, so two
builds with the same seed start from identical weights and different seeds start elsewhere.
(TFQ's ``tfq.layers.PQC`` would otherwise use one shared ``RandomUniform(0, 2π)``: two layers
built one after the other can start from the same angles.)

Quantum layers follow the course rule "build the circuit once, feed the values": the data
encoding and the trainable ansatz form ONE symbolic Cirq circuit, and :class:`EncodedPQC`
feeds the classical features and the trainable angles into it as symbol values, so a whole
batch is one TFQ call (no Cirq circuit per example).

The circuits are small (2-4 qubits) so that each chapter trains in seconds.

Taught in chapters 03 and 04.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cirq
import numpy as np
import sympy

from clipq_edu._backend import has_tfq, resolve_backend
from clipq_edu._tf import tf, tfq
from clipq_edu._validate import (
    as_float_array,
    check_bool,
    check_choice,
    check_finite,
    check_int,
    check_positive_float,
    check_seed,
)
from clipq_edu.quantum.resources import check_qubits

__all__ = [
    "EncodedPQC",
    "LAYER_BACKENDS",
    "ExpectationToProbability",
    "QuantumKernelSVM",
    "article_model",
    "count_weights",
    "encode_circuits",
    "encoding_ansatz_circuit",
    "fidelity_kernel",
    "hybrid_model",
    "pqc_classifier",
    "quantum_kernel_svm",
    "quantum_regressor",
    "weights_equal",
]

#: Largest register the model builders accept: the course keeps models tiny so they train fast.
MAX_MODEL_QUBITS = 8


#: Engines of the Keras layers: TensorFlow Quantum, or the library's TensorFlow simulator.
LAYER_BACKENDS = ("auto", "tfq", "tensorflow")


def _seed(seed: Any) -> int:
    s = check_seed("seed", seed)
    if s is None:
        raise TypeError("seed must be a non-negative integer (models are always seeded), got None")
    return s


def _sub_seed(seed: int, k: int) -> int:
    """Distinct, reproducible seed for the k-th initializer of a model built with ``seed``."""
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0] % (2**31 - 1))


def _glorot(seed: int, k: int) -> Any:
    return tf.keras.initializers.GlorotUniform(seed=_sub_seed(seed, k))


def _angles_init(seed: int, k: int) -> Any:
    return tf.keras.initializers.RandomUniform(0.0, 2.0 * math.pi, seed=_sub_seed(seed, k))


# --------------------------------------------------------------------------------------------
# The models' circuit, built from the chapters' circuits (clipq_edu.quantum.circuits)
# --------------------------------------------------------------------------------------------
def encoding_ansatz_circuit(
    n_qubits: int,
    layers: int,
    *,
    reupload: bool = True,
    entangle: bool = True,
    prefix: str = "",
    trainable_first: bool = False,
) -> tuple[cirq.Circuit, list[sympy.Symbol], list[sympy.Symbol]]:
    """One symbolic circuit: angle encoding of data, then hardware-efficient trainable layers.

    Layer l (l = 0..layers-1) is: ``rx(x_{l,q})`` on every qubit q (only in layer 0 unless
    ``reupload``), then ``ry(θ_{l,q,0})`` and ``rz(θ_{l,q,1})`` on every qubit, then a ladder
    of CZ gates (q, q+1) when ``entangle`` and n > 1. Re-uploading the data in every layer
    makes the model a Fourier series in x with frequencies up to ``layers`` (Schuld et al.).
    Built from the chapters' circuits, layer by layer:
    :func:`clipq_edu.quantum.circuits.angle_encoding_symbols` (``rx``) and
    :func:`clipq_edu.quantum.circuits.hardware_efficient_ansatz` (one layer each), the pieces
    of :func:`~clipq_edu.quantum.circuits.reuploading_circuit`; unlike it, every layer gets
    its own data symbols ``x{l}_{q}`` (fed the same feature), which the models' feature index
    reads.

    Args:
      n_qubits: number of qubits (1..8).
      layers: number of layers, >= 1.
      reupload: encode the data again before every layer (data re-uploading).
      entangle: add the CZ ladder.
      prefix: prepended to symbol names (to combine circuits).
      trainable_first: start with a trainable ``ry``/``rz`` block before the first encoding
        (then even one layer gives a + b·cos x + c·sin x on one qubit).

    Returns:
      ``(circuit, data_symbols, weight_symbols)``; ``data_symbols[k]`` encodes qubit
      ``k % n_qubits``.

    References:
      Kandala et al. (2017), "Hardware-efficient variational quantum eigensolver for small
      molecules and quantum magnets", Nature 549, https://arxiv.org/abs/1704.05018;
      Pérez-Salinas et al. (2020), "Data re-uploading for a universal quantum classifier",
      Quantum 4, 226, https://arxiv.org/abs/1907.02085; Schuld, Sweke, Meyer (2021), "Effect
      of data encoding on the expressive power of variational quantum machine learning
      models", PRA 103, 032430, https://arxiv.org/abs/2008.08605.

    Taught in chapter 03.
    """
    from clipq_edu.quantum import circuits

    n = check_qubits("n_qubits", n_qubits, max_qubits=MAX_MODEL_QUBITS)
    n_layers = check_int("layers", layers, minimum=1, maximum=50)
    reupload = check_bool("reupload", reupload)
    entangle = check_bool("entangle", entangle)
    trainable_first = check_bool("trainable_first", trainable_first)
    if not isinstance(prefix, str) or (prefix and not prefix.isidentifier()):
        raise ValueError(f"prefix must be '' or a Python identifier string, got {prefix!r:.80}")
    qubits = circuits.qubits(n)
    circuit = cirq.Circuit()
    data: list[sympy.Symbol] = []
    weights: list[sympy.Symbol] = []

    def trainable(name: str, cz: bool) -> None:  # ry, rz on every qubit (+ the CZ ladder)
        block, symbols = circuits.hardware_efficient_ansatz(
            qubits, 1, f"{prefix}{name}", entangle=cz, name_format="{prefix}_{qubit}_{axis}")
        circuit.append(block.all_operations())  # EARLIEST: the layers share moments as before
        weights.extend(symbols)

    if trainable_first:
        trainable("tpre", False)
    for layer in range(n_layers):
        if layer == 0 or reupload:
            encode, xs = circuits.angle_encoding_symbols(n, prefix=f"{prefix}x{layer}_",
                                                         gate="rx")
            circuit.append(encode.all_operations())
            data += xs
        trainable(f"t{layer}", entangle and n > 1)
    return circuit, data, weights


def _z_ops(n_qubits: int, which: str) -> list[cirq.PauliSum]:
    qubits = cirq.LineQubit.range(n_qubits)
    if which == "first":
        return [cirq.PauliSum.from_pauli_strings(cirq.Z(qubits[0]))]
    return [cirq.PauliSum.from_pauli_strings(cirq.Z(q)) for q in qubits]


# --------------------------------------------------------------------------------------------
# The layer that feeds values into one symbolic circuit
# --------------------------------------------------------------------------------------------
@tf.keras.utils.register_keras_serializable(package="clipq_edu")
class EncodedPQC(tf.keras.layers.Layer):
    """Keras layer: expectation values of one symbolic circuit fed with data and weights.

    Input: a float tensor ``(batch, n_features)``. Symbol ``data_symbols[k]`` receives
    ``inputs[:, feature_index[k]]``; ``weight_symbols`` are this layer's trainable angles,
    initialised uniformly in [0, 2π) with a seeded initializer. Output: ``(batch, n_ops)``
    analytic expectation values: TFQ ``Expectation`` (gradients by the adjoint method unless
    a ``differentiator`` is given), or, where TensorFlow Quantum is not installed, the
    library's state-vector simulator written in TensorFlow ops
    (:class:`clipq_edu.quantum.tfsim.StateVectorCircuit`: same inputs, same outputs,
    gradients by autodiff; tests/test_tfsim.py checks it against TFQ and Cirq).

    Args:
      circuit: the symbolic circuit (built once).
      data_symbols: symbols fed from the input, in order.
      weight_symbols: trainable symbols.
      operators: observables (``cirq.PauliSum`` or ``cirq.PauliString``), one output each.
      feature_index: input column for each data symbol (default ``k % n_features`` is used by
        the builders; here it must be given explicitly or defaults to ``range``).
      seed: seed for the initial angles.
      differentiator: a ``tfq.differentiators`` instance (default: TFQ's choice, adjoint);
        TFQ only.
      backend: ``"auto"`` (default: ``"tfq"`` where TensorFlow Quantum is installed, else
        ``"tensorflow"``), ``"tfq"`` or ``"tensorflow"`` (the library's simulator).

    The layer saves and loads with the model (``get_config``/``from_config``; the circuit and
    the operators are stored as Cirq JSON): ``model.save("model.keras")`` and
    ``tf.keras.models.load_model("model.keras")`` give back the same outputs.

    Taught in chapter 03.

    >>> import cirq, sympy
    >>> q = cirq.LineQubit(0)
    >>> x, t = sympy.symbols("x t")
    >>> layer = EncodedPQC(cirq.Circuit(cirq.rx(x).on(q), cirq.ry(t).on(q)), [x], [t],
    ...                    [cirq.Z(q)], seed=0)
    >>> layer(tf.constant([[0.0], [3.14159]])).shape
    TensorShape([2, 1])
    >>> list(EncodedPQC.from_config(layer.get_config()).weight_symbols)
    [t]
    """

    def __init__(
        self,
        circuit: cirq.Circuit,
        data_symbols: Sequence[sympy.Symbol],
        weight_symbols: Sequence[sympy.Symbol],
        operators: Sequence[Any],
        *,
        feature_index: Sequence[int] | None = None,
        seed: int = 0,
        differentiator: Any = None,
        backend: str = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        check_choice("backend", backend, LAYER_BACKENDS)
        if backend == "auto":
            backend = "tfq" if has_tfq() else "tensorflow"
        if backend == "tfq" and not has_tfq():
            resolve_backend("tfq")  # raises, saying where TFQ runs
        if differentiator is not None and backend != "tfq":
            raise ValueError(
                f"differentiator={differentiator!r} is a TensorFlow Quantum differentiator, but "
                f"this layer runs on backend='tensorflow' (gradients by autodiff); leave it "
                f"out, or use backend='tfq' where TensorFlow Quantum is installed")
        self.backend = backend
        if not isinstance(circuit, cirq.Circuit):
            raise TypeError(f"circuit must be a cirq.Circuit, got {type(circuit).__name__}")
        self._cirq_circuit = circuit
        self.data_symbols = [sympy.Symbol(str(s)) for s in data_symbols]
        self.weight_symbols = [sympy.Symbol(str(s)) for s in weight_symbols]
        names = [str(s) for s in (*self.data_symbols, *self.weight_symbols)]
        missing = {str(s) for s in cirq.parameter_symbols(circuit)} - set(names)
        if missing:
            raise ValueError(
                f"circuit has symbols {sorted(missing)} that are neither data_symbols nor "
                f"weight_symbols; every symbol must be fed"
            )
        if feature_index is None:
            feature_index = list(range(len(self.data_symbols)))
        self.feature_index = [int(i) for i in feature_index]
        if len(self.feature_index) != len(self.data_symbols):
            raise ValueError(
                f"feature_index has {len(self.feature_index)} entries but there are "
                f"{len(self.data_symbols)} data symbols"
            )
        self.operators = list(operators)
        if not self.operators:
            raise ValueError("operators must hold at least one observable")
        self._seed = _seed(seed)
        self._differentiator = differentiator
        self._index = tf.constant(self.feature_index, dtype=tf.int32)
        if backend == "tfq":
            self._circuit_tensor = tfq.convert_to_tensor([circuit])
            self._names = tf.constant(names)
            self._expectation = tfq.layers.Expectation(differentiator=differentiator)
        else:
            from clipq_edu.quantum.tfsim import StateVectorCircuit

            self._simulator = StateVectorCircuit(
                circuit, [*self.data_symbols, *self.weight_symbols], self.operators)
        self.theta = self.add_weight(
            name="theta",
            shape=(len(self.weight_symbols),),
            initializer=_angles_init(self._seed, 0),
            trainable=True,
        )

    @property
    def circuit(self) -> cirq.Circuit:
        """The symbolic Cirq circuit this layer evaluates."""
        return self._cirq_circuit

    def call(self, inputs: Any) -> Any:
        inputs = tf.cast(inputs, tf.float32)
        batch = tf.shape(inputs)[0]
        data = tf.gather(inputs, self._index, axis=1)
        theta = tf.tile(tf.expand_dims(self.theta, 0), [batch, 1])
        values = tf.concat([data, theta], axis=1)
        if self.backend != "tfq":
            return self._simulator.expectation(values)
        circuits = tf.tile(self._circuit_tensor, [batch])
        return self._expectation(
            circuits, symbol_names=self._names, symbol_values=values, operators=self.operators
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tf.TensorShape([input_shape[0], len(self.operators)])

    def get_config(self) -> dict[str, Any]:
        """Everything :meth:`from_config` needs to rebuild the layer (JSON-friendly).

        A differentiator is stored by its class name and rebuilt with its default settings.
        """
        config = super().get_config()
        diff = self._differentiator
        config.update({
            "circuit": cirq.to_json(self._cirq_circuit),
            "data_symbols": [str(s) for s in self.data_symbols],
            "weight_symbols": [str(s) for s in self.weight_symbols],
            "operators": cirq.to_json([_as_pauli_sum(op) for op in self.operators]),
            "feature_index": list(self.feature_index),
            "seed": self._seed,
            "differentiator": None if diff is None else type(diff).__name__,
            "backend": "auto",  # a saved model loads on either engine
        })
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> EncodedPQC:
        """Rebuild the layer from :meth:`get_config` (the weights are loaded separately)."""
        config = dict(config)
        config["circuit"] = cirq.read_json(json_text=config["circuit"])
        config["operators"] = cirq.read_json(json_text=config["operators"])
        config["data_symbols"] = [sympy.Symbol(s) for s in config["data_symbols"]]
        config["weight_symbols"] = [sympy.Symbol(s) for s in config["weight_symbols"]]
        name = config.pop("differentiator", None)
        if name is not None:
            if not hasattr(tfq.differentiators, name):
                raise ValueError(f"unknown differentiator {name!r} in the saved config")
            config["differentiator"] = getattr(tfq.differentiators, name)()
        return cls(**config)


def _as_pauli_sum(op: Any) -> cirq.PauliSum:
    return op if isinstance(op, cirq.PauliSum) else cirq.PauliSum.wrap(op)


@tf.keras.utils.register_keras_serializable(package="clipq_edu")
class ExpectationToProbability(tf.keras.layers.Layer):
    """Keras layer p = (1 + ⟨Z⟩)/2: maps an expectation in [-1, 1] to a probability in [0, 1].

    A named layer rather than a ``Lambda``, so models that use it save and load without
    ``safe_mode=False``. Taught in chapter 03.
    """

    def call(self, inputs: Any) -> Any:
        return _probability_from_z(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tf.TensorShape(input_shape)


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------
def article_model(seed: int = 0, *, n_features: int = 8, hidden: int = 10) -> Any:
    """The source article's model, made to run: 8 inputs → Dense(10, relu) → Dense(1, sigmoid).

    Kernels use seeded Glorot-uniform initializers, biases start at zero.

    Args:
      seed: seed for the initial weights.
      n_features: number of inputs (the article uses 8).
      hidden: width of the hidden layer (the article uses 10).

    Returns:
      An uncompiled ``tf.keras.Sequential`` (train it with :func:`clipq_edu.training.train`
      or compile it yourself).

    Taught in chapter 04.
    """
    seed = _seed(seed)
    n_features = check_int("n_features", n_features, minimum=1, maximum=10_000)
    hidden = check_int("hidden", hidden, minimum=1, maximum=10_000)
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(n_features,)),
            tf.keras.layers.Dense(hidden, activation="relu", kernel_initializer=_glorot(seed, 1)),
            tf.keras.layers.Dense(1, activation="sigmoid", kernel_initializer=_glorot(seed, 2)),
        ],
        name="article_model",
    )


def _probability_from_z(z: Any) -> Any:
    """Map ⟨Z⟩ ∈ [-1, 1] to a probability (1 + ⟨Z⟩)/2 ∈ [0, 1]."""
    return (1.0 + z) / 2.0


def pqc_classifier(
    n_qubits: int = 2,
    layers: int = 2,
    seed: int = 0,
    *,
    n_features: int | None = None,
    reupload: bool = True,
    input: str = "features",
    differentiator: Any = None,
) -> Any:
    """A quantum neural network classifier: encoded features → ansatz → P(label 1).

    With ``input="features"`` (fast, the default) the model takes the classical features
    (already scaled to angles, e.g. by :func:`clipq_edu.data.scale_to_angles`) and feeds them
    into one symbolic circuit (:class:`EncodedPQC`; feature k goes to qubit k mod n). With
    ``input="circuits"`` it takes a ``tf.string`` tensor of already-encoded circuits (from
    :func:`encode_circuits`) and uses ``tfq.layers.PQC`` with a seeded initializer, the way
    TFQ's tutorials do it. The output is p = (1 + ⟨Z₀⟩)/2.

    Args:
      n_qubits: qubits (1..8).
      layers: ansatz layers, >= 1.
      seed: seed for the initial angles.
      n_features: number of input features (default ``n_qubits``).
      reupload: encode the features before every layer (only for ``input="features"``).
      input: ``"features"`` or ``"circuits"``.
      differentiator: optional ``tfq.differentiators`` instance.

    Returns:
      An uncompiled ``tf.keras.Model`` with output shape ``(batch, 1)``.

    References:
      Farhi, Neven (2018), "Classification with quantum neural networks on near term
      processors", https://arxiv.org/abs/1802.06002; Broughton et al. (2020), "TensorFlow
      Quantum", https://arxiv.org/abs/2003.02989.

    Taught in chapter 03.

    >>> model = pqc_classifier(n_qubits=2, layers=1, seed=0)
    >>> model.output_shape, count_weights(model)
    ((None, 1), 4)
    >>> p = model(np.array([[0.1, 2.0]], dtype=np.float32)).numpy()
    >>> bool(0.0 <= p.min() and p.max() <= 1.0)
    True
    """
    seed = _seed(seed)
    n = check_qubits("n_qubits", n_qubits, max_qubits=MAX_MODEL_QUBITS)
    check_choice("input", input, ("features", "circuits"))
    n_features = n if n_features is None else check_int("n_features", n_features, minimum=1)
    op = _z_ops(n, "first")
    if input == "circuits":
        ansatz, _, _ = _ansatz_only(n, layers)
        inp = tf.keras.Input(shape=(), dtype=tf.string)
        z = tfq.layers.PQC(
            ansatz, op, initializer=_angles_init(seed, 0), differentiator=differentiator
        )(inp)
        out = ExpectationToProbability(name="probability")(z)
        return tf.keras.Model(inp, out, name="pqc_classifier_circuits")
    circuit, data, weights = encoding_ansatz_circuit(n, layers, reupload=reupload)
    index = [int(str(s).split("_")[1]) % n_features for s in data]
    inp = tf.keras.Input(shape=(n_features,))
    z = EncodedPQC(
        circuit, data, weights, op, feature_index=index, seed=seed,
        differentiator=differentiator, name="pqc",
    )(inp)
    out = ExpectationToProbability(name="probability")(z)
    return tf.keras.Model(inp, out, name="pqc_classifier")


def _ansatz_only(n: int, layers: int) -> tuple[cirq.Circuit, list, list]:
    circuit, data, weights = encoding_ansatz_circuit(n, layers, reupload=False)
    # Drop the encoding moment (the first moment holds the rx(x) gates).
    return cirq.Circuit(circuit[1:]), [], weights


def encode_circuits(x: Any, n_qubits: int | None = None) -> Any:
    """Resolve the angle encoding ``rx(x_k)`` on qubit k for every row of ``x`` (TFQ style).

    This builds one Cirq circuit per example, as TFQ's tutorials do; it is the slow path that
    :class:`EncodedPQC` avoids, kept to feed ``pqc_classifier(input="circuits")``.

    Args:
      x: array ``(n, d)`` of angles.
      n_qubits: qubits (default ``d``, at least ``d``); qubit q gets feature q mod d.

    Returns:
      A ``tf.string`` tensor of shape ``(n,)`` (``tfq.convert_to_tensor``).

    Taught in chapter 03.
    """
    arr = check_finite("x", as_float_array("x", x, ndim=2))
    n = arr.shape[1] if n_qubits is None else check_qubits("n_qubits", n_qubits,
                                                           max_qubits=MAX_MODEL_QUBITS)
    if arr.shape[1] > n:
        raise ValueError(f"x has {arr.shape[1]} features but only n_qubits={n} qubits")
    qubits = cirq.LineQubit.range(n)
    circuits = [
        cirq.Circuit(cirq.rx(float(row[q % arr.shape[1]])).on(qubits[q]) for q in range(n))
        for row in arr
    ]
    return tfq.convert_to_tensor(circuits)


def hybrid_model(
    n_features: int,
    n_qubits: int = 2,
    layers: int = 2,
    seed: int = 0,
    *,
    hidden: int = 8,
    activation: str = "relu",
    input_scale: float = 1.0,
    readout: str = "dense",
    differentiator: Any = None,
) -> Any:
    """A hybrid classical → quantum → classical classifier.

    features × ``input_scale`` → Dense(hidden, activation) → Dense(n_qubits) (the encoding angles)
    → :class:`EncodedPQC` (angle encoding re-uploaded before each ansatz layer, ⟨Zᵢ⟩ on every
    qubit) → readout. ``readout="dense"``: Dense(1, sigmoid) on the n expectations;
    ``readout="expectation"``: p = (1 + ⟨Z₀⟩)/2.

    ``input_scale`` multiplies the inputs inside the model: with 30 the encoding angles swing
    over many periods as the weights move, and (chapter 03 shows) the model fails to learn
    with or without clipping; standardised inputs (scale 1) learn.

    Args:
      n_features: number of classical inputs, >= 1.
      n_qubits: qubits (1..8).
      layers: ansatz layers, >= 1.
      seed: seed for every initial weight.
      hidden: width of the classical hidden layer; 0 = none (the angles are then a linear
        function of the inputs).
      activation: of the hidden layer: ``"tanh"``, ``"relu"`` or ``"linear"``.
      input_scale: constant factor applied to the inputs, finite and > 0.
      readout: ``"dense"`` or ``"expectation"``.
      differentiator: optional ``tfq.differentiators`` instance.

    Returns:
      An uncompiled ``tf.keras.Model`` with output shape ``(batch, 1)`` (probabilities).

    Taught in chapters 03 and 04.
    """
    seed = _seed(seed)
    n_features = check_int("n_features", n_features, minimum=1, maximum=10_000)
    n = check_qubits("n_qubits", n_qubits, max_qubits=MAX_MODEL_QUBITS)
    hidden = check_int("hidden", hidden, minimum=0, maximum=10_000)
    check_choice("activation", activation, ("tanh", "relu", "linear"))
    scale = check_positive_float("input_scale", input_scale)
    check_choice("readout", readout, ("dense", "expectation"))
    circuit, data, weights = encoding_ansatz_circuit(n, layers, reupload=True)
    index = [int(str(s).split("_")[1]) for s in data]
    inp = tf.keras.Input(shape=(n_features,))
    h = inp
    if scale != 1.0:
        h = tf.keras.layers.Rescaling(scale, name="input_scale")(h)
    if hidden > 0:
        h = tf.keras.layers.Dense(
            hidden, activation=activation, kernel_initializer=_glorot(seed, 1), name="hidden"
        )(h)
    angles = tf.keras.layers.Dense(n, kernel_initializer=_glorot(seed, 2), name="angles")(h)
    ops = _z_ops(n, "first" if readout == "expectation" else "all")
    z = EncodedPQC(
        circuit, data, weights, ops, feature_index=index, seed=_sub_seed(seed, 3),
        differentiator=differentiator, name="pqc",
    )(angles)
    if readout == "dense":
        out = tf.keras.layers.Dense(
            1, activation="sigmoid", kernel_initializer=_glorot(seed, 4), name="readout"
        )(z)
    else:
        out = ExpectationToProbability(name="probability")(z)
    return tf.keras.Model(inp, out, name="hybrid_model")


def quantum_regressor(
    n_qubits: int = 1,
    layers: int = 2,
    seed: int = 0,
    *,
    differentiator: Any = None,
) -> Any:
    """A data re-uploading regressor for one real input: x → ⟨Z₀⟩ ∈ [-1, 1].

    A trainable ``ry``/``rz`` block comes first; then the input x is encoded as ``rx(x)`` on
    every qubit before each of the ``layers`` trainable layers, so the output is a
    trigonometric polynomial in x of degree ``layers`` (per qubit). One qubit and one layer
    give a + b·cos x + c·sin x, which already contains sin(x). (Without the first block, one
    layer on one qubit gives only cos(a)·cos(x): the encoding must act on a state the model
    can rotate.)

    Args:
      n_qubits: qubits (1..8).
      layers: re-uploading layers, >= 1.
      seed: seed for the initial angles.
      differentiator: optional ``tfq.differentiators`` instance.

    Returns:
      An uncompiled ``tf.keras.Model`` mapping ``(batch, 1)`` to ``(batch, 1)``.

    References:
      Schuld, Sweke, Meyer (2021), https://arxiv.org/abs/2008.08605; Pérez-Salinas et al.
      (2020), https://arxiv.org/abs/1907.02085.

    Taught in chapter 03.
    """
    seed = _seed(seed)
    n = check_qubits("n_qubits", n_qubits, max_qubits=MAX_MODEL_QUBITS)
    circuit, data, weights = encoding_ansatz_circuit(n, layers, reupload=True,
                                                     trainable_first=True)
    inp = tf.keras.Input(shape=(1,))
    out = EncodedPQC(
        circuit, data, weights, _z_ops(n, "first"), feature_index=[0] * len(data),
        seed=seed, differentiator=differentiator, name="pqc",
    )(inp)
    return tf.keras.Model(inp, out, name="quantum_regressor")


# --------------------------------------------------------------------------------------------
# Quantum kernel
# --------------------------------------------------------------------------------------------
def _feature_map(
    n: int, n_features: int, layers: int, seed: int
) -> tuple[cirq.Circuit, list[sympy.Symbol], list[int]]:
    """Feature map: per layer, H (first layer), rz(x), fixed seeded ry, CNOT ladder."""
    rng = np.random.default_rng(seed)
    qubits = cirq.LineQubit.range(n)
    circuit = cirq.Circuit(cirq.H.on_each(*qubits))
    symbols: list[sympy.Symbol] = []
    index: list[int] = []
    for layer in range(layers):
        xs = [sympy.Symbol(f"k{layer}_{q}") for q in range(n)]
        symbols += xs
        index += [q % n_features for q in range(n)]
        circuit.append(cirq.rz(s).on(q) for s, q in zip(xs, qubits, strict=True))
        circuit.append(cirq.ry(float(a)).on(q)
                       for a, q in zip(rng.uniform(0, 2 * np.pi, n), qubits, strict=True))
        circuit.append(cirq.CNOT(qubits[q], qubits[q + 1]) for q in range(n - 1))
    return circuit, symbols, index


class QuantumKernelSVM:
    """Support-vector classifier on the fidelity kernel k(x, x') = |⟨ψ(x)|ψ(x')⟩|².

    |ψ(x)⟩ is the state a fixed feature-map circuit prepares from x (Hadamards, then per layer
    ``rz(bandwidth·x)``, a fixed seeded ``ry`` layer and a CNOT ladder). States come from THE
    simulator, :func:`clipq_edu.quantum.simulate.states` (one batched TFQ call); the kernel
    matrix goes to scikit-learn's ``SVC`` with ``kernel="precomputed"``.

    Use :func:`quantum_kernel_svm` to build and fit one. Attributes after :meth:`fit`:
    ``kernel_train_`` (the training Gram matrix), ``svc_`` (the fitted ``SVC``).

    References:
      Havlíček et al. (2019), "Supervised learning with quantum-enhanced feature spaces",
      Nature 567, https://arxiv.org/abs/1804.11533; Schuld, Killoran (2019), "Quantum machine
      learning in feature Hilbert spaces", PRL 122, https://arxiv.org/abs/1803.07128;
      Shaydulin, Wild (2022), "Importance of kernel bandwidth in quantum machine learning",
      PRA 106, https://arxiv.org/abs/2111.05451.

    Taught in chapter 03.
    """

    def __init__(
        self,
        n_qubits: int = 2,
        layers: int = 2,
        seed: int = 0,
        *,
        n_features: int = 2,
        bandwidth: float = 1.0,
        C: float = 1.0,
    ) -> None:
        self.n_qubits = check_qubits("n_qubits", n_qubits, max_qubits=MAX_MODEL_QUBITS)
        self.layers = check_int("layers", layers, minimum=1, maximum=20)
        self.seed = _seed(seed)
        self.n_features = check_int("n_features", n_features, minimum=1)
        self.bandwidth = check_positive_float("bandwidth", bandwidth)
        self.C = check_positive_float("C", C)
        self.circuit, self._symbols, self._index = _feature_map(
            self.n_qubits, self.n_features, self.layers, self.seed
        )
        self.x_train_: np.ndarray | None = None
        self.kernel_train_: np.ndarray | None = None
        self.svc_: Any = None

    def _check_x(self, name: str, x: Any) -> np.ndarray:
        arr = check_finite(name, as_float_array(name, x, ndim=2))
        if arr.shape[1] != self.n_features:
            raise ValueError(
                f"{name} has {arr.shape[1]} features, this kernel was built for {self.n_features}"
            )
        return arr

    def states(self, x: Any) -> np.ndarray:
        """Return the feature states |ψ(x)⟩ as a complex128 array ``(n, 2**n_qubits)``.

        THE simulator's :func:`clipq_edu.quantum.simulate.states` (``backend="auto"``: TFQ in
        one batched call where it is installed, else the library's exact simulator),
        renormalised (TFQ computes in complex64).
        """
        from clipq_edu.quantum.simulate import states

        arr = self._check_x("x", x)
        psi = states(self.circuit, symbols=self._symbols,
                     values=self.bandwidth * arr[:, self._index], backend="auto")
        return psi / np.linalg.norm(psi, axis=1, keepdims=True)

    def kernel(self, x1: Any, x2: Any | None = None) -> np.ndarray:
        """Fidelity kernel matrix K[i, j] = |⟨ψ(x1ᵢ)|ψ(x2ⱼ)⟩|² (``x2`` defaults to ``x1``)."""
        s1 = self.states(x1)
        s2 = s1 if x2 is None else self.states(x2)
        return fidelity_kernel(s1, s2)

    def fit(self, x: Any, y: Any) -> QuantumKernelSVM:
        """Compute the training kernel and fit the SVC; return ``self``."""
        from sklearn.svm import SVC

        arr = self._check_x("x", x)
        ya = as_float_array("y", y, ndim=1)
        if len(ya) != len(arr):
            raise ValueError(f"x has {len(arr)} rows but y has {len(ya)}")
        self.x_train_ = arr
        self.kernel_train_ = self.kernel(arr)
        self.svc_ = SVC(kernel="precomputed", C=self.C).fit(self.kernel_train_, ya)
        return self

    def _fitted(self) -> None:
        if self.svc_ is None:
            raise RuntimeError("call fit(x, y) before predict/score")

    def predict(self, x: Any) -> np.ndarray:
        """Predicted labels for ``x`` (kernel against the training points)."""
        self._fitted()
        return self.svc_.predict(self.kernel(x, self.x_train_))

    def score(self, x: Any, y: Any) -> float:
        """Accuracy on ``(x, y)``."""
        ya = as_float_array("y", y, ndim=1)
        return float(np.mean(self.predict(x) == ya))


def fidelity_kernel(states_a: Any, states_b: Any) -> np.ndarray:
    """Gram matrix of state fidelities: K[i, j] = |⟨aᵢ|bⱼ⟩|² for rows of two state arrays.

    Args:
      states_a: array ``(n, dim)`` of (normalised) state vectors.
      states_b: array ``(m, dim)``.

    Returns:
      A real ``(n, m)`` array with entries in [0, 1].

    Taught in chapter 03.
    """
    a = np.asarray(states_a, dtype=np.complex128)
    b = np.asarray(states_b, dtype=np.complex128)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"states must be 2-D with equal widths, got {a.shape} and {b.shape}")
    return np.abs(a.conj() @ b.T) ** 2


def quantum_kernel_svm(
    x_train: Any,
    y_train: Any,
    n_qubits: int | None = None,
    seed: int = 0,
    *,
    layers: int = 2,
    bandwidth: float = 1.0,
    C: float = 1.0,
) -> QuantumKernelSVM:
    """Build a :class:`QuantumKernelSVM` for ``x_train`` and fit it.

    Args:
      x_train: array ``(n, d)`` of features (scale them to angles first, e.g. [0, π]).
      y_train: labels ``(n,)``.
      n_qubits: qubits (default ``d``); feature k goes to qubit k mod d.
      seed: seed of the fixed random rotations in the feature map.
      layers: feature-map layers, >= 1.
      bandwidth: factor on the features before encoding (> 0; smaller = smoother kernel).
      C: SVC regularisation, > 0.

    Returns:
      The fitted model; ``.kernel_train_`` holds the training kernel matrix.

    Taught in chapter 03.
    """
    x = check_finite("x_train", as_float_array("x_train", x_train, ndim=2))
    y = check_finite("y_train", as_float_array("y_train", y_train, ndim=1))
    if len(y) != len(x):
        raise ValueError(f"x_train has {len(x)} rows but y_train has {len(y)} labels")
    if np.unique(y).size < 2:
        raise ValueError(f"y_train must hold at least two classes, got {np.unique(y).tolist()}")
    n = x.shape[1] if n_qubits is None else n_qubits
    model = QuantumKernelSVM(
        n, layers, seed, n_features=x.shape[1], bandwidth=bandwidth, C=C
    )
    return model.fit(x, y)


# --------------------------------------------------------------------------------------------
# Small helpers for tests and notebooks
# --------------------------------------------------------------------------------------------
def weights_equal(model_a: Any, model_b: Any) -> bool:
    """True when two models have the same number of weight tensors and identical values."""
    wa, wb = model_a.get_weights(), model_b.get_weights()
    return len(wa) == len(wb) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(wa, wb, strict=True)
    )


def count_weights(model: Any) -> int:
    """Number of trainable scalars in a Keras model."""
    return int(sum(int(np.prod(v.shape)) for v in model.trainable_variables))
