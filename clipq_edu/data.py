"""Offline datasets for the chapters: generated or shipped with scikit-learn, always seeded.

Nothing here downloads (the course runs on machines without network) and nothing imports
TensorFlow. Every loader returns a :class:`Dataset` of ``float32`` NumPy arrays, already split
into train and test parts; the same ``seed`` gives the same arrays, in any process.

Preprocessing is fitted on the *training* part only and then applied to both parts
(:func:`standardize`, :func:`scale_to_angles`), so no information leaks from the test set.

>>> d = moons(n_samples=40, noise=0.1, seed=0)
>>> d.x_train.shape, d.x_test.shape, d.x_train.dtype
((30, 2), (10, 2), dtype('float32'))
>>> a = scale_to_angles(d)
>>> float(a.x_train.min()), round(float(a.x_train.max()), 5)
(0.0, 3.14159)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from clipq_edu._validate import (
    MAX_SEED_32,
    as_float_array,
    check_bool,
    check_int,
    check_positive_float,
    check_real,
    check_seed,
)
from clipq_edu.i18n import Text

__all__ = [
    "MAX_NOISE",
    "MAX_RANGE",
    "Dataset",
    "article_task",
    "circles",
    "count_contradictions",
    "digits_3_vs_6",
    "moons",
    "scale_to_angles",
    "sine_1d",
    "standardize",
]



def _extend(description: str, en: str, zh: str) -> str:
    """``description`` with a suffix; a bilingual description stays bilingual."""
    if isinstance(description, Text):
        return Text(description.en + en, description.zh + zh)
    return f"{description}{en}"

@dataclass(frozen=True)
class Dataset:
    """A train/test split of float32 arrays plus a one-line description.

    Attributes:
      x_train, y_train, x_test, y_test: features ``(n, d)`` and targets ``(n,)``, float32.
        Class labels are 0.0 / 1.0.
      description: what the data is and how it was made (shown in notebooks).
      extra: optional named arrays that belong to the same split (e.g. binarized pixels).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    description: str = ""
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        """Number of input features (columns of ``x_train``)."""
        return int(self.x_train.shape[1])

    def __repr__(self) -> str:
        description = str(self.description)  # a Text shows in the learner's language
        return (
            f"Dataset({description!r}, train={self.x_train.shape}, "
            f"test={self.x_test.shape})"
        )

    def scaled(self, factor: float) -> Dataset:
        """Return a copy whose features are multiplied by ``factor`` (to show bad scaling).

        Taught in chapter 03 (a hybrid model fed inputs scaled 30x cannot learn).
        """
        f = check_real("factor", factor, minimum=-MAX_RANGE, maximum=MAX_RANGE)
        return replace(
            self,
            x_train=(self.x_train * f).astype(np.float32),
            x_test=(self.x_test * f).astype(np.float32),
            description=_extend(self.description, f" (features x{f:g})", f"（特征 ×{f:g}）"),
        )


# --------------------------------------------------------------------------------------------
# Private helpers
# --------------------------------------------------------------------------------------------
def _check_fraction(name: str, value: Any) -> float:
    v = check_positive_float(name, value)
    if not 0 < v < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return v


#: Largest noise level the generators accept (beyond it the points are pure noise, and
#: float32 data would overflow long before 1e300).
MAX_NOISE = 1e3
#: Largest |low|, |high| for intervals and angle ranges (float32 data stay exact enough).
MAX_RANGE = 1e6


def _check_seed(seed: Any) -> int | None:
    """A seed scikit-learn accepts: ``None`` or an integer in [0, 2**32 - 1]."""
    return check_seed("seed", seed, maximum=MAX_SEED_32)


