"""``claimledger init``: start a new claims site, shaped like this repository, from the installed package's
files (``claimledger/data/project/``, the default status scale and the schema). A folder that holds
something is refused unless told; even then no file is replaced and nothing is written through a link.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from .. import __version__, distribution
from ..record.layout import DATA_DIR, KIND_DIRS, SCHEMA_COPY, SNAPSHOT_DIR, STATUS_FILE

PACKAGE = resources.files("claimledger")
TEMPLATES = PACKAGE / "data" / "project"
# Names a package cannot ship as they are (hidden files are left out of wheels by glob patterns).
RENAMED = {name: "." + name for name in ("gitignore", "gitattributes", "pre-commit-config.yaml", "github")}
# Entries that do not make a folder "not empty": a fresh clone of an empty repository holds .git.
IGNORED_ENTRIES = frozenset({".git"})
# Files whose text takes the ``{{ name }}`` values of planned_files.
TEMPLATED_SUFFIXES = (".md", ".yml", ".yaml", ".txt")
# What could start markup in a line of markdown (emphasis, code, links, HTML, references, tables).
MARKUP = frozenset("\\`*_[]<>#!|~&{}")


class InitError(Exception):
    pass


@dataclass(frozen=True)
class Created:
    """What ``init`` did: the files written and those kept as they were (relative paths)."""

    written: tuple[str, ...]
    kept: tuple[str, ...]


def planned_files(title: str, publisher: str | None = None) -> dict[str, bytes]:
    """Every file of a new project by its relative path; the publisher file names ``publisher``, else ``title``."""
    repository = distribution.repository()
    values = {
        "title": json.dumps(title, ensure_ascii=False),
        "description": json.dumps(
            f"Each claim of {title}, its sources, the evidence for and against it, and a status.", ensure_ascii=False
        ),
        "heading": "".join("\\" + character if character in MARKUP else character for character in title),
        # who answers for the site (the author of every ClaimReview, which without it names the title)
        "publisher": json.dumps(publisher if publisher is not None else title, ensure_ascii=False),
        "version": __version__,
        "requirement": distribution.requirement(),
        "repository": repository or "https://github.com/OWNER/claimledger",
        "claimledger": f"[claimledger]({repository})" if repository else "claimledger",
    }
    files: dict[str, bytes] = {}
    for rel, item in _templates(TEMPLATES, ""):
        data = item.read_bytes()
        if rel.endswith(TEMPLATED_SUFFIXES):
            text = data.decode("utf-8")
            for name, value in values.items():
                text = text.replace("{{ " + name + " }}", value)
            data = text.encode("utf-8")
        files[rel] = data
    files[f"{DATA_DIR}/{STATUS_FILE}"] = (PACKAGE / "data" / "statuses.yaml").read_bytes()
    files[SCHEMA_COPY] = (PACKAGE / "schema" / "claimledger.schema.json").read_bytes()
    return dict(sorted(files.items()))


def planned_folders() -> tuple[str, ...]:
    """The dataset's folders, made even while empty."""
    return tuple(f"{DATA_DIR}/{name}" for name in (*KIND_DIRS.values(), SNAPSHOT_DIR))


def _templates(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if item.name == "__pycache__":
            continue
        rel = prefix + (item.name if prefix else RENAMED.get(item.name, item.name))
        if item.is_dir():
            yield from _templates(item, rel + "/")
        else:
            yield rel, item


def create_project(root: Path, title: str | None = None, force: bool = False, publisher: str | None = None) -> Created:
    """Write a new project into ``root`` (made if missing); a folder that holds anything but ``.git`` is refused
    unless ``force``. No file is replaced, and a link on the way to any file refuses the whole project."""
    title = title if title is not None else (root.resolve().name or "Claims")
    if not title.strip() or not title.isprintable():
        raise InitError("the title must be one line of visible text, e.g. --title 'Ministry statistics 2024'")
    name = publisher if publisher is not None else title
    if not name.strip() or not name.isprintable() or len(name) > 200:
        raise InitError(
            "the publisher (the title, unless --publisher names it) must be one line of visible text of at most "
            "200 characters, e.g. --publisher 'Widget Watch'"
        )
    if root.exists() and not root.is_dir():
        raise InitError(f"{root} is a file, not a folder; nothing was written")
    if root.is_dir() and not force:
        present = sorted(entry.name for entry in root.iterdir() if entry.name not in IGNORED_ENTRIES)
        if present:
            shown = ", ".join(present[:5]) + (", …" if len(present) > 5 else "")
            raise InitError(
                f"{root} is not empty (it holds {shown}); nothing was written. Choose a new folder, or add "
                "--force to add the project's files next to what is there (no existing file is replaced)"
            )
    files = planned_files(title, publisher)
    linked = _first_link(root, [*planned_folders(), *(rel.rpartition("/")[0] for rel in files)])
    if linked is not None:
        target = (root / linked).readlink()
        raise InitError(
            f"{root / linked} is a symbolic link (to {target}): init writes nothing through a link, which could "
            "put the project's files in another folder; nothing was written. Remove the link, or start the project "
            "in another folder"
        )
    written: list[str] = []
    kept: list[str] = []
    try:
        for rel in planned_folders():
            (root / rel).mkdir(parents=True, exist_ok=True)
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with path.open("xb") as handle:
                    handle.write(data)
                written.append(rel)
            except FileExistsError:
                kept.append(rel)
    except OSError as exc:
        where = exc.filename or root
        raise InitError(f"cannot write {where}: {exc.strerror}") from None
    return Created(tuple(written), tuple(kept))


def _first_link(root: Path, folders: Iterable[str]) -> str | None:
    """The first of the ``folders`` (relative to ``root``), or of the folders on the way to one, that is a link.
    (A file that is itself a link is kept as it is: ``open("xb")`` refuses it.)"""
    for folder in folders:
        parts = PurePosixPath(folder).parts
        for depth in range(1, len(parts) + 1):
            rel = "/".join(parts[:depth])
            if (root / rel).is_symlink():
                return rel
    return None


NEXT_STEPS = """Next steps:
  1. cd {folder}
  2. In mkdocs.yml, set site_url (where the site will be published) and repo_url; make
     docs/index.md and docs/about.md say what this site covers.
  3. In claims/publisher.yaml, check the publisher's name (the organisation that answers for the
     site, named as the author of every ClaimReview) and list under editors: the people who sign
     off verdicts, each with an id and a public name.
  4. Add a party, a source and a claim:
       claimledger new party ID --name NAME --kind organisation
       claimledger new source ID --title TITLE --kind government-report --author PARTY-ID
       claimledger new claim ID --statement … --quote … --claimant PARTY-ID --source SOURCE-ID
  5. claimledger check, then claimledger build (or mkdocs serve for a preview with live reload).
  6. Push to GitHub and set Pages' source to GitHub Actions: .github/workflows/ci.yml checks
     every pull request and publishes main."""
