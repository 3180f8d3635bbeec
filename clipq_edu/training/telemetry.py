"""THE training telemetry: what happened at every optimisation step, one row a step.

Every training path of the course returns a :class:`Telemetry`: the Keras loop
(:func:`clipq_edu.training.train`), the shot-based optimiser
(:func:`clipq_edu.training.train_circuit_from_shots`) and the NumPy loops of the widgets and
the FAQ. A plain NumPy loop builds one with a :class:`TelemetryRecorder`::

    rec = TelemetryRecorder(clip="global_norm 1")
    for step ...:
        clipped, info = clipper(grads)          # a clipq_edu.clipping.Clipper
        rec.record(loss, info, epoch=epoch)     # or rec.record(loss, norm_before=...)
    telemetry = rec.finish(metrics={"accuracy": acc})

Importing this module does not import TensorFlow. Taught in chapter 04.

>>> import numpy as np
>>> from clipq_edu.clipping import ClipByGlobalNorm
>>> rec = TelemetryRecorder(clip="global_norm 1")
>>> clipper = ClipByGlobalNorm(1.0)
>>> for loss, g in [(0.9, [3.0, 4.0]), (0.5, [0.3, 0.4])]:
...     _, info = clipper(np.array(g))
...     rec.record(loss, info)
>>> tel = rec.finish()
>>> tel.norm_before.tolist(), tel.norm_after.tolist(), tel.clipped.tolist()
([5.0, 0.5], [1.0, 0.5], [True, False])
>>> tel.summary()["clipped_fraction"], tel.summary()["final_loss"]
(0.5, 0.7)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from clipq_edu.clipping import ClipInfo, global_norm
from clipq_edu.i18n import tr

__all__ = ["Telemetry", "TelemetryRecorder"]

_COLUMNS = ("loss", "norm_before", "norm_after", "clipped", "skipped", "threshold", "epoch")


@dataclass
class Telemetry:
    """What happened at every optimisation step (read-only NumPy arrays, one row a step).

    Attributes:
      loss: batch loss before the step.
      norm_before: global L2 norm of the raw gradient (NaN/Inf for non-finite gradients).
      norm_after: global norm of the gradient actually applied (NaN when skipped).
      clipped: clipping changed the gradient (the method fired).
      skipped: the step was not applied because the gradient held NaN/Inf.
      threshold: the clip bound in force (AutoClip's moving threshold; NaN when none).
      epoch: epoch of each step.
      layer_norms: ``(steps, n_tensors)`` norms of each weight tensor's raw gradient
        (``(steps, 0)`` when not recorded).
      weight_names: names of the weight tensors (columns of ``layer_norms``).
      clip: label of the clipping spec.
      epoch_loss: mean batch loss per epoch (skipped steps excluded).
      metrics: final scalars (``loss``, ``accuracy``, ``val_loss``, ``diverged`` ...).
      extra: further per-step columns (e.g. ``step_size``), each of length ``steps``.

    Only the first three are required; the others default to "not clipped, not skipped,
    no threshold, epoch 0", and ``epoch_loss`` to the per-epoch mean of the applied steps.

    Taught in chapter 04.
    """

    loss: Any
    norm_before: Any
    norm_after: Any
    clipped: Any = None
    skipped: Any = None
    threshold: Any = None
    epoch: Any = None
    layer_norms: Any = None
    weight_names: list[str] = field(default_factory=list)
    clip: str = "no clipping"
    epoch_loss: Any = None
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        loss = np.array(self.loss, dtype=np.float64).reshape(-1)
        n = len(loss)
        defaults = {"clipped": np.zeros(n, bool), "skipped": np.zeros(n, bool),
                    "threshold": np.full(n, math.nan), "epoch": np.zeros(n, int)}
        dtypes = {"clipped": bool, "skipped": bool, "epoch": int}
        for name in _COLUMNS:
            value = loss if name == "loss" else getattr(self, name)
            value = defaults[name] if value is None else value
            arr = np.array(value, dtype=dtypes.get(name, np.float64)).reshape(-1)
            if len(arr) != n:
                raise ValueError(f"Telemetry.{name} has {len(arr)} entries but loss has {n}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        width = len(self.weight_names)
        layers = (np.zeros((n, width)) if self.layer_norms is None
                  else np.array(self.layer_norms, dtype=np.float64).reshape(n, -1))
        layers.setflags(write=False)
        self.layer_norms = layers
        self.weight_names = list(self.weight_names)
        if self.epoch_loss is None:
            self.epoch_loss = _epoch_means(self.loss, self.epoch, self.skipped)
        self.epoch_loss = np.array(self.epoch_loss, dtype=np.float64).reshape(-1)
        self.epoch_loss.setflags(write=False)
        extra = {}
        for key, col in self.extra.items():
            arr = np.array(col)
            if len(arr) != n:
                raise ValueError(f"Telemetry.extra[{key!r}] has {len(arr)} entries, not {n}")
            arr.setflags(write=False)
            extra[key] = arr
        self.extra = extra
        self.metrics = dict(self.metrics)

    @property
    def steps(self) -> int:
        """Number of steps attempted (applied + skipped)."""
        return int(len(self.loss))

    def summary(self) -> dict[str, Any]:
        """Headline numbers: steps, clipped fraction, largest norm, final loss, skipped steps."""
        applied = ~self.skipped
        finite = self.norm_before[np.isfinite(self.norm_before)]
        return {
            "clip": self.clip,
            "steps": self.steps,
            "applied_steps": int(applied.sum()),
            "skipped_steps": [int(i) for i in np.flatnonzero(self.skipped)],
            "clipped_fraction": float(self.clipped[applied].mean()) if applied.any() else 0.0,
            "max_norm_before": float(finite.max()) if finite.size else math.nan,
            "median_norm_before": float(np.median(finite)) if finite.size else math.nan,
            "final_loss": float(self.epoch_loss[-1]) if self.epoch_loss.size else math.nan,
            **{f"final_{k}": _scalar(v) for k, v in self.metrics.items()},
        }

    def to_dict(self) -> dict[str, np.ndarray]:
        """Per-step columns as a dict of arrays (one column per weight tensor's norm)."""
        out = {"step": np.arange(self.steps), "epoch": self.epoch, "loss": self.loss,
               "norm_before": self.norm_before, "norm_after": self.norm_after,
               "threshold": self.threshold, "clipped": self.clipped, "skipped": self.skipped}
        for j, name in enumerate(self.weight_names):
            out[f"norm[{name}]"] = self.layer_norms[:, j]
        out.update(self.extra)
        return out

    def to_dataframe(self) -> Any:
        """The per-step table as a pandas ``DataFrame`` (needs pandas, not a dependency)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is usually present
            raise ImportError("to_dataframe needs pandas; use to_dict() without it") from exc
        return pd.DataFrame(self.to_dict())

    def plot(self, ax: Any = None) -> Any:
        """Plot gradient norm before/after clipping (log scale), the threshold, and the loss.

        Args:
          ax: a matplotlib ``Axes`` for the norms (a new figure when ``None``); the loss goes
            on a twin y-axis.

        Returns:
          The ``Axes`` with the norms.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3.5))
        steps = np.arange(self.steps)
        ax.semilogy(steps, self.norm_before, lw=1, label=tr("‖g‖ before clipping", "裁剪前的 ‖g‖"))
        ax.semilogy(steps, self.norm_after, lw=1, ls="--", label=tr("‖g‖ applied", "实际使用的 ‖g‖"))
        if np.isfinite(self.threshold).any():
            ax.plot(steps, self.threshold, color="k", lw=0.8, ls=":", label=tr("threshold", "阈值"))
        if self.skipped.any():
            for s in np.flatnonzero(self.skipped):
                ax.axvline(s, color="red", lw=0.8, alpha=0.6)
            ax.plot([], [], color="red", label=tr("skipped (NaN/Inf)", "跳过（NaN/Inf）"))
        ax.set_xlabel(tr("step", "步数"))
        ax.set_ylabel(tr("global gradient norm", "全局梯度范数"))
        ax2 = ax.twinx()
        ax2.plot(steps, self.loss, color="tab:green", lw=1, alpha=0.7)
        ax2.set_ylabel(tr("batch loss", "批量损失"), color="tab:green")
        ax.set_title(tr(f"Gradient telemetry ({self.clip})", f"训练监控：梯度范数（{self.clip}）"))
        ax.legend(loc="upper right", fontsize="small")
        ax.figure.tight_layout()
        return ax