def _check_interval(low: Any, high: Any) -> tuple[float, float]:
    """Finite ``low < high``, both within ±:data:`MAX_RANGE`, each named when wrong."""
    low = check_real("low", low, minimum=-MAX_RANGE, maximum=MAX_RANGE)
    high = check_real("high", high, minimum=-MAX_RANGE, maximum=MAX_RANGE)
    if not low < high:
        raise ValueError(f"need low < high, got low={low!r}, high={high!r}")
    return low, high


def _split(
    x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int | None, stratify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into train and test parts, refusing a ``test_fraction`` that leaves either part
    too small (scikit-learn would name its own ``test_size`` instead)."""
    from sklearn.model_selection import train_test_split

    n = len(y)
    n_test = math.ceil(test_fraction * n)  # how scikit-learn rounds test_size
    least = len(np.unique(y)) if stratify else 1  # stratified: every class in both parts
    if n_test < least or n - n_test < least:
        raise ValueError(
            f"test_fraction={test_fraction!r} gives {n_test} test and {n - n_test} training "
            f"examples of {n}; each part needs at least {least}"
        )
    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y if stratify else None
    )
    f32 = np.float32
    return x_tr.astype(f32), y_tr.astype(f32), x_te.astype(f32), y_te.astype(f32)


def _check_n(n_samples: Any, minimum: int = 8) -> int:
    return check_int("n_samples", n_samples, minimum=minimum, maximum=10**6)


# --------------------------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------------------------
def article_task(
    n_samples: int = 512, seed: int | None = 0, *, test_fraction: float = 0.25
) -> Dataset:
    """An 8-feature binary classification task for the source article's Keras model.

    The article trains ``Dense(10, relu) -> Dense(1, sigmoid)`` on 8 inputs but never says on
    what; this makes such data with scikit-learn's ``make_classification`` (5 informative,
    2 redundant, 1 noise feature, two clusters per class, 2% label noise). Features are
    standardised with the training part's mean and standard deviation.

    Args:
      n_samples: total number of examples (train + test), >= 8.
      seed: seed for generation and split (``None``: fresh randomness every call).
      test_fraction: share of examples held out for testing, in (0, 1).

    Returns:
      A :class:`Dataset` with ``x`` of shape ``(n, 8)`` and labels 0/1.

    References:
      Guyon (2003), "Design of experiments for the NIPS 2003 variable selection benchmark"
      (the generator behind ``make_classification``).

    Taught in chapter 04.

    >>> article_task(64, seed=0)
    Dataset('article task: 8 features', train=(48, 8), test=(16, 8))
    """
    from sklearn.datasets import make_classification

    n = _check_n(n_samples)
    seed = _check_seed(seed)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    x, y = make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_redundant=2,
        n_repeated=0,
        n_classes=2,
        n_clusters_per_class=2,
        flip_y=0.02,
        class_sep=1.0,
        random_state=seed,
    )
    d = Dataset(*_split(x, y, test_fraction, seed, True), description=Text("article task: 8 features", "文章中的任务：8 个特征"))
    return standardize(d)


def moons(
    n_samples: int = 200,
    noise: float = 0.15,
    seed: int | None = 0,
    *,
    test_fraction: float = 0.25,
) -> Dataset:
    """Two interleaving half-moons in 2-D (scikit-learn ``make_moons``), labels 0/1.

    Args:
      n_samples: total number of points, >= 8.
      noise: standard deviation of Gaussian noise added to the points, 0 to :data:`MAX_NOISE`.
      seed: seed for generation and split (0 to 2**32 − 1, or ``None``).
      test_fraction: share held out for testing, in (0, 1).

    Returns:
      A :class:`Dataset` with ``x`` of shape ``(n, 2)`` in the raw moons coordinates
      (x₁ ∈ about [-1, 2], x₂ ∈ about [-0.5, 1]).

    Taught in chapters 03 and 04.

    >>> moons(40, seed=0).x_train.shape
    (30, 2)
    """
    from sklearn.datasets import make_moons

    return _sklearn_2d(make_moons, "moons", n_samples, noise, seed, test_fraction)


def _sklearn_2d(make: Any, name: str, n_samples: Any, noise: Any, seed: Any,
                test_fraction: Any, **options: float) -> Dataset:
    """A checked, stratified split of scikit-learn's 2-D generator ``make`` (moons, circles)."""
    n = _check_n(n_samples)
    noise = check_positive_float("noise", noise, allow_zero=True, maximum=MAX_NOISE)
    seed = _check_seed(seed)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    x, y = make(n_samples=n, noise=noise, random_state=seed, **options)
    details = "".join(f", {k} {v:g}" for k, v in options.items())
    return Dataset(*_split(x, y, test_fraction, seed, True),
                   description=f"{name} (noise {noise:g}{details})")


