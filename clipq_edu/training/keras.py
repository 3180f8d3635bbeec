"""A Keras-side guard for ``model.fit``: an optimizer that refuses to apply a NaN/Inf update.

Keras' ``clipnorm`` / ``global_clipnorm`` / ``clipvalue`` do not protect the weights from a
non-finite gradient: the norm of a gradient holding NaN is NaN, so clipping spreads it, and
one bad batch poisons every weight it touches. :func:`guard_nonfinite` returns a copy of a
``tf.keras`` optimizer whose ``apply_gradients`` first checks that every gradient is finite;
when one is not, the whole update is skipped (weights, moments and the step counter stay as
they were) and :attr:`nonfinite_steps` counts it. Clipping options of the optimizer still
apply to the finite steps. It works inside ``model.fit``'s compiled train step (the check is
a ``tf.cond``), and in a custom loop.

This is the ``model.fit`` counterpart of :func:`clipq_edu.training.train`'s
``nonfinite="skip"``. Importing this module imports TensorFlow. Taught in chapter 04.
"""

from __future__ import annotations

import functools
from typing import Any

from clipq_edu._tf import tf

__all__ = ["guard_nonfinite"]

_NAMES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}


def _all_finite(grads: list[Any]) -> Any:
    checks = []
    for g in grads:
        if g is None:
            continue
        values = g.values if isinstance(g, tf.IndexedSlices) else g
        checks.append(tf.reduce_all(tf.math.is_finite(values)))
    return tf.reduce_all(tf.stack(checks)) if checks else tf.constant(True)


@functools.lru_cache(maxsize=16)
def _guarded_class(base: type) -> type:
    """A subclass of the optimizer class ``base`` that skips non-finite updates."""

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        base.__init__(self, *args, **kwargs)
        self._nonfinite_steps = tf.Variable(0, dtype=tf.int64, trainable=False,
                                            name="nonfinite_steps")

    def apply_gradients(self: Any, grads_and_vars: Any, *args: Any, **kwargs: Any) -> Any:
        grads_and_vars = list(grads_and_vars)
        if not grads_and_vars:
            return self.iterations
        with tf.init_scope():  # slots exist before the branch, as the base class expects
            self.build([v for _, v in grads_and_vars])
        finite = _all_finite([g for g, _ in grads_and_vars])

        def apply() -> Any:
            base.apply_gradients(self, grads_and_vars, *args, **kwargs)
            return tf.constant(0, tf.int64)

        self._nonfinite_steps.assign_add(
            tf.cond(finite, apply, lambda: tf.constant(1, tf.int64)))
        return self.iterations

    def nonfinite_steps(self: Any) -> int:
        """Number of updates refused because a gradient held NaN or Inf."""
        return int(self._nonfinite_steps.numpy())

    name = f"NonFiniteGuard{base.__name__}"
    cls = type(name, (base,), {"__init__": __init__, "apply_gradients": apply_gradients,
                               "nonfinite_steps": property(nonfinite_steps),
                               "__doc__": f"{base.__name__} that skips NaN/Inf updates."})
    return tf.keras.utils.register_keras_serializable(package="clipq_edu")(cls)


def guard_nonfinite(optimizer: Any = "adam", **kwargs: Any) -> Any:
    """Return a ``tf.keras`` optimizer that refuses to apply a gradient holding NaN or Inf.

    Args:
      optimizer: ``"adam"``, ``"sgd"``, ``"rmsprop"`` or a ``tf.keras`` optimizer instance
        (it is not changed: the guarded optimizer is a new one built from its config).
      **kwargs: options for an optimizer given by name (``learning_rate``, ``clipnorm`` ...).

    Returns:
      A new optimizer of a subclass of the same class; its ``nonfinite_steps`` property
      counts the refused updates. Use it in ``model.compile(optimizer=...)``.

    Taught in chapter 04.

    >>> import contextlib, io, numpy as np
    >>> from clipq_edu.testing import tiny_data, tiny_model
    >>> x, y = tiny_data(16)
    >>> x[0, 0] = np.nan  # one poisoned example: its batch has a NaN gradient
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     model = tiny_model()
    ...     opt = guard_nonfinite("sgd", learning_rate=0.1, clipnorm=1.0)
    ...     model.compile(optimizer=opt, loss="binary_crossentropy")
    ...     _ = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    >>> opt.nonfinite_steps, int(opt.iterations.numpy())
    (1, 1)
    >>> all(np.isfinite(w).all() for w in model.get_weights())
    True
    """
    if isinstance(optimizer, str):
        key = optimizer.lower()
        if key not in _NAMES:
            raise ValueError(f"optimizer must be one of {sorted(_NAMES)} or a tf.keras "
                             f"optimizer, got {optimizer!r}")
        base = getattr(tf.keras.optimizers, _NAMES[key])
        return _guarded_class(base)(**kwargs)
    if not hasattr(optimizer, "apply_gradients") or not hasattr(optimizer, "get_config"):
        raise TypeError(f"optimizer must be a name or a tf.keras optimizer, got "
                        f"{type(optimizer).__name__}")
    if kwargs:
        raise TypeError(f"options {sorted(kwargs)} only go with an optimizer given by name")
    base = type(optimizer)
    if base.__name__.startswith("NonFiniteGuard"):
        base = base.__mro__[1]
    return _guarded_class(base).from_config(optimizer.get_config())
