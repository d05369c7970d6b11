"""What signing and verifying an executed agreement cost, as ratios to rendering it.

    .venv/bin/python benchmarks/signing_cost.py [--repeat N]

For the fictional executed agreement (the tests' sample grant) in English and in French, in
one run: rendering its PDF (WeasyPrint), certifying it with the Fund's key (pyHanko, PAdES
B-B, the visible signature box), and validating it against the Fund's certificate (pyHanko,
difference analysis included). Medians of ``--repeat`` runs each, after one warm-up; the
signing and validation times are printed as ratios to rendering that same PDF. Uses a
development key in a throwaway data directory. A report, never a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(language: str, repeat: int) -> dict[str, list[float]]:
    from documents import build_document, render_document
    from documents.signing import certify_as_fund, fund_key, verify_pdf
    from tests.support.document_samples import sample_context

    content = build_document(sample_context("executed_agreement", language))
    key = fund_key()
    samples: dict[str, list[float]] = {"render": [], "sign": [], "verify": []}
    for run in range(repeat + 1):  # the first run warms fonts and caches; not counted
        started = time.perf_counter()
        rendered = render_document(content, "pdf")
        rendered_at = time.perf_counter()
        signed = certify_as_fund(rendered, key, language)
        signed_at = time.perf_counter()
        verification = verify_pdf(signed, key.certificate)
        verified_at = time.perf_counter()
        assert verification.trusted
        if run:
            samples["render"].append(rendered_at - started)
            samples["sign"].append(signed_at - rendered_at)
            samples["verify"].append(verified_at - signed_at)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grantflow-signing-bench-") as scratch:
        os.environ["GRANTFLOW_DATA_DIR"] = scratch
        for name in ("GRANTFLOW_FUND_PKCS12", "GRANTFLOW_FUND_PKCS12_PASSPHRASE"):
            os.environ.pop(name, None)
        print(f"executed agreement, medians of {arguments.repeat} runs (after one warm-up)")
        for language in ("en", "fr"):
            samples = measure(language, arguments.repeat)
            render, sign, verify = (_median_ms(samples[k]) for k in ("render", "sign", "verify"))
            print(
                f"  {language}: render {render:7.1f} ms   sign {sign:7.1f} ms "
                f"({sign / render:4.2f} x render)   verify {verify:7.1f} ms "
                f"({verify / render:4.2f} x render)"
            )


if __name__ == "__main__":
    main()
