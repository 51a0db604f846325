"""sentence-transformers reference for test/bench/encoder-gpu.ts, on the same model folder and texts (run after it).

Usage: python3 test/bench/st_reference.py MODEL_DIR OUT_DIR
  MODEL_DIR  the folder encoder-gpu.ts wrote with --model-dir (sentence-transformers layout, full weights)
  OUT_DIR    its --out folder: reads texts.json, vectors.json, e2e-vectors.json; writes st.json

Measures SparseEncoder.encode_document (fp16, model.half(), batch 32) on all texts after a warm-up, and compares the
Node encoder's vectors for texts 0..7 with sentence-transformers' float32 vectors (and PyTorch's own fp16 error).
"""
import json
import os
import sys
import time

import torch
import sentence_transformers
import transformers
from sentence_transformers import SparseEncoder

model_dir, out = sys.argv[1], sys.argv[2]
texts = json.load(open(os.path.join(out, "texts.json")))
result = {"benchmark": "st_reference", "versions": {"torch": torch.__version__, "sentence_transformers": sentence_transformers.__version__,
          "transformers": transformers.__version__}, "gpu": torch.cuda.get_device_name(0), "texts": len(texts)}


def save():
    json.dump(result, open(os.path.join(out, "st.json"), "w"), indent=1)


def log(message):
    print(f"[st_reference] {message}", file=sys.stderr, flush=True)


def dense_rows(path, key, width):
    """Vectors the Node encoder wrote ({indices, values} per text) as a dense [n, width] float32 tensor."""
    try:
        rows = json.load(open(os.path.join(out, path)))[key]
    except (OSError, KeyError):
        return None
    dense = torch.zeros(len(rows), width)
    for i, row in enumerate(rows):
        dense[i, torch.tensor(row["indices"], dtype=torch.long)] = torch.tensor(row["values"])
    return dense


def as_dense(tensor):
    return (tensor.to_dense() if tensor.is_sparse else tensor).float().cpu()


def compare(ours, reference):
    """Max abs error, max error relative to each reference vector's largest weight, top-10 agreement."""
    error = (ours - reference).abs()
    largest = reference.max(dim=1).values.clamp_min(1e-30)
    top_ours = ours.topk(10, dim=1).indices
    top_ref = reference.topk(10, dim=1).indices
    exact = sum(int(torch.equal(a, b)) for a, b in zip(top_ours, top_ref))
    overlap = sum(len(set(a.tolist()) & set(b.tolist())) / 10 for a, b in zip(top_ours, top_ref)) / len(top_ref)
    sims_ours, sims_ref = ours @ ours.T, reference @ reference.T
    return {"vectors": len(reference), "maxAbs": error.max().item(), "maxRelativeToLargestWeight": (error.max(dim=1).values / largest).max().item(),
            "meanAbsOverActive": (error.sum() / ((ours > 0) | (reference > 0)).sum()).item(), "top10Exact": exact, "top10MeanOverlap": overlap,
            "maxSimilarityRelativeError": ((sims_ours - sims_ref).abs() / sims_ref.abs()).max().item()}


torch.backends.cuda.matmul.allow_tf32 = False  # a float32 reference, not TF32
t0 = time.perf_counter()
model = SparseEncoder(model_dir, device="cuda")
result["loadSeconds"] = time.perf_counter() - t0
log(f"loaded in {result['loadSeconds']:.1f} s: {model}")

# float32 reference vectors for texts 0..7, compared with what the Node encoder wrote
with torch.inference_mode():
    reference = as_dense(model.encode_document(texts[:8], batch_size=8, convert_to_tensor=True))
width = reference.shape[1]
parity = {}
for path, key, name in [("vectors.json", "cpuFp32", "node CPU fp32 graph"), ("vectors.json", "fp16-attention", "node WebGPU fp16-attention graph"),
                        ("vectors.json", "fp32-attention", "node WebGPU fp32-attention graph"), ("vectors.json", "fp16-plain", "node WebGPU fp16-plain graph"),
                        ("vectors.json", "fp16-attention-fp32-head", "node WebGPU fp16-attention-fp32-head graph"),
                        ("e2e-vectors.json", "vectors", "node SparseEncoder on WebGPU (e2e)")]:
    ours = dense_rows(path, key, width)
    if ours is not None:
        parity[name] = compare(ours, reference)
result["parityVsStFp32"] = parity
save()

model.half()
with torch.inference_mode():
    parity["sentence-transformers fp16 (PyTorch's own fp16 error)"] = compare(
        as_dense(model.encode_document(texts[:8], batch_size=8, convert_to_tensor=True)), reference)
    save()
    model.encode_document(texts[:256], batch_size=32)  # warm-up
    runs = []
    for _ in range(2):
        torch.cuda.synchronize()
        t = time.perf_counter()
        model.encode_document(texts, batch_size=32)
        torch.cuda.synchronize()
        runs.append(time.perf_counter() - t)
        log(f"encode_document fp16: {len(texts) / runs[-1]:.1f} texts/s")
result["encodeDocumentFp16"] = {"batchSize": 32, "seconds": runs, "textsPerSecond": len(texts) / min(runs)}
save()
print(json.dumps(result))
