"""Lava's ``lava.utils.dataloader.mnist``: the MNIST digits as NumPy arrays.

``MnistDataset(data_path)`` loads ``data_path`` (Lava's ``mnist.npy`` layout: ``[[train images, train
labels], [test images, test labels]]`` as an object array); when the file does not exist it downloads the
four IDX files from the same mirrors as Lava (the first that answers), converts them and saves that file
first, as Lava does (by default next to this module). Images come as ``uint8`` rows of 784 pixels.
"""

from __future__ import annotations

import gzip
import os
import typing as ty

import numpy as np

from lava._compat import missing

_HERE = os.path.dirname(__file__)


class MnistDataset:
    """The MNIST training (60,000) and test (10,000) digits."""

    mirrors = [
        "http://yann.lecun.com/exdb/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ]
    files = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]

    def __init__(self, data_path: str = os.path.join(_HERE, "mnist.npy")) -> None:
        if not os.path.exists(data_path):
            temp = os.path.join(os.path.dirname(os.path.abspath(data_path)), "temp")
            os.makedirs(temp, exist_ok=True)
            MnistDataset.download_mnist(path=temp)
            MnistDataset.decompress_convert_save(download_path=temp, save_path=data_path)
        self.data = np.load(data_path, allow_pickle=True)

    @staticmethod
    def download_mnist(path: str = os.path.join(_HERE, "temp")) -> None:
        """Download the four IDX files into ``path``, each from the first mirror that answers."""
        import urllib.error
        import urllib.request

        for name in MnistDataset.files:
            errors: list[str] = []
            for mirror in MnistDataset.mirrors:
                url = f"{mirror}{name}"
                try:
                    with urllib.request.urlopen(url) as res:  # noqa: S310 - the fixed https/http mirrors above
                        payload = res.read()
                except urllib.error.URLError as e:
                    errors.append(f"{url}: {e}")
                    continue
                with open(os.path.join(path, name), "wb") as f:
                    f.write(payload)
                break
            else:
                raise OSError(f"MnistDataset: could not download {name} from any mirror: " + "; ".join(errors))

    @staticmethod
    def decompress_convert_save(download_path: str = os.path.join(_HERE, "temp"), save_path: str = _HERE) -> None:
        """Read the four gzip'd IDX files of ``download_path`` and save them in Lava's ``mnist.npy`` layout."""
        arrays: list[np.ndarray] = []
        for name in MnistDataset.files:
            with gzip.open(os.path.join(download_path, name), "rb") as f:
                raw = f.read()
            if "images" in name:  # 16-byte header, then 28 x 28 unsigned bytes per image
                arrays.append(np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28))
            else:  # 8-byte header, then one byte per label
                arrays.append(np.frombuffer(raw, np.uint8, offset=8))
        data = np.empty((2, 2), dtype=object)
        data[0, 0], data[0, 1], data[1, 0], data[1, 1] = arrays
        np.save(save_path, data)

    @property
    def train_images(self) -> np.ndarray:
        return self.data[0][0].reshape((-1, 784))

    @property
    def test_images(self) -> np.ndarray:
        return self.data[1][0].reshape((-1, 784))

    @property
    def images(self) -> np.ndarray:
        return np.vstack((self.train_images, self.test_images))

    @property
    def train_labels(self) -> ty.Any:
        return self.data[0][1]

    @property
    def test_labels(self) -> ty.Any:
        return self.data[1][1]

    @property
    def labels(self) -> np.ndarray:
        return np.hstack((self.train_labels, self.test_labels))


__all__ = ["MnistDataset"]
__getattr__ = missing(__name__)
