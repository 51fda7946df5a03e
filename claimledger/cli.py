"""The ``claimledger`` command line: thin wrappers over the core and the site engines."""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .checks.accepted import ACCEPTED_FILE
from .checks.accepted import apply as accept_known
from .checks.project import check_project, latest_today
from .checks.siteconfig import DocsPolicy
from .checks.sitepolicy import check_site
from .engines import DEFAULT_ENGINE, ENGINES, EngineUnavailable, Project
from .exports.formats import FORMATS as EXPORT_FORMATS
from .exports.formats import export_data, whole
from .findings import Finding, Severity, format_github, format_json, format_text, has_errors, printable, summary
from .record.loader import load
from .record.model import Dataset
from .record.ownwords import own_bases
from .record.paths import write_whole
from .record.placeholders import PLACEHOLDER
from .settings import Settings, from_environment
from .site.build import BuildError, StagedBuild
from .tools import scaffold, skeleton
from .tools.scaffold import FIELDS, KINDS

if TYPE_CHECKING:
    from .checks.links import LinkSettings
    from .tools.snapshot import Archive

FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}


def _today(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class _KeepHyphens(argparse.HelpFormatter):
    """Help that never breaks a value such as ``press-conference`` at its hyphen."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def _common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="the project folder (the one holding claims/); default: the current directory",
    )
    parser.add_argument("--today", type=_today, help=argparse.SUPPRESS)
    return parser


def build_parser(root: Path | None = None) -> argparse.ArgumentParser:
    """The command line; ``root`` is the project whose status scale `new claim --help` lists."""
    parser = argparse.ArgumentParser(prog="claimledger", description="Check, export and publish a claims dataset.")
    parser.add_argument("--version", action="version", version=f"claimledger {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = commands.add_parser("init", help="start a new claims site in a new folder")
    init.add_argument("folder", nargs="?", type=Path, default=Path(), help="where (default: the current directory)")
    init.add_argument("--title", help="the site's title (default: the folder's name)")
    init.add_argument(
        "--publisher",
        metavar="NAME",
        help="the organisation that publishes the site, written to claims/publisher.yaml (default: the title)",
    )
    init.add_argument(
        "--force", action="store_true", help="write into a folder that is not empty; no existing file is replaced"
    )

    check = _common(commands.add_parser("check", help="validate every file under claims/ and report findings"))
    check.add_argument(
        "--format",
        choices=sorted(FORMATTERS),
        default="text",
        help="text (path:line:col: …), json, or github (Actions annotations)",
    )
    check.add_argument(
        "--changed",
        nargs="?",
        const="",
        metavar="REF",
        help="report only files changed since REF (default: origin/main, else main), uncommitted and untracked "
        "ones included; references still resolve against the whole dataset",
    )
    check.add_argument(
        "--staged",
        action="store_true",
        help="with --changed: only what is staged for the next commit counts as changed (the index compared "
        "with the merge base; untracked files and their findings left out), as the pre-commit hook runs it; "
        "with no origin/main or main, compared with the last commit; before the first commit, every file is checked",
    )

    export = _common(commands.add_parser("export", help="write the validated dataset to standard output"))
    export.add_argument("--format", choices=list(EXPORT_FORMATS), default="json")
    export.add_argument(
        "--output",
        "-o",
        type=Path,
        help="write to this file instead (the sqlite format needs one: its metadata.json goes beside it)",
    )
    new = commands.add_parser(
        "new",
        help="write a new claim, source, party or metric file to start from",
        description="Write a new file to start from; `claimledger new KIND --help` lists that kind's fields.",
    )
    kinds = new.add_subparsers(dest="what", required=True, metavar="{" + ",".join(KINDS) + "}")
    for kind in KINDS:
        own = kinds.add_parser(
            kind, help=f"write a new {kind} file", description=f"Write a new {kind} file.", formatter_class=_KeepHyphens
        )
        own.add_argument("id", help="the new id, which is also the file name")
        _common(own)
        if kind == "source":
            own.add_argument(
                "--snapshot",
                type=Path,
                metavar="FILE",
                help="save FILE as the source's text (as `claimledger snapshot` does) and base its date, author "
                "and publisher on the source itself (`self`) where the text states them",
            )
        for spec in FIELDS[kind]:
            choices = scaffold.allowed(kind, spec.name, root)
            listed = f"; one of: {', '.join(choices)}" if choices else ""
            shown = f" (default: {spec.default})" if spec.default and not spec.default.startswith(PLACEHOLDER) else ""
            own.add_argument(
                _flag(spec.name),
                dest=spec.name,
                metavar=spec.name.upper(),
                help=f"{spec.prompt}{shown}{listed}".replace("%", "%%"),
            )
        for name in _foreign_fields(kind):
            own.add_argument(_flag(name), dest=name, help=argparse.SUPPRESS)

    fmt = _common(
        commands.add_parser("fmt", help="rewrite claim, source and party files in the canonical style (comments kept)")
    )
    fmt.add_argument("--check", action="store_true", help="change nothing; list the files fmt would change")
    fmt.add_argument("files", nargs="*", type=Path, help="files or folders (default: every claim, source and party)")

    review = commands.add_parser(
        "review", help="sign off a claim's verdict as an editor: records who, when, and the fingerprint of what it says"
    )
    review.add_argument("claim", metavar="CLAIM-ID", help="the claim reviewed (its file name, without .yaml)")
    _common(review).add_argument(
        "--by",
        action="append",
        required=True,
        metavar="EDITOR",
        help="the id of an editor on claims/publisher.yaml's list; repeat for each editor who reviewed it",
    )
    review.add_argument("--date", type=_today, help="the day of the review, YYYY-MM-DD (default: today)")

    snapshot = commands.add_parser(
        "snapshot", help="save a copy of a source's text under claims/snapshots/ and record its SHA-256 on the source"
    )
    snapshot.add_argument("source", metavar="SOURCE-ID", help="the source (its file name, without .yaml)")
    snapshot.add_argument("file", metavar="FILE", type=Path, nargs="?", help="the source's text, saved as UTF-8 text")
    snapshot.add_argument(
        "--url", help="instead of FILE: fetch the text from this http(s) address, with the link check's rules"
    )
    snapshot.add_argument(
        "--timeout", type=float, default=10.0, help="with --url: seconds the request may take in all (default 10)"
    )
    snapshot.add_argument(
        "--archive",
        action="store_true",
        help="also ask the Wayback Machine's Save Page Now for a copy of the page (--url, else the source's url) "
        "and record archive_url, archive_date and accessed; alone, without FILE or --url, only that",
    )
    snapshot.add_argument("--allow-private-hosts", action="store_true", help=argparse.SUPPRESS)
    snapshot.add_argument("--save-page-now", help=argparse.SUPPRESS)  # a stand-in, for tests
    _common(snapshot).add_argument(
        "--retrieved",
        type=_today,
        metavar="DATE",
        help="the day the text was taken from the source, YYYY-MM-DD (default: today)",
    )
    snapshot.add_argument(
        "--force", action="store_true", help="replace a snapshot already saved with other text (a new copy)"
    )

    links = commands.add_parser(
        "links", help="list the external addresses the dataset depends on; --online checks that they still answer"
    )
    _common(links).add_argument("--online", action="store_true", help="request each address (never done by default)")
    links.add_argument("--format", choices=sorted(FORMATTERS), default="text")
    links.add_argument(
        "--cache",
        type=Path,
        help="results file reused for --max-age, saved after each result; never a symbolic link or a file git "
        "tracks (default: ROOT/.claimledger-links.json)",
    )
    links.add_argument("--max-age", type=float, default=7.0, help="days a cached result stays valid (default 7)")
    links.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds a request may take in all, from connecting to the last header, redirects included (default 10)",
    )
    links.add_argument("--retries", type=int, default=2, help="retries for timeouts and server errors (default 2)")
    links.add_argument(
        "--allow-private-hosts",
        action="store_true",
        help="also request loopback and private-network addresses (refused by default)",
    )
    links.add_argument(
        "--per-host-interval", type=float, default=1.0, help="minimum seconds between requests to one host (default 1)"
    )

    build = _common(
        commands.add_parser("build", help="check the dataset, then build the site (with mkdocs build --strict)")
    )
    build.add_argument(
        "--engine",
        choices=list(ENGINES),
        default=DEFAULT_ENGINE,
        help=f"the site engine (default: {DEFAULT_ENGINE}); "
        + "; ".join(f"{e.name}: pip install 'claimledger[{e.extra}]'" for e in ENGINES.values() if e.extra),
    )
    build.add_argument("--site-dir", type=Path, help="where to write the site (default: ROOT/site)")
    build.add_argument("--config-file", type=Path, help="the site configuration (default: ROOT/mkdocs.yml)")
    build.add_argument(
        "--full",
        action="store_true",
        help="render every page again; by default, pages whose inputs did not change are reused from the previous site",
    )
    build.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="show pages written out of the total (default: in a terminal, outside CI)",
    )
    return parser


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _foreign_fields(kind: str) -> list[str]:
    """The other kinds' fields, which `new KIND` names as such rather than as unknown flags."""
    own = {spec.name for spec in FIELDS[kind]}
    return [name for name in dict.fromkeys(s.name for fields in FIELDS.values() for s in fields) if name not in own]


def _report(findings: Sequence[Finding], fmt: str, accepted: int = 0) -> None:
    if findings or fmt == "json":
        print(FORMATTERS[fmt](findings))
    known = f" ({accepted} accepted, listed in {ACCEPTED_FILE})" if accepted else ""
    print(f"claimledger: {summary(findings)}{known}", file=sys.stderr)


def _fail(message: str, status: int = 2, hint: str = "", indent: str = "    ") -> int:
    """Say why a command failed (and, with a ``hint``, what to do); its exit status."""
    print(f"claimledger: {message}", file=sys.stderr)
    if hint:
        print(f"{indent}hint: {printable(hint)}", file=sys.stderr)
    return status


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from .checks.gitinfo import has_commit, is_checkout

    if args.staged and args.changed is None:
        return _fail("--staged goes with --changed")
    dataset, found = check_project(args.root, args.today, settings)
    accepted = accept_known(args.root, dataset, found, args.today)
    findings, count = accepted.findings, accepted.count
    # Outside a checkout, --changed says why.
    if args.staged and not has_commit(args.root) and is_checkout(args.root):
        print(
            "claimledger: no commit yet: every file is checked, and nothing is on the record to compare with",
            file=sys.stderr,
        )
    elif args.changed is not None:
        from .checks.accepted import introduced
        from .checks.changed import base_check, findings_of_change
        from .checks.changelog import unlogged
        from .checks.gitinfo import GitError, changed_files
        from .checks.governance import allow_added, governance_changes
        from .checks.scalelog import scale_unlogged

        try:
            changes = changed_files(args.root, args.changed or None, staged=args.staged)
            base = base_check(args.root, changes.merge_base, args.today, settings)
            own = introduced(args.root, found, base.warned, changes.base)
            count = max(0, count - own.count)  # an entry wrong as data accepted nothing to take back
            findings = sorted(
                finding
                for finding in [
                    *findings_of_change([*findings, *own.findings], changes, base.findings),
                    *unlogged(args.root, changes, dataset),
                    *scale_unlogged(args.root, changes, dataset),
                    *governance_changes(args.root, changes),
                    *allow_added(args.root, changes),
                ]
                if finding.path not in changes.untracked  # --staged: not part of the commit
            )
        except GitError as exc:
            return _fail(str(exc))
        what = "staged file(s)" if args.staged else "file(s)"
        print(f"claimledger: {len(changes.paths)} {what} changed since {changes.base}", file=sys.stderr)
    _report(findings, args.format, count)
    return 1 if has_errors(findings) else 0


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    try:
        created = skeleton.create_project(args.folder, args.title, args.force, args.publisher)
    except skeleton.InitError as exc:
        return _fail(str(exc))
    for rel in created.kept:
        print(f"Kept {rel} (already there)")
    print(f"Created a claimledger project in {args.folder} ({len(created.written)} files)")
    print(skeleton.NEXT_STEPS.format(folder=args.folder))
    return 0


def cmd_new(args: argparse.Namespace, settings: Settings) -> int:
    if foreign := [name for name in _foreign_fields(args.what) if getattr(args, name) is not None]:
        return _fail(f"{', '.join(map(_flag, sorted(foreign)))} is not a field of a {args.what}; nothing was written")
    from .tools.snapshot import SnapshotError, read_text, take

    given = {spec.name: getattr(args, spec.name) for spec in FIELDS[args.what]}
    snapshot: Path | None = getattr(args, "snapshot", None)
    try:
        scaffold.ensure_new(args.root, args.what, args.id)
        text = read_text(snapshot) if snapshot is not None else None
        values = scaffold.gather(args.what, given, input if sys.stdin.isatty() else None, args.root)
        basis = _own_bases(args.root, values, text) if text is not None else {}
        reported = args.what == "claim" and scaffold.reported_by_another(load(args.root)[0], values)
        path = scaffold.create(args.root, args.what, args.id, values, basis, reported)
    except scaffold.ScaffoldError as exc:
        return _fail(str(exc))
    except SnapshotError as exc:
        return _fail(f"{printable(str(exc))}; nothing was written", hint=exc.hint)
    except (EOFError, KeyboardInterrupt):
        print("\nclaimledger: cancelled; nothing was written", file=sys.stderr)
        return 130
    rel = path.relative_to(args.root.resolve()).as_posix()
    print(f"Wrote {rel}")
    if reported:
        first = values.get("first_appearance") or values["source"]
        print(
            f"{first} was written by someone other than {values['claimant']}, so it is recorded as having reported "
            f"the claim; if you know where {values['claimant']} first made it (a report, a speech), add that source, "
            "make it the first_appearance and give it a provenance step `stated`"
        )
    if text is not None:
        try:
            taken = take(args.root, args.id, text, min(dt.date.today(), args.today or latest_today()))
        except SnapshotError as exc:
            return _fail(f"the snapshot was not saved: {printable(str(exc))}")
        print(f"Saved {taken.snapshot} (SHA-256 {taken.sha256}) and recorded it in {taken.source}")
        facts = [
            name for name in ("published", "author", "publisher", "place") if values.get(name, "unknown") != "unknown"
        ]
        if based := [name for name in facts if name in basis]:
            print(f"Based {', '.join(based)} on the source itself (`self`): its text states them")
        if unbased := [name for name in facts if name not in basis]:
            print(f"Its text does not state its {', '.join(unbased)} in words check can find: give each a basis")
    guide = " (see CONTRIBUTING.md)" if (args.root / "CONTRIBUTING.md").is_file() else ""
    print(scaffold.NEXT_STEPS[args.what].format(path=rel, id=args.id, guide=guide))
    if (args.root / "claims").is_dir() and (
        own := [f for f in check_project(args.root, args.today, settings)[1] if f.path == rel]
    ):
        print("\nclaimledger check already has this to say about it:")
        print(format_text(own))
    return 0


def _own_bases(root: Path, values: dict[str, str], text: str) -> dict[str, str]:
    """The new source's facts its own text states (the parties' names as their files give them)."""
    parties = load(root)[0].parties
    names = {
        fact: tuple(n for n in (party.name, party.short_name) if n)
        for fact in ("author", "publisher")
        if (party := parties.get(values.get(fact, ""))) is not None
    }
    if values.get("place"):
        names["place"] = (values["place"],)
    return own_bases(text, values.get("published"), names)


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    from .tools.signoff import ReviewError, record

    try:
        done = record(args.root, args.claim, args.by, args.date, args.today, settings)
    except ReviewError as exc:
        if exc.findings:
            print(format_text(exc.findings), file=sys.stderr)
        return _fail(f"not recorded: {exc}", 1)
    names = " and ".join(editor.name for editor in done.editors)
    rel = done.path.relative_to(args.root.resolve()).as_posix()
    print(f"Recorded in {rel}: reviewed by {names} on {done.date.isoformat()} (fingerprint {done.fingerprint[:12]}…)")
    return 0


def cmd_snapshot(args: argparse.Namespace, settings: Settings) -> int:
    from .checks.links import FetchFailed, LinkSettings, fetch_text
    from .tools.snapshot import SnapshotError, archive_target, read_text, record_archive, take, text_of

    today = args.today or latest_today()
    retrieved = args.retrieved or min(dt.date.today(), today)
    fetching = LinkSettings(timeout=args.timeout, allow_private=args.allow_private_hosts)
    try:
        if retrieved > today:
            raise SnapshotError(f"--retrieved {retrieved.isoformat()} is in the future", "give the day it was taken")
        if (args.file is not None and args.url is not None) or not (args.file or args.url or args.archive):
            raise SnapshotError(
                "give either FILE or --url, not both, or neither with --archive", "claimledger snapshot --help"
            )
        page = archive_target(args.root, args.source, args.url, force=args.force) if args.archive else None
        if args.file is None and args.url is None:
            alone = _archive(page, fetching, args.save_page_now, retrieved)
            source = record_archive(args.root, args.source, alone)
            print(f"Recorded in {source}: archived copy {printable(alone.url)} ({alone.day.isoformat()})")
            return 0
        if args.url is not None:
            try:
                text = text_of(fetch_text(args.url, fetching), printable(args.url))
            except FetchFailed as exc:
                raise SnapshotError(str(exc), "save the page as text yourself and give it as FILE") from None
        else:
            text = read_text(args.file)
        archive = _archive(page, fetching, args.save_page_now, retrieved) if page is not None else None
        taken = take(args.root, args.source, text, retrieved, force=args.force, archive=archive)
    except SnapshotError as exc:
        return _fail(f"not saved: {printable(str(exc))}", hint=exc.hint)
    if taken.unchanged:
        print(f"{taken.snapshot} already holds this text, recorded in {taken.source}; nothing changed")
    else:
        print(f"Saved {taken.snapshot} (SHA-256 {taken.sha256}, retrieved {taken.retrieved.isoformat()})")
        print(f"Recorded it in {taken.source}")
    if archive is not None:
        print(f"Recorded in {taken.source}: archived copy {printable(archive.url)} ({archive.day.isoformat()})")
    return 0


def _archive(page: str | None, fetching: LinkSettings, service: str | None, accessed: dt.date) -> Archive:
    """The copy of ``page`` Save Page Now takes, as the source records it; nothing is written here."""
    from .tools.snapshot import Archive, SnapshotError
    from .tools.wayback import SAVE_PAGE_NOW, ArchiveFailed, save_page_now

    assert page is not None
    try:
        url, day = save_page_now(page, fetching, service or SAVE_PAGE_NOW)
    except ArchiveFailed as exc:
        raise SnapshotError(
            f"not archived: {exc}",
            "try again later, or archive the page at https://web.archive.org/ yourself; if it cannot be archived "
            "(a paywall, a robots.txt exclusion, a login), say why in the source's `notes` and ask an editor to "
            "accept its archive-missing warning in claims/accepted-warnings.yaml, in a change of its own once this "
            "one is merged",
        ) from None
    return Archive(url, day, accessed)


def cmd_fmt(args: argparse.Namespace, settings: Settings) -> int:
    from .tools.fmt import run

    outcomes = run(args.root, args.files, check=args.check)
    for outcome in outcomes:
        where = printable(outcome.path)
        if outcome.position is not None:
            line, column = outcome.position
            print(f"{where}:{line}:{column}: cannot be formatted: {printable(outcome.problem)}", file=sys.stderr)
            if outcome.hint:
                print(f"    hint: {printable(outcome.hint)}", file=sys.stderr)
        elif outcome.problem:
            print(f"{where}: not formatted: {printable(outcome.problem)}", file=sys.stderr)
        elif outcome.changed:
            print(f"{where}: {'not in the canonical style' if args.check else 'formatted'}", *outcome.diff, sep="\n")
    changed = sum(o.changed for o in outcomes)
    failed = sum(bool(o.problem) for o in outcomes)
    done = f"{changed} file(s) {'to format' if args.check else 'formatted'}"
    if failed:
        said = f"{failed} file(s) could not be read or formatted (see above; claimledger check says more)"
        print(f"claimledger: {said}" + (f"; {done}" if changed else ""), file=sys.stderr)
    else:
        print(f"claimledger: {done}" + (": run claimledger fmt" if args.check and changed else ""), file=sys.stderr)
    return 1 if failed or (args.check and changed) else 0


def cmd_links(args: argparse.Namespace, settings: Settings) -> int:
    from .checks.links import CACHE_NAME, Cache, LinkSettings, check_online, dependent_claims, external_links
    from .record.graph import build_graph

    dataset, findings = check_project(args.root, args.today, settings)
    if has_errors(findings):
        print(format_text([f for f in findings if f.severity is Severity.ERROR]), file=sys.stderr)
        return _fail("fix the errors above first", 1)
    links = external_links(dataset)
    if not args.online:
        graph = build_graph(dataset)
        for url, uses in links.items():
            print(url, *(f"    {use.path}:{use.line} ({use.field})" for use in uses), sep="\n")
            if claims := dependent_claims(graph, uses):
                print(f"    claims: {', '.join(claims)}")
        print(f"claimledger: {len(links)} external address(es); nothing was requested (use --online)", file=sys.stderr)
        return 0
    link_settings = LinkSettings(
        timeout=args.timeout,
        retries=args.retries,
        per_host_interval=args.per_host_interval,
        max_age=args.max_age * 24 * 3600,
        allow_private=args.allow_private_hosts,
    )
    cache = Cache(args.cache or args.root / CACHE_NAME, args.root)
    try:
        link_findings, results = check_online(dataset, cache, link_settings)
    except KeyboardInterrupt:
        kept = cache.path is not None and cache.path.is_file()
        where = f"the results so far are kept in {cache.path}" if kept else "no result was kept"
        print(f"\nclaimledger: interrupted; {where}; stopping once the requests under way end", file=sys.stderr)
        return 130
    _report(link_findings, args.format)
    dead = sum(1 for r in results.values() if r.dead)
    print(f"claimledger: checked {len(results)} address(es): {dead} dead", file=sys.stderr)
    return 1 if dead else 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    dataset, findings = check_project(args.root, args.today, settings)
    if has_errors(findings):
        print(format_text(findings), file=sys.stderr)
        return _fail(f"not exported: {summary(findings)}", 1)
    data = export_data(dataset)
    export = EXPORT_FORMATS[args.format]
    if args.output is None and export.companions is not None:
        hint = f"claimledger export --format {export.name} -o {export.site_path}"
        return _fail(f"the {export.name} export is a file with files beside it: give -o FILE", hint=hint, indent="")
    content = whole(export.write(data, False))
    if args.output is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return 0
    try:
        write_whole(args.output, content)
        for name, text in (export.companions(data) if export.companions else {}).items():
            write_whole(args.output.with_name(name), text)
    except OSError as exc:
        hint = "check that the folder exists and is writable"
        return _fail(f"cannot write {args.output}: {exc.strerror}", 1, hint, indent="")
    return 0


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    try:
        engine = ENGINES[args.engine].load()
    except EngineUnavailable as exc:
        return _fail(str(exc))
    site_dir = args.site_dir or args.root / "site"
    config_file = args.config_file or args.root.resolve() / "mkdocs.yml"
    project = Project(args.root.resolve(), config_file, settings, full=args.full)

    def checked(docs: DocsPolicy | None = None) -> tuple[Dataset, list[Finding]]:
        dataset, found = check_project(args.root, args.today, settings, docs, project.config_file)
        accepted = accept_known(args.root, dataset, found, args.today)
        _report(accepted.findings, "text", accepted.count)
        return dataset, accepted.findings

    if has_errors(check_site(project.root, project.config_file)):
        # No engine reads a site configuration the policy refuses: MkDocs would run its tags and hooks.
        checked()
        return _fail("not built; the previous site is untouched", 1)
    try:
        with StagedBuild(engine, project, site_dir) as build:
            dataset, findings = checked(build.docs_policy())
            if has_errors(findings):
                return _fail("not built; the previous site is untouched", 1)
            build.run(dataset, findings)
    except BuildError as exc:
        return _fail(str(exc), 1)
    print(f"claimledger: built {site_dir}", file=sys.stderr)
    return 0


COMMANDS = {
    "init": cmd_init,
    "check": cmd_check,
    "export": cmd_export,
    "build": cmd_build,
    "new": cmd_new,
    "links": cmd_links,
    "fmt": cmd_fmt,
    "review": cmd_review,
    "snapshot": cmd_snapshot,
}


def _root_of(argv: Sequence[str]) -> Path:
    """The ``--root`` a command line names (for the help it prints), else the current directory."""
    found = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    found.add_argument("--root", type=Path, default=Path.cwd())
    try:
        return Path(found.parse_known_args(list(argv))[0].root)
    except (argparse.ArgumentError, SystemExit):  # the real parser reports it
        return Path.cwd()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status. Ctrl-C ends any command with one line and status 130 (as a
    shell reports an interrupted command); a build's clean-up has run by then."""
    try:
        args = build_parser(_root_of(sys.argv[1:] if argv is None else argv)).parse_args(argv)
        # The one place the environment is read: what follows is handed its settings.
        settings = from_environment(os.environ, progress=getattr(args, "progress", None))
        if args.command not in ("init", "new") and not (args.root / "claims").is_dir():
            return _fail(
                f"no claims/ folder in {args.root}",
                hint="run the command in the project folder, or pass --root DIR",
                indent="",
            )
        return COMMANDS[args.command](args, settings)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def run() -> NoReturn:
    """The command line as a program (``claimledger``, ``python -m claimledger``): :func:`main`, then the exit.

    Python's own exit frees every object one at a time: after a build of 10,000 claims, millions of them, half a
    second of a rebuild (docs/benchmarks.md). The system frees a process's memory at once. What Python's exit
    does before freeing is done here: the functions registered to run at exit (logging's, multiprocessing's,
    temporary folders'), and the standard streams flushed (a failed flush ends with status 120, as Python's)."""
    code = main()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        code = code or 120
    os._exit(code)
