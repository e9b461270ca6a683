"""Built-in local models that run offline on a CPU: no GPU, no network, no torch.

``minilm`` is a numpy port of sentence-transformers/all-MiniLM-L6-v2 (embeddings);
``extractive`` is a grounded, deterministic chat model that quotes its context. The
``lakeai`` gateway provider (``providers/lakeai_builtin.py``) serves both. Nothing here is
imported by ``import lakeai``: numpy, safetensors and tokenizers load on first use.
"""
