"""Command line: ``python -m ingestion generate|load|quality-report ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion import settings


def _generate(args: argparse.Namespace) -> int:
    from ingestion.generator import generate

    summary = generate(
        customers=args.customers,
        seed=args.seed,
        landing_dir=Path(args.landing_dir) if args.landing_dir else settings.landing_dir(),
        truth_dir=Path(args.truth_dir) if args.truth_dir else settings.ground_truth_dir(),
        days=args.days,
    )
    for name, count in summary.items():
        print(f"{name:<28} {count:>12,}")
    return 0


def _load(args: argparse.Namespace) -> int:
    from ingestion.load import load_all

    lake = None
    if args.destination == "lake":
        lake = Path(args.lake_dir) if args.lake_dir else settings.lake_dir()
    ok = load_all(
        landing_dir=Path(args.landing_dir) if args.landing_dir else settings.landing_dir(),
        warehouse=Path(args.warehouse) if args.warehouse else settings.warehouse_path(),
        only=args.source,
        lake=lake,
    )
    return 0 if ok else 1


def _map_retail(args: argparse.Namespace) -> int:
    from ingestion.mappings import online_retail

    source = Path(args.input) if args.input else online_retail.DEFAULT_INPUT
    landing = Path(args.landing_dir) if args.landing_dir else settings.landing_dir()
    target = landing / "order_lines" / "online_retail.csv"
    count = online_retail.convert(source, target)
    print(f"wrote {count:,} order lines to {target}")
    return 0


def _evaluate_identity(args: argparse.Namespace) -> int:
    from ingestion import evaluation

    if args.dataset:
        work = Path(args.work_dir) / args.dataset
        scores = [evaluation.evaluate_dataset(args.dataset, work)]
        print(f"{args.dataset}:")
    else:
        warehouse = Path(args.warehouse) if args.warehouse else settings.warehouse_path()
        truth = Path(args.truth) if args.truth else settings.ground_truth_dir() / "records.csv"
        scores = evaluation.evaluate(warehouse, truth)
        print(f"{warehouse} against {truth}:")
    for score in scores:
        print(score.describe())
    return 0


def _quality_report(args: argparse.Namespace) -> int:
    from ingestion.report import write_report

    warehouse = Path(args.warehouse) if args.warehouse else settings.warehouse_path()
    out = Path(args.out) if args.out else settings.PROJECT_ROOT / "target" / "quality_report.html"
    summary = write_report(warehouse, out)
    for message in summary.messages:
        print(f"note: {message}")
    counts = ", ".join(f"{n} {s}" for s, n in summary.statuses.items())
    print(f"quality report: {out} ({summary.checks} checks{': ' + counts if counts else ''})")
    return 1 if not warehouse.exists() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write deterministic sample landing files")
    gen.add_argument("--customers", type=int, default=5000)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--days", type=int, default=90, help="length of the simulated history")
    gen.add_argument("--landing-dir", default=None, help="default: $LANDING_DIR or data/landing")
    gen.add_argument("--truth-dir", default=None, help="default: $GROUND_TRUTH_DIR")
    gen.set_defaults(func=_generate)

    load = sub.add_parser("load", help="load landing files into the warehouse with dlt")
    load.add_argument("--source", action="append", default=None, help="load only this source")
    load.add_argument("--landing-dir", default=None)
    load.add_argument("--warehouse", default=None, help="default: $WAREHOUSE_PATH")
    load.add_argument(
        "--destination",
        choices=["warehouse", "lake"],
        default="warehouse",
        help="warehouse: the DuckDB file (default); lake: Parquet files for the spark target",
    )
    load.add_argument("--lake-dir", default=None, help="default: $LAKE_DIR or data/lake")
    load.set_defaults(func=_load)

    retail = sub.add_parser(
        "map-retail",
        help="convert the UCI Online Retail file into the order-lines CSV import",
    )
    retail.add_argument("--input", default=None, help="default: ../shared/data/retail/...")
    retail.add_argument("--landing-dir", default=None)
    retail.set_defaults(func=_map_retail)

    evaluate = sub.add_parser(
        "evaluate-identity",
        help="pairwise precision/recall/F1 of customer_source_records against a ground truth",
    )
    evaluate.add_argument("--warehouse", default=None, help="default: $WAREHOUSE_PATH")
    evaluate.add_argument("--truth", default=None, help="default: $GROUND_TRUTH_DIR/records.csv")
    evaluate.add_argument(
        "--dataset",
        choices=["febrl1", "fake_1000"],
        default=None,
        help="load a labelled dataset from ../shared/data/identity via the CRM import, "
        "build it in its own warehouse under --work-dir, and score it",
    )
    evaluate.add_argument("--work-dir", default="data/evaluation")
    evaluate.set_defaults(func=_evaluate_identity)

    report = sub.add_parser(
        "quality-report",
        help="write the data quality report (self-contained HTML) from marts.data_quality_checks",
    )
    report.add_argument("--warehouse", default=None, help="default: $WAREHOUSE_PATH")
    report.add_argument("--out", default=None, help="default: target/quality_report.html")
    report.set_defaults(func=_quality_report)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
