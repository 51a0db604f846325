"""sentence-transformers' own SparseNanoBEIREvaluator on the fixture datasets, for test/fixtures/eval-st-reference.json.

Usage (from the project root, on a machine with sentence-transformers, torch and peft):
    python3 test/bench/st_eval_reference.py OUT_JSON

Builds two datasets from test/fixtures/splade-tiny/expected.json, exactly as test/integration/eval-end-to-end.test.ts
writes them as BEIR folders: NanoSciFact (the 12 fixture texts as d0..d11, the empty one dropped as the NanoBEIR
loader drops empty texts; the 4 queries plus one without qrels; graded qrels including a 0 and an id absent from
the corpus) and NanoNFCorpus (the same without d11 and without q2's qrels). Runs SparseInformationRetrievalEvaluator
on each and SparseNanoBEIREvaluator on both (its Hub loader replaced by these datasets), CPU, float32, and writes
the metric dicts. The 2026-12-04 run (sentence-transformers 6.0.1, on the GPU machine's CPU) sent this file's logic
compressed inline, since that machine receives only the main checkout.
"""
import json
import os
import sys

import sentence_transformers
from sentence_transformers import SparseEncoder
from sentence_transformers.sparse_encoder.evaluation import SparseInformationRetrievalEvaluator, SparseNanoBEIREvaluator

FIXTURE = "test/fixtures/splade-tiny/"
out_path = os.path.abspath(sys.argv[1])
expected = json.load(open(FIXTURE + "expected.json"))
QRELS = [("q0", "d1"), ("q0", "d0"), ("q0", "d5"), ("q1", "d2"), ("q1", "d-not-in-corpus"), ("q2", "d7"), ("q3", "d3"), ("q3", "d11"), ("q3", "d4")]


def dataset(left_out):
    corpus = {f"d{i}": t for i, t in enumerate(expected["texts"]) if len(t) > 0 and f"d{i}" not in left_out}
    queries = {f"q{i}": t for i, t in enumerate(expected["queries"])}
    queries["q-unjudged"] = "a query without qrels"
    qrels = {}
    for q, d in QRELS:
        if q not in left_out:
            qrels.setdefault(q, set()).add(d)
    return corpus, queries, qrels


DATASETS = {"SciFact": dataset(()), "NFCorpus": dataset(("d11", "q2"))}
os.chdir(FIXTURE + "splade-peft")  # the adapter names its base model relative to its own folder
model = SparseEncoder(os.getcwd(), device="cpu")
result = {"version": sentence_transformers.__version__}
for name, (corpus, queries, qrels) in DATASETS.items():
    evaluator = SparseInformationRetrievalEvaluator(queries=queries, corpus=corpus, relevant_docs=qrels, name="Nano" + name, write_csv=False)
    result["Nano" + name] = {k: float(v) for k, v in evaluator(model).items()}


def load_local(self, subset, split, required_columns):
    corpus, queries, qrels = DATASETS[split[len("Nano"):]]

    class Rows(list):
        column_names = required_columns

    if subset == "corpus":
        return Rows({"_id": k, "text": v} for k, v in corpus.items())
    if subset == "queries":
        return Rows({"_id": k, "text": v} for k, v in queries.items())
    return Rows({"query-id": q, "corpus-id": d} for q, ds in qrels.items() for d in sorted(ds))


SparseNanoBEIREvaluator._load_dataset_subset_split = load_local
result["nano"] = {k: float(v) for k, v in SparseNanoBEIREvaluator(dataset_names=["scifact", "nfcorpus"], write_csv=False)(model).items()}
json.dump(result, open(out_path, "w"), indent=1)
