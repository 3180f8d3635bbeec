"""Tests for clipq_edu.models: seeded builds, circuits checked against Cirq, the QSVM kernel."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.slow

tf = pytest.importorskip("clipq_edu._tf").tf
cirq = pytest.importorskip("cirq")

from clipq_edu import data, models  # noqa: E402

BUILDERS = {
    "article": lambda s: models.article_model(s),
    "pqc": lambda s: models.pqc_classifier(2, 2, s),
    "pqc_circuits": lambda s: models.pqc_classifier(2, 2, s, input="circuits"),
    "hybrid": lambda s: models.hybrid_model(3, 2, 2, s),
    "regressor": lambda s: models.quantum_regressor(1, 2, s),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_same_seed_same_weights_different_seed_different(name):
    build = BUILDERS[name]
    a, b, c = build(0), build(0), build(1)
    assert models.weights_equal(a, b)
    assert not models.weights_equal(a, c)
    # every weight tensor differs between seeds, except zero-initialised biases
    for wa, wc in zip(a.get_weights(), c.get_weights(), strict=True):
        if np.any(wa != 0):
            assert not np.array_equal(wa, wc)


def test_two_quantum_layers_in_one_model_do_not_share_initial_angles():
    m = models.hybrid_model(2, 2, 1, seed=0)
    pqc = m.get_layer("pqc").get_weights()[0]
    other = models.pqc_classifier(2, 1, seed=0).get_layer("pqc").get_weights()[0]
    assert pqc.shape == other.shape and not np.allclose(pqc, other)
    assert pqc.min() >= 0 and pqc.max() < 2 * np.pi


def _cirq_z0(circuit, resolver, n):
    qubits = cirq.LineQubit.range(n)
    state = cirq.Simulator(dtype=np.complex128).simulate(
        circuit, resolver, qubit_order=qubits).final_state_vector
    return float(np.real(cirq.Z(qubits[0]).expectation_from_state_vector(
        state, {q: i for i, q in enumerate(qubits)})))


def test_encoded_pqc_matches_cirq_simulation():
    n, layers = 2, 2
    m = models.pqc_classifier(n, layers, seed=3)
    layer = m.get_layer("pqc")
    theta = layer.get_weights()[0]
    x = np.array([[0.3, 2.1], [1.7, -0.4]], dtype=np.float32)
    p = m(x).numpy()[:, 0]
    for row, prob in zip(x, p, strict=True):
        values = {str(s): float(row[int(str(s).split("_")[1])]) for s in layer.data_symbols}
        values.update({str(s): float(t) for s, t in zip(layer.weight_symbols, theta,
                                                       strict=True)})
        z = _cirq_z0(layer.circuit, cirq.ParamResolver(values), n)
        assert prob == pytest.approx((1 + z) / 2, abs=1e-5)


def test_features_path_equals_circuits_path_with_same_angles():
    x = np.array([[0.2, 1.1], [2.5, 0.7], [3.0, 3.0]], dtype=np.float32)
    fast = models.pqc_classifier(2, 2, seed=0, reupload=False)
    slow = models.pqc_classifier(2, 2, seed=5, input="circuits")
    slow.set_weights(fast.get_weights())
    np.testing.assert_allclose(
        fast(x).numpy(), slow(models.encode_circuits(x)).numpy(), atol=1e-5
    )


def test_quantum_kernel_is_symmetric_psd_unit_diagonal_and_beats_chance():
    d = data.scale_to_angles(data.moons(120, 0.1, seed=0))
    svm = models.quantum_kernel_svm(d.x_train, d.y_train, seed=0)
    k = svm.kernel_train_
    np.testing.assert_allclose(k, k.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(k), 1.0, atol=1e-6)
    assert np.linalg.eigvalsh(k).min() > -1e-8
    assert k.min() >= 0 and k.max() <= 1 + 1e-9
    # 30 balanced test points: chance is 0.5, 0.75 is > 2.7 binomial standard deviations above
    assert svm.score(d.x_test, d.y_test) >= 0.75


def test_kernel_entry_equals_cirq_fidelity():
    svm = models.QuantumKernelSVM(2, 2, seed=4, n_features=2, bandwidth=0.7)
    x = np.array([[0.4, 1.3], [2.0, 0.1]])
    k = svm.kernel(x)
    states = []
    for row in x:
        resolver = {f"k{j}_{q}": 0.7 * row[q] for j in range(2) for q in range(2)}
        states.append(cirq.Simulator(dtype=np.complex128).simulate(
            svm.circuit, cirq.ParamResolver(resolver),
            qubit_order=cirq.LineQubit.range(2)).final_state_vector)
    fidelity = abs(np.vdot(states[0], states[1])) ** 2
    assert k[0, 1] == pytest.approx(fidelity, abs=1e-5)


def test_quantum_regressor_fits_sine():
    from clipq_edu.training import train

    d = data.sine_1d(48, seed=0)
    m = models.quantum_regressor(1, 1, seed=0)
    tel = train(m, d.x_train, d.y_train, loss="mse", learning_rate=0.1, epochs=25,
                batch_size=12, progress=False, validation_data=(d.x_test, d.y_test))
    assert tel.metrics["val_loss"] < 0.01
    assert tel.epoch_loss[-1] < tel.epoch_loss[0]


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda: models.pqc_classifier(0), ValueError, "n_qubits"),
        (lambda: models.pqc_classifier(40), ValueError, "n_qubits"),
        (lambda: models.pqc_classifier(2, input="images"), ValueError, "input"),
        (lambda: models.article_model(seed=None), TypeError, "seed"),
        (lambda: models.hybrid_model(2, input_scale=0.0), ValueError, "input_scale"),
        (lambda: models.hybrid_model(2, readout="softmax"), ValueError, "readout"),
        (lambda: models.quantum_kernel_svm(np.zeros((4, 2)), np.zeros(3)), ValueError, "rows"),
        (lambda: models.QuantumKernelSVM(2, n_features=2).predict(np.zeros((1, 2))),
         RuntimeError, "fit"),
    ],
)
def test_bad_input_is_named(call, exc, words):
    with pytest.raises(exc, match=words):
        call()


# --------------------------------------------------------------------------------------------
# Save and load (issue 16): the custom layers carry get_config/from_config
# --------------------------------------------------------------------------------------------
SAVABLE = {
    "pqc": (lambda: models.pqc_classifier(2, 2, 0, n_features=3), 3),
    "hybrid": (lambda: models.hybrid_model(3, 2, 2, 0), 3),
    "hybrid_expectation": (lambda: models.hybrid_model(3, 2, 1, 0, readout="expectation",
                                                       hidden=0), 3),
    "regressor": (lambda: models.quantum_regressor(2, 2, 0), 1),
}


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("name", sorted(SAVABLE))
def test_trained_model_saves_and_loads_with_equal_outputs(name, fmt, tmp_path):
    from clipq_edu.training import train

    build, n_features = SAVABLE[name]
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, (24, n_features)).astype(np.float32)
    y = (x[:, 0] > 1.5).astype(np.float32)
    model = build()
    initial = [w.copy() for w in model.get_weights()]
    train(model, x, y, loss="mse", epochs=1, batch_size=8, learning_rate=0.1, progress=False)
    assert not all(np.array_equal(a, b) for a, b in
                   zip(initial, model.get_weights(), strict=True))  # trained: not the init
    path = tmp_path / f"model.{fmt}"
    tf.keras.models.save_model(model, str(path))
    loaded = tf.keras.models.load_model(str(path))  # no custom_objects: layers are registered
    assert isinstance(loaded.get_layer("pqc"), models.EncodedPQC)
    assert models.weights_equal(model, loaded)
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())


def test_encoded_pqc_config_is_json_and_rebuilds_the_same_circuit():
    import json

    tfq = pytest.importorskip("tensorflow_quantum")
    layer = models.hybrid_model(2, 2, 2, 0, differentiator=tfq.differentiators.ParameterShift()
                                ).get_layer("pqc")
    config = json.loads(json.dumps(layer.get_config()))
    again = models.EncodedPQC.from_config(config)
    assert again.circuit == layer.circuit
    assert again.data_symbols == layer.data_symbols
    assert again.weight_symbols == layer.weight_symbols
    assert again.feature_index == layer.feature_index
    assert [str(o) for o in again.operators] == [str(o) for o in layer.operators]
    assert isinstance(again._differentiator, tfq.differentiators.ParameterShift)
    config["differentiator"] = "NoSuchDifferentiator"
    with pytest.raises(ValueError, match="differentiator"):
        models.EncodedPQC.from_config(config)


def test_probability_layer_replaces_lambda():
    m = models.pqc_classifier(2, 1, 0)
    layer = m.get_layer("probability")
    assert isinstance(layer, models.ExpectationToProbability)
    np.testing.assert_allclose(layer(tf.constant([[-1.0], [0.0], [1.0]])).numpy(),
                               [[0.0], [0.5], [1.0]])


def test_kernel_states_come_from_the_one_simulator():
    from clipq_edu.quantum import simulate

    svm = models.QuantumKernelSVM(2, 2, seed=4, n_features=2, bandwidth=0.7)
    x = np.array([[0.4, 1.3], [2.0, 0.1]])
    psi = simulate.states(svm.circuit, symbols=svm._symbols, values=0.7 * x[:, svm._index])
    np.testing.assert_array_equal(svm.states(x),
                                  psi / np.linalg.norm(psi, axis=1, keepdims=True))
    ref = simulate.states(svm.circuit, symbols=svm._symbols, values=0.7 * x[:, svm._index],
                          backend="cirq")
    np.testing.assert_allclose(np.abs(np.sum(ref.conj() * svm.states(x), axis=1)), 1.0,
                               atol=1e-6)


def test_encoding_ansatz_circuit_is_built_from_the_chapters_circuits():
    from clipq_edu.quantum import circuits

    circuit, data, weights = models.encoding_ansatz_circuit(2, 2, reupload=True)
    enc0, x0 = circuits.angle_encoding_symbols(2, prefix="x0_", gate="rx")
    hea0, w0 = circuits.hardware_efficient_ansatz(2, 1, "t0",
                                                  name_format="{prefix}_{qubit}_{axis}")
    assert data[:2] == x0 and weights[:4] == w0
    assert [str(s) for s in weights] == [f"t{k}_{q}_{a}" for k in range(2) for q in range(2)
                                         for a in "yz"]
    first = cirq.Circuit(enc0.all_operations(), hea0.all_operations())
    assert cirq.Circuit(circuit[:len(first)]) == first
    _, _, w = models.encoding_ansatz_circuit(1, 1, trainable_first=True, reupload=False)
    assert [str(s) for s in w] == ["tpre_0_y", "tpre_0_z", "t0_0_y", "t0_0_z"]
