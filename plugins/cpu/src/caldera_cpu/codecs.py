"""DeltaEncoder's message formats (Lava 0.10's): sparse (values, indices), packed 4-bit and DELTA_SPARSE_8,
each with its decoder. Pure functions of arrays, used by the DeltaEncoder models and by whoever reads their
messages.
"""

from __future__ import annotations

import numpy as np


def encode_sparse(s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(values, flat indices) of the non-zero messages; one (0, 0) pair when there are none (Lava's format)."""
    flat = s_out.reshape(-1)
    idx = np.flatnonzero(flat)
    if idx.size == 0:
        return np.array([0]), np.array([0])
    return flat[idx], idx


def encode_packed_4(s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every message as a signed byte, four to a 32-bit word; even words and odd words (Lava's PACKED_4)."""
    n = s_out.size
    padded = np.zeros(int(np.ceil(n / 8) * 8), dtype=np.int64)
    padded[:n] = np.bitwise_and(s_out.reshape(-1).astype(np.int64), 0xFF)
    packed = (padded[3::4] << 24) + (padded[2::4] << 16) + (padded[1::4] << 8) + padded[0::4]
    return packed[0::2].astype(np.int64), packed[1::2].astype(np.int64)


def decode_packed_4(even: np.ndarray, odd: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    words = np.empty(even.size + odd.size, dtype=np.int64)
    words[0::2], words[1::2] = even, odd
    b = np.stack([(words >> (8 * k)) & 0xFF for k in range(4)], axis=1).reshape(-1)
    b = np.where(b > 127, b - 256, b)
    return b[: int(np.prod(shape))].reshape(shape)


_BYTE_MARK = 0xFF  # an index byte of 255 marks a skip of 255 * (its data byte) positions


def _pack_bytes(b: np.ndarray) -> np.ndarray:
    """Bytes four to a 32-bit word, the first in the lowest byte, as int32 (wrapping, as Lava's words)."""
    padded = np.zeros(int(np.ceil(b.size / 4) * 4), dtype=np.int64)
    padded[: b.size] = np.bitwise_and(b, 0xFF)
    words = (padded[3::4] << 24) + (padded[2::4] << 16) + (padded[1::4] << 8) + padded[0::4]
    return words.astype(np.int32)


def _unpack_bytes(words: np.ndarray) -> np.ndarray:
    w = np.asarray(words).astype(np.int64) & 0xFFFFFFFF
    return np.stack([(w >> (8 * k)) & 0xFF for k in range(4)], axis=1).reshape(-1)


def encode_delta_sparse_8(s_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lava's DELTA_SPARSE_8: (data words, index words), each word four 8-bit entries.

    An entry is (index byte, data byte): the first index is absolute, the next ones the gap
    to the previous message minus one; a gap that does not fit a byte is preceded by marker
    entries (index byte 255) whose data byte d skips 255 * d positions. Lava's own encoder
    places a first message at position 255 at 256 and loses the markers of gaps above 65024;
    here a first message at 255 or beyond starts after an empty entry at 0, and the markers
    of any gap are spelled out, so every message decodes to its position.
    """
    flat = s_out.reshape(-1)
    idx = np.flatnonzero(flat).astype(np.int64)
    data = flat[idx].astype(np.int64)
    if idx.size == 0:
        idx, data = np.zeros(1, np.int64), np.zeros(1, np.int64)
    if idx[0] >= _BYTE_MARK:
        idx, data = np.concatenate([[0], idx]), np.concatenate([[0], data])
    steps = idx.copy()
    steps[1:] = idx[1:] - idx[:-1] - 1
    ent_idx, ent_data, start = [], [], 0
    for i in np.flatnonzero(steps >= _BYTE_MARK):
        ent_idx.append(steps[start:i])
        ent_data.append(data[start:i])
        skips = int(steps[i]) // _BYTE_MARK
        full, rest = divmod(skips, _BYTE_MARK)
        marks = [_BYTE_MARK] * full + ([rest] if rest else [])
        ent_idx.append(np.full(len(marks), _BYTE_MARK, np.int64))
        ent_data.append(np.asarray(marks, np.int64))
        ent_idx.append(np.asarray([steps[i] % _BYTE_MARK]))
        ent_data.append(data[i : i + 1])
        start = i + 1
    ent_idx.append(steps[start:])
    ent_data.append(data[start:])
    return _pack_bytes(np.concatenate(ent_data)), _pack_bytes(np.concatenate(ent_idx))


def decode_delta_sparse_8(data_words: np.ndarray, idx_words: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The message vector a DELTA_SPARSE_8 payload carries (data bytes read as signed 8-bit values)."""
    ib, db = _unpack_bytes(idx_words), _unpack_bytes(data_words)
    mark = ib == _BYTE_MARK
    step = np.where(mark, _BYTE_MARK * db, ib + (np.arange(ib.size) > 0))
    pos = np.cumsum(step)
    keep = ~mark & (db != 0)
    out = np.zeros(int(np.prod(shape)), dtype=np.int64)
    out[pos[keep]] = np.where(db[keep] > 127, db[keep] - 256, db[keep])
    return out.reshape(shape)


__all__ = ["encode_sparse", "encode_packed_4", "decode_packed_4", "encode_delta_sparse_8", "decode_delta_sparse_8"]
