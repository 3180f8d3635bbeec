"""Train one model under several clipping configurations and compare the runs.

:func:`compare_clipping` trains the same model from the same initial weights and with the same
shuffling under each configuration, so the runs differ only by clipping;
:func:`plot_comparison` draws the raw gradient norms and the loss per epoch.

Taught in chapters 03 and 04.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from clipq_edu import clipping
from clipq_edu._validate import check_seed
from clipq_edu.i18n import tr
from clipq_edu.training.loop import ClipSpec, train
from clipq_edu.training.telemetry import Telemetry

__all__ = ["ComparisonResults", "compare_clipping", "plot_comparison"]


@dataclass
class ComparisonResults:
    """Results of :func:`compare_clipping`.

    Attributes:
      telemetry: config name → :class:`Telemetry`.
      table: one dict per config (name, final metrics, clipped fraction, skipped steps ...).
      initial_weights: the weights every run started from.

    Taught in chapter 04.
    """

    telemetry: dict[str, Telemetry]
    table: list[dict[str, Any]]
    initial_weights: list[np.ndarray]

    def to_dataframe(self) -> Any:
        """The table as a pandas ``DataFrame`` (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.table).set_index("config")


def _call_builder(build_model: Callable[..., Any], seed: int) -> Any:
    try:
        params = inspect.signature(build_model).parameters
    except (TypeError, ValueError):
        params = {}
    if "seed" in params:
        return build_model(seed=seed)
    return build_model()


def compare_clipping(
    build_model: Callable[..., Any],
    data: Any,
    configs: Mapping[str, ClipSpec],
    *,
    loss: Any = "bce",
    optimizer: str = "adam",
    learning_rate: float = 0.01,
    epochs: int = 10,
    batch_size: int = 32,
    seed: int = 0,
    nonfinite: str = "skip",
    grad_hook: Callable[[int, list[Any]], list[Any]] | None = None,
    progress: bool = True,
) -> ComparisonResults:
    """Train one model from the same initial weights under several clipping configurations.

    The model is built once (``build_model(seed=seed)`` if the builder takes a ``seed``,
    else ``build_model()``); its initial weights are copied into a fresh build for every
    config, and every run uses the same shuffling seed, so the runs differ only by clipping.

    Args:
      build_model: a function returning a new ``tf.keras`` model.
      data: a :class:`clipq_edu.data.Dataset` or a tuple ``(x_train, y_train[, x_test,
        y_test])``.
      configs: name → clipping spec, e.g. ``{"none": None, "global 1": ("global_norm", 1.0)}``.
      loss, optimizer, learning_rate, epochs, batch_size, nonfinite, grad_hook: as in
        :func:`train` (optimizer by name, so each run gets a fresh one).
      seed: seed for the model and the shuffling.
      progress: show progress bars.

    Returns:
      :class:`ComparisonResults`.

    Taught in chapter 04.
    """
    if not callable(build_model):
        raise TypeError(f"build_model must be callable, got {type(build_model).__name__}")
    if not isinstance(configs, Mapping) or not configs:
        raise ValueError(f"configs must be a non-empty dict name -> clip spec, got {configs!r}")
    if not isinstance(optimizer, str):
        raise TypeError("compare_clipping needs the optimizer by name so each run starts fresh")
    seed = check_seed("seed", seed)
    for name, spec in configs.items():
        clipping.from_spec(spec)  # validate all before training anything
        if not isinstance(name, str):
            raise TypeError(f"config names must be strings, got {name!r}")
    if hasattr(data, "x_train"):
        x, y, xt, yt = data.x_train, data.y_train, data.x_test, data.y_test
    elif isinstance(data, (tuple, list)) and len(data) in (2, 4):
        x, y = data[0], data[1]
        xt, yt = (data[2], data[3]) if len(data) == 4 else (None, None)
    else:
        raise TypeError("data must be a Dataset or a tuple (x, y) or (x, y, x_test, y_test)")
    first = _call_builder(build_model, seed)
    initial = [w.copy() for w in first.get_weights()]
    telemetry: dict[str, Telemetry] = {}
    table: list[dict[str, Any]] = []
    for i, (name, spec) in enumerate(configs.items()):
        model = first if i == 0 else _call_builder(build_model, seed)
        model.set_weights(initial)
        tel = train(
            model, x, y, loss=loss, optimizer=optimizer, learning_rate=learning_rate,
            epochs=epochs, batch_size=batch_size, clip=spec, seed=seed, nonfinite=nonfinite,
            grad_hook=grad_hook, validation_data=None if xt is None else (xt, yt),
            progress=progress,
        )
        telemetry[name] = tel
        s = tel.summary()
        table.append({"config": name, **{k: v for k, v in s.items() if k != "clip"}})
    return ComparisonResults(telemetry=telemetry, table=table, initial_weights=initial)


def plot_comparison(results: ComparisonResults, axes: Any = None) -> Any:
    """Plot, per config, the raw gradient norm (log scale) and the loss per epoch.

    Args:
      results: from :func:`compare_clipping`.
      axes: two matplotlib ``Axes`` (a new 1x2 figure when ``None``).

    Returns:
      The matplotlib ``Figure``.

    Taught in chapter 04.
    """
    import matplotlib.pyplot as plt

    if not isinstance(results, ComparisonResults):
        raise TypeError(f"results must be ComparisonResults, got {type(results).__name__}")
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    else:
        fig = axes[0].figure
    ax_norm, ax_loss = axes
    for name, tel in results.telemetry.items():
        line, = ax_norm.semilogy(tel.norm_before, lw=1, label=name)
        ax_loss.plot(np.arange(1, len(tel.epoch_loss) + 1), tel.epoch_loss, marker="o", ms=3,
                     color=line.get_color(), label=name)
    ax_norm.set_xlabel(tr("step", "步数"))
    ax_norm.set_ylabel(tr("raw gradient norm ‖g‖", "原始梯度范数 ‖g‖"))
    ax_norm.set_title(tr("Gradient norm before clipping", "裁剪前的梯度范数"))
    ax_loss.set_xlabel(tr("epoch", "轮次"))
    ax_loss.set_ylabel(tr("mean training loss", "平均训练损失"))
    ax_loss.set_title(tr("Training loss, same initial weights", "训练损失（初始权重相同）"))
    ax_loss.legend(fontsize="small")
    fig.tight_layout()
    return fig