def _scalar(v: Any) -> Any:
    return bool(v) if isinstance(v, (bool, np.bool_)) else float(v)


def _epoch_means(loss: np.ndarray, epoch: np.ndarray, skipped: np.ndarray) -> np.ndarray:
    if not len(loss):
        return np.zeros(0)
    out = []
    for ep in range(int(epoch.max()) + 1):
        keep = (epoch == ep) & ~skipped
        out.append(float(np.mean(loss[keep])) if keep.any() else math.nan)
    return np.array(out)


class TelemetryRecorder:
    """Collects one row per step and builds a :class:`Telemetry` (for any training loop).

    Args:
      weight_names: names of the weight tensors whose gradient norms go in ``layer_norms``
        (leave empty to not record them).
      clip: label of the clipping in force (e.g. ``"global_norm 1"``).

    Taught in chapter 04.

    >>> rec = TelemetryRecorder()
    >>> rec.record(0.7, norm_before=3.0, norm_after=1.0, clipped=True, threshold=1.0)
    >>> rec.record(float("nan"), norm_before=float("nan"), skipped=True)
    >>> tel = rec.finish(metrics={"accuracy": 0.5})
    >>> tel.steps, tel.summary()["skipped_steps"], tel.norm_after.tolist()
    (2, [1], [1.0, nan])
    """

    def __init__(self, *, weight_names: Any = (), clip: str = "no clipping") -> None:
        if isinstance(weight_names, (str, bytes)) or not isinstance(weight_names, Iterable):
            raise TypeError(f"weight_names must be a list of names, got "
                            f"{type(weight_names).__name__}")
        self.weight_names = [str(n) for n in weight_names]
        self.clip = str(clip)
        self._rows: dict[str, list[Any]] = {k: [] for k in (*_COLUMNS, "layer_norms")}
        self._extra: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self._rows["loss"])

    def last(self, column: str) -> Any:
        """The latest recorded value of ``column`` (e.g. ``"loss"``, ``"norm_before"``)."""
        return self._rows[column][-1]

    def record(
        self,
        loss: float,
        info: ClipInfo | None = None,
        *,
        norm_before: float | None = None,
        norm_after: float | None = None,
        clipped: bool | None = None,
        skipped: bool = False,
        threshold: float | None = None,
        epoch: int = 0,
        layer_norms: Any = None,
        **extra: Any,
    ) -> None:
        """Add one step.

        Args:
          loss: the batch loss.
          info: the :class:`~clipq_edu.clipping.ClipInfo` a clipper returned; it fills
            ``norm_before``, ``norm_after``, ``clipped`` and ``threshold`` (explicit
            keywords win).
          norm_before, norm_after, clipped, threshold: the same by hand (``norm_after``
            defaults to ``norm_before``, or NaN for a skipped step).
          skipped: the step was not applied (NaN/Inf gradient).
          epoch: epoch of the step.
          layer_norms: per-tensor gradient norms (one per ``weight_names``).
          **extra: further per-step columns; give the same keys at every step.
        """
        if info is not None:
            norm_before = info.norm_before if norm_before is None else norm_before
            norm_after = info.norm_after if norm_after is None else norm_after
            clipped = info.clipped if clipped is None else clipped
            threshold = info.threshold if threshold is None else threshold
        if norm_before is None:
            raise TypeError("record needs info (a ClipInfo) or norm_before")
        if norm_after is None:
            norm_after = math.nan if skipped else norm_before
        row = {"loss": float(loss), "norm_before": float(norm_before),
               "norm_after": float(norm_after), "clipped": bool(clipped) and not skipped,
               "skipped": bool(skipped),
               "threshold": math.nan if threshold is None else float(threshold),
               "epoch": int(epoch),
               "layer_norms": [] if layer_norms is None else [float(v) for v in layer_norms]}
        if row["layer_norms"] and len(row["layer_norms"]) != len(self.weight_names):
            raise ValueError(f"layer_norms has {len(row['layer_norms'])} entries for "
                             f"{len(self.weight_names)} weight_names")
        for key, value in row.items():
            self._rows[key].append(value)
        for key, value in extra.items():
            self._extra.setdefault(key, []).append(value)

    def record_grads(self, loss: float, grads: Any, *, skipped: bool = False,
                     epoch: int = 0, **kwargs: Any) -> list[float]:
        """Add one step whose raw norms are computed from ``grads`` (one array per tensor).

        ``norm_before`` is :func:`clipq_edu.clipping.global_norm` of ``grads`` and
        ``layer_norms`` the norm of each tensor. Further keywords go to :meth:`record`.

        Returns:
          The per-tensor norms.
        """
        items = [np.asarray(g, dtype=np.float64) for g in grads]
        layer = [global_norm([g]) for g in items]
        kwargs.setdefault("norm_before", global_norm(items))
        self.record(loss, skipped=skipped, epoch=epoch,
                    layer_norms=layer if self.weight_names else None, **kwargs)
        return layer

    def finish(self, *, metrics: dict[str, Any] | None = None,
               epoch_loss: Any = None) -> Telemetry:
        """Build the :class:`Telemetry` of the recorded steps."""
        rows = self._rows
        n = len(rows["loss"])
        layers = (np.array(rows["layer_norms"], dtype=np.float64).reshape(n, -1)
                  if self.weight_names and n and all(rows["layer_norms"]) else None)
        return Telemetry(
            **{k: rows[k] for k in _COLUMNS},
            layer_norms=layers,
            weight_names=self.weight_names if layers is not None else [],
            clip=self.clip,
            epoch_loss=epoch_loss,
            metrics=dict(metrics or {}),
            extra={k: v for k, v in self._extra.items()},
        )

