#!/usr/bin/env python3
"""The language server's speed and memory over a real stdio session: a markdown table.

    python bench/lsp.py                   # default specs: ../shared/corpus/orq-python-4.13.19/docs
    python bench/lsp.py --specs DIR --runs 20 --cache

A temp folder (under /tmp) holds a pyproject.toml naming SPECS; `md2models
lsp` is started there, as an editor would, and driven by the tests' client
(tests/lspclient.py).  With `--cache`, `md2models generate` first writes the
build cache the server reads (untimed).  Figures, each beside its budget and
a peer measured in the same run:

- first diagnostics: from the `initialize` request to the diagnostics of a
  doc opened right after it (peer: `md2models lint` of the same SPECS);
- one-doc edit: from a `didChange` that breaks (or mends) a reference to
  the diagnostics of that doc (debounce included);
- definition, hover, completion: one request's round trip;
- peak RSS of the server process (VmHWM); the floor of each request is a
  round trip the server answers without looking at a doc.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.lspclient import LspClient  # noqa: E402

CORPUS = Path(os.environ.get("MD2MODELS_CORPUS", REPO.parent / "shared" / "corpus"))
DEFAULT_SPECS = CORPUS / "orq-python-4.13.19" / "docs"
DOC = "models/createchatcompletionrequestbody.md"  # a doc of many referencing rows


def timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().split("\n"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specs", type=Path, default=DEFAULT_SPECS)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cache", action="store_true", help="generate first, so that the server reads the build cache")
    parser.add_argument("--doc", default=DOC, help="the spec-root-relative doc to open and edit")
    args = parser.parse_args()
    specs = args.specs.resolve()
    python = [sys.executable, "-m", "generator.cli"]
    env = {"PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory(prefix="md2models-lsp-bench-") as folder:
        work = Path(folder)
        (work / "pyproject.toml").write_text(f'[tool.md2models]\nspecs = "{specs}"\nout = "out"\n')
        if args.cache:
            subprocess.run([*python, "generate"], cwd=work, check=True, capture_output=True,
                           env={**os.environ, **env})
        lint = timed(lambda: subprocess.run([*python, "lint"], cwd=work, capture_output=True,
                                            env={**os.environ, **env}))
        client = LspClient(work)
        try:
            doc = specs / args.doc
            text = doc.read_text(encoding="utf-8")
            lines = text.split("\n")
            row = next(n for n, line in enumerate(lines) if "](" in line and line.startswith("|"))
            reference = lines[row].index("](") - 3

            def first() -> None:
                client.initialize(work)
                client.diagnostics(client.open(doc))

            start_up = timed(first)
            uri = doc.as_uri()
            broken = text.replace("](", "X](", 1)
            edits = []
            for run in range(args.runs):
                client.settle(0.3)
                edits.append(timed(lambda: (client.change(uri, broken if run % 2 == 0 else text, run + 2),
                                            client.diagnostics(uri))))
            client.change(uri, text, args.runs + 2)
            client.settle(0.3)

            def request(method: str, line: int, character: int) -> float:
                return statistics.median(timed(lambda: client.at(method, uri, line, character))
                                         for _ in range(args.runs))

            floor = statistics.median(timed(lambda: client.at("textDocument/hover", "untitled:x", 0, 0))
                                      for _ in range(args.runs))
            definition = request("textDocument/definition", row, reference)
            hover = request("textDocument/hover", row, 2)
            type_cell = lines[row].index("[")
            completion = request("textDocument/completion", row, type_cell + 8)
            rss = peak_rss_mib(client.proc.pid)
            status = client.stop()
        finally:
            client.close()
    docs = sum(1 for _ in (specs / "models").rglob("*.md")) if (specs / "models").is_dir() else 0
    rows = [
        ("first diagnostics after initialize", start_up, 5.0, f"`md2models lint`: {lint:.2f} s"),
        (f"one-doc edit (median of {args.runs})", statistics.median(edits), 0.3, f"max {max(edits):.3f} s"),
        ("definition", definition, 0.1, f"floor {floor * 1000:.1f} ms"),
        ("hover", hover, 0.1, f"floor {floor * 1000:.1f} ms"),
        ("completion", completion, 0.1, f"floor {floor * 1000:.1f} ms"),
    ]
    print(f"md2models lsp on {specs} ({docs} docs{', build cache' if args.cache else ''}); exit status {status}\n")
    print("| figure | measured | budget | peer / floor | verdict |")
    print("|---|---|---|---|---|")
    for name, value, budget, peer in rows:
        shown = f"{value:.2f} s" if budget >= 1 else f"{value * 1000:.1f} ms"
        limit = f"{budget:.0f} s" if budget >= 1 else f"{budget * 1000:.0f} ms"
        print(f"| {name} | {shown} | {limit} | {peer} | {'ok' if value <= budget else 'OVER'} |")
    print(f"| peak RSS (server) | {rss:.0f} MiB | 600 MiB | | {'ok' if rss <= 600 else 'OVER'} |")


if __name__ == "__main__":
    main()