def circles(
    n_samples: int = 200,
    noise: float = 0.08,
    factor: float = 0.5,
    seed: int | None = 0,
    *,
    test_fraction: float = 0.25,
) -> Dataset:
    """Two concentric circles in 2-D (scikit-learn ``make_circles``), labels 0 (outer) / 1.

    Args:
      n_samples: total number of points, >= 8.
      noise: standard deviation of the Gaussian noise, 0 to :data:`MAX_NOISE`.
      factor: radius of the inner circle relative to the outer one, in (0, 1).
      seed: seed for generation and split (0 to 2**32 − 1, or ``None``).
      test_fraction: share held out for testing, in (0, 1).

    Returns:
      A :class:`Dataset` with ``x`` of shape ``(n, 2)`` in [-1.x, 1.x]².

    Taught in chapter 03.

    >>> circles(40, seed=0).description
    'circles (noise 0.08, factor 0.5)'
    """
    from sklearn.datasets import make_circles

    factor = _check_fraction("factor", factor)
    return _sklearn_2d(make_circles, "circles", n_samples, noise, seed, test_fraction,
                       factor=factor)


def sine_1d(
    n_samples: int = 64,
    noise: float = 0.0,
    seed: int | None = 0,
    *,
    low: float = -math.pi,
    high: float = math.pi,
    test_fraction: float = 0.25,
) -> Dataset:
    """Samples of y = sin(x) on [low, high], optionally with Gaussian noise, for regression.

    Args:
      n_samples: number of points (drawn uniformly at random), >= 8.
      noise: standard deviation of the noise added to y, 0 to :data:`MAX_NOISE`.
      seed: seed for the points, the noise and the split (0 to 2**32 − 1, or ``None``).
      low, high: the interval, ``low < high``, both within ±:data:`MAX_RANGE`.
      test_fraction: share held out for testing, in (0, 1).

    Returns:
      A :class:`Dataset` with ``x`` of shape ``(n, 1)`` and real targets ``y``.

    Taught in chapter 03 (quantum regression).

    >>> d = sine_1d(16, seed=0)
    >>> bool(np.allclose(d.y_train, np.sin(d.x_train[:, 0]), atol=1e-6))
    True
    """
    n = _check_n(n_samples)
    noise = check_positive_float("noise", noise, allow_zero=True, maximum=MAX_NOISE)
    seed = _check_seed(seed)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    low, high = _check_interval(low, high)
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, size=(n, 1))
    y = np.sin(x[:, 0]) + noise * rng.standard_normal(n)
    return Dataset(
        *_split(x, y, test_fraction, seed, False),
        description=f"sin(x) on [{low:.3g}, {high:.3g}] (noise {noise:g})",
    )


