"""The sentence-embedding model of the local grader: WordLlama's static embeddings.

The weights (``l2_supercat`` at 256 dimensions, 16 MB) and the tokenizer ship inside the
pinned ``wordllama`` wheel; nothing is downloaded, ever. Both files are read once per
process, their SHA-256 checked against the digests below before anything is built from
the bytes read (a mismatch raises :class:`ModelChecksumMismatch`), and the model is kept
for the life of the process (a Celery worker pays the ~0.2 s load once).

WordLlama's own ``WordLlama.load`` is not used: version 0.4.0.post1 looks for its
tokenizer in a folder the wheel does not have and would then try the network.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_PACKAGE = "wordllama"
MODEL_VERSION = "0.4.0.post1"
MODEL_NAME = "wordllama l2_supercat 256"
WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
WEIGHTS_SHA256 = "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5"
WEIGHTS_TENSOR = "embedding.weight"
TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
TOKENIZER_SHA256 = "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68"


class EmbeddingModelError(RuntimeError):
    """The embedding model cannot be loaded as pinned."""


class ModelChecksumMismatch(EmbeddingModelError):
    """A model file's bytes are not the ones this code was measured with."""


@dataclass(frozen=True)
class Embedder:
    """Texts to unit vectors (rows of float32); an empty text gives a zero row."""

    name: str
    dim: int
    _model: Any

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.embed(texts, norm=False), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _checked_bytes(path: Path, sha256: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EmbeddingModelError(f"cannot read the embedding model file {path}: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ModelChecksumMismatch(
            f"checksum mismatch for {path}: sha256 {digest}, expected {sha256} "
            f"(reinstall {MODEL_PACKAGE}=={MODEL_VERSION}; the local grader will not run on other weights)"
        )
    return data


def _import_wordllama() -> Any:
    # wordllama calls logging.basicConfig() when imported; the process's logging is not its business.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        import wordllama
    except ImportError as exc:
        raise EmbeddingModelError(f"{MODEL_PACKAGE}=={MODEL_VERSION} is not installed: {exc}") from None
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return wordllama


def load_embedder(
    model_dir: Path | None = None, *, weights_sha256: str = WEIGHTS_SHA256, tokenizer_sha256: str = TOKENIZER_SHA256
) -> Embedder:
    """Loads the model from ``model_dir`` (the installed package by default), checking both files."""
    wordllama = _import_wordllama()
    if model_dir is None:
        version = getattr(wordllama, "__version__", "?")
        if version != MODEL_VERSION:
            raise EmbeddingModelError(f"{MODEL_PACKAGE} {version} is installed; the local grader is pinned to {MODEL_VERSION}")
        model_dir = Path(wordllama.__file__).resolve().parent
    weights = _checked_bytes(model_dir / WEIGHTS_FILE, weights_sha256)
    tokenizer_json = _checked_bytes(model_dir / TOKENIZER_FILE, tokenizer_sha256)
    from safetensors.numpy import load as load_safetensors
    from tokenizers import Tokenizer

    try:
        embedding = load_safetensors(weights)[WEIGHTS_TENSOR]
        tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - whatever the libraries raise on a bad file
        raise EmbeddingModelError(f"cannot build the embedding model from {model_dir}: {exc}") from None
    model = wordllama.WordLlamaInference(embedding, tokenizer, binary=False)
    return Embedder(MODEL_NAME, int(embedding.shape[1]), model)


_lock = threading.Lock()
_embedder: Embedder | None = None


def get_embedder() -> Embedder:
    """The process's model, loaded (and checked) on first use."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = load_embedder()
    return _embedder
