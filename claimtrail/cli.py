"""The ``claimtrail`` command line: thin wrappers over the engine."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .export import export_data, to_csv, to_json
from .findings import Finding, format_github, format_json, format_text, has_errors, summary
from .project import check_project

FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


def _today(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="the project folder (the one holding claims/); default: the current directory",
    )
    parser.add_argument("--today", type=_today, default=None, help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="claimtrail", description="Check, export and publish a claims dataset.")
    parser.add_argument("--version", action="version", version=f"claimtrail {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="validate every file under claims/ and report findings")
    _common(check)
    check.add_argument(
        "--format",
        choices=sorted(FORMATTERS),
        default="text",
        help="text (path:line:col: …), json, or github (Actions annotations)",
    )

    export = commands.add_parser("export", help="write the validated dataset to standard output")
    _common(export)
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--output", "-o", type=Path, default=None, help="write to this file instead")
    build = commands.add_parser("build", help="check the dataset, then build the site with mkdocs build --strict")
    _common(build)
    build.add_argument("--site-dir", type=Path, default=None, help="where to write the site (default: ROOT/site)")
    build.add_argument("--config-file", type=Path, default=None, help="the MkDocs configuration (default: mkdocs.yml)")
    return parser


def _report(findings: Sequence[Finding], fmt: str) -> None:
    if findings or fmt == "json":
        print(FORMATTERS[fmt](findings))
    print(f"claimtrail: {summary(findings)}", file=sys.stderr)


def _no_project(root: Path) -> int:
    print(f"claimtrail: no claims/ folder in {root}", file=sys.stderr)
    print("hint: run the command in the project folder, or pass --root DIR", file=sys.stderr)
    return 2


def cmd_check(args: argparse.Namespace) -> int:
    if not (args.root / "claims").is_dir():
        return _no_project(args.root)
    _, findings = check_project(args.root, args.today)
    _report(findings, args.format)
    return 1 if has_errors(findings) else 0


def cmd_export(args: argparse.Namespace) -> int:
    if not (args.root / "claims").is_dir():
        return _no_project(args.root)
    dataset, findings = check_project(args.root, args.today)
    if has_errors(findings):
        print(format_text(findings), file=sys.stderr)
        print(f"claimtrail: not exported: {summary(findings)}", file=sys.stderr)
        return 1
    data = export_data(dataset)
    text = to_json(data) if args.format == "json" else to_csv(data)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        _write_atomically(args.output, text)
    except OSError as exc:
        print(f"claimtrail: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        print("hint: check that the folder exists and is writable", file=sys.stderr)
        return 1
    return 0


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def cmd_build(args: argparse.Namespace) -> int:
    if not (args.root / "claims").is_dir():
        return _no_project(args.root)
    from .site.build import BuildError, build_site  # the site needs MkDocs; check and export do not

    dataset, findings = check_project(args.root, args.today)
    _report(findings, "text")
    if has_errors(findings):
        print("claimtrail: not built; the previous site is untouched", file=sys.stderr)
        return 1
    site_dir = args.site_dir or args.root / "site"
    try:
        build_site(args.root.resolve(), site_dir, dataset, config_file=args.config_file)
    except BuildError as exc:
        print(f"claimtrail: {exc}", file=sys.stderr)
        return 1
    print(f"claimtrail: built {site_dir}", file=sys.stderr)
    return 0


COMMANDS = {"check": cmd_check, "export": cmd_export, "build": cmd_build}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)