def _resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Area-weighted averaging matrix (n_out, n_in): output pixel j covers [j, j+1)·n_in/n_out."""
    m = np.zeros((n_out, n_in))
    step = n_in / n_out
    for j in range(n_out):
        lo, hi = j * step, (j + 1) * step
        for i in range(n_in):
            m[j, i] = max(0.0, min(hi, i + 1) - max(lo, i))
        m[j] /= m[j].sum()
    return m


def count_contradictions(x: Any, y: Any) -> int:
    """Count examples whose (binarized) input also occurs with the other label.

    After binarizing 3x3 images many different digits map to the same bit pattern; when the
    same pattern carries both labels no classifier can get all of them right.

    Args:
      x: array ``(n, d)`` of inputs (compared exactly, row by row).
      y: array ``(n,)`` of labels.

    Returns:
      The number of examples that share their input with an example of another label.

    Taught in chapter 03.

    >>> count_contradictions([[0, 1], [0, 1], [1, 1]], [0, 1, 1])
    2
    """
    xa = as_float_array("x", x, ndim=2)
    ya = as_float_array("y", y, ndim=1)
    if len(xa) != len(ya):
        raise ValueError(f"x and y must have the same length, got {len(xa)} and {len(ya)}")
    labels: dict[bytes, set[float]] = {}
    for row, label in zip(xa, ya, strict=True):
        labels.setdefault(row.tobytes(), set()).add(float(label))
    return int(sum(len(labels[row.tobytes()]) > 1 for row in xa))


def digits_3_vs_6(
    size: tuple[int, int] | int = (3, 3),
    seed: int | None = 0,
    *,
    threshold: float = 0.5,
    test_fraction: float = 0.25,
) -> Dataset:
    """Handwritten 3s and 6s (scikit-learn's bundled 8x8 digits) shrunk for one qubit per pixel.

    Each 8x8 image (grey levels 0-16) is divided by 16 and shrunk to ``size`` by area-weighted
    averaging, then flattened, so ``x`` holds pixel intensities in [0, 1]. For a basis
    encoding (a qubit flipped to |1> where the pixel is bright) ``extra["x_train_bits"]`` and
    ``extra["x_test_bits"]`` hold the pixels thresholded at ``threshold`` (0.0/1.0). This is
    the reduced-size version of TFQ's MNIST 3-vs-6 tutorial, with data that ships offline.
    Label 1 is digit 3, label 0 is digit 6.

    Args:
      size: ``(3, 3)``, ``(4, 4)`` (or 3 / 4), the shrunken image size (9 or 16 qubits).
      seed: seed for the split.
      threshold: brightness above which a pixel becomes 1, in (0, 1).
      test_fraction: share held out for testing, in (0, 1).

    Returns:
      A :class:`Dataset` with ``x`` of shape ``(n, rows*cols)`` and the binarized copies in
      ``extra``; ``extra["contradictions_train"]`` counts training examples whose bit pattern
      also occurs with the other label.

    References:
      TensorFlow Quantum tutorial "MNIST classification",
      https://www.tensorflow.org/quantum/tutorials/mnist; Farhi, Neven (2018), "Classification
      with quantum neural networks on near term processors", https://arxiv.org/abs/1802.06002.

    Taught in chapter 03.

    >>> d = digits_3_vs_6(seed=0)
    >>> d.x_train.shape, d.extra["x_train_bits"].shape
    ((273, 9), (273, 9))
    """
    from sklearn.datasets import load_digits

    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size), int(size))
    if not (isinstance(size, (tuple, list)) and tuple(size) in ((3, 3), (4, 4))):
        raise ValueError(f"size must be (3, 3) or (4, 4) (or 3 / 4), got {size!r}")
    rows, cols = (int(s) for s in size)
    seed = _check_seed(seed)
    threshold = _check_fraction("threshold", threshold)
    test_fraction = _check_fraction("test_fraction", test_fraction)
    digits = load_digits()
    keep = np.isin(digits.target, (3, 6))
    images = digits.images[keep] / 16.0
    y = (digits.target[keep] == 3).astype(np.float64)
    r, c = _resample_matrix(8, rows), _resample_matrix(8, cols)
    small = np.einsum("ri,nij,cj->nrc", r, images, c).reshape(len(images), rows * cols)
    x_tr, y_tr, x_te, y_te = _split(small, y, test_fraction, seed, True)
    bits_tr = (x_tr > threshold).astype(np.float32)
    bits_te = (x_te > threshold).astype(np.float32)
    return Dataset(
        x_tr,
        y_tr,
        x_te,
        y_te,
        description=f"digits 3 vs 6 at {rows}x{cols} (label 1 = digit 3)",
        extra={
            "x_train_bits": bits_tr,
            "x_test_bits": bits_te,
            "contradictions_train": np.array(count_contradictions(bits_tr, y_tr)),
        },
    )


# --------------------------------------------------------------------------------------------
# Preprocessing fitted on the training part
# --------------------------------------------------------------------------------------------
def standardize(data: Dataset) -> Dataset:
    """Shift and scale every feature to mean 0, standard deviation 1 on the *training* part.

    The test part is transformed with the training statistics. Constant features are only
    centred.

    Args:
      data: a :class:`Dataset`.

    Returns:
      A new :class:`Dataset` (the input is not modified).

    Taught in chapter 03 (input scaling is what fixes the 30x hybrid model, not clipping).

    >>> s = standardize(moons(40, seed=0))
    >>> bool(np.allclose(s.x_train.mean(axis=0), 0.0, atol=1e-6))
    True
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset, got {type(data).__name__}")
    mean = data.x_train.mean(axis=0, dtype=np.float64)
    std = data.x_train.std(axis=0, dtype=np.float64)
    std = np.where(std > 0, std, 1.0)
    return replace(
        data,
        x_train=((data.x_train - mean) / std).astype(np.float32),
        x_test=((data.x_test - mean) / std).astype(np.float32),
    )


def scale_to_angles(
    data: Dataset | Any,
    low: float = 0.0,
    high: float = math.pi,
    *,
    reference: Any = None,
    clip: bool = False,
) -> Dataset | np.ndarray:
    """Map every feature linearly onto [low, high] (rotation angles), fitted on training data.

    Feature j goes through x ↦ low + (x − minⱼ)·(high − low)/(maxⱼ − minⱼ), where minⱼ and
    maxⱼ come from the training data only. Test points outside the training range land
    slightly outside [low, high] unless ``clip=True``.

    Args:
      data: a :class:`Dataset` (fitted on ``x_train``, applied to both parts) or an array
        ``(n, d)``.
      low, high: target interval, ``low < high``, both within ±:data:`MAX_RANGE`.
      reference: for array input, the data to fit the ranges on (default: ``data`` itself).
      clip: clip the result to [low, high] (``True`` or ``False``).

    Returns:
      A new :class:`Dataset`, or a float32 array for array input.

    Taught in chapter 03.

    >>> scale_to_angles(np.array([[0.0], [5.0], [10.0]])).ravel()
    array([0.       , 1.5707964, 3.1415927], dtype=float32)
    """
    low, high = _check_interval(low, high)
    clip = check_bool("clip", clip)
    if isinstance(data, Dataset):
        fit = data.x_train.astype(np.float64)
    else:
        arr = as_float_array("data", data, ndim=2)
        fit = arr if reference is None else as_float_array("reference", reference, ndim=2)
        if fit.shape[1] != arr.shape[1]:
            raise ValueError(
                f"reference has {fit.shape[1]} features but data has {arr.shape[1]}"
            )
    lo, hi = fit.min(axis=0), fit.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)

    def _map(x: np.ndarray) -> np.ndarray:
        out = low + (x.astype(np.float64) - lo) * (high - low) / span
        if clip:
            out = np.clip(out, low, high)
        return out.astype(np.float32)

    if isinstance(data, Dataset):
        return replace(
            data,
            x_train=_map(data.x_train),
            x_test=_map(data.x_test),
            description=_extend(data.description, f" (angles in [{low:.3g}, {high:.3g}])",
                                f"（角度在 [{low:.3g}, {high:.3g}] 内）"),
        )
    return _map(arr)
