"""Regenerate minilm_reference.json with sentence-transformers (needs torch; run by hand).

.venv/bin/python tests/gateway/data/make_minilm_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

SENTENCES = [
    "Can I return my order after 40 days?",
    "Items can be returned within 30 days of delivery for a full refund.",
    "Hello!",
    "",
    "Où est ma commande ? Ich möchte meine Bestellung zurückgeben. 注文を返品したい 🎉",
    "The quick brown fox jumps over the lazy dog.",
    "ERROR 500: payment gateway timeout (txn_id=8f3a-22c1) — please retry later",
    "   leading and trailing spaces   ",
    " ".join(f"Sentence number {i} about shipping, refunds and invoices." for i in range(60)),
    "Delta tables keep a transaction log; vector indexes sync from the change data feed.",
]


def main() -> None:
    from sentence_transformers import SentenceTransformer

    from lakeai.gateway.local.minilm import model_dir

    model = SentenceTransformer(str(model_dir()), device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True)
    data = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "sentences": SENTENCES,
        "embeddings": [[round(float(x), 6) for x in v] for v in vectors],
    }
    path = Path(__file__).with_name("minilm_reference.json")
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
