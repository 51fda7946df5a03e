"""Synthetic datasets in realistic proportions, for benchmarks and scale tests; deterministic for a size.

Per claim: one appearance quoting its source's snapshot, a two-step provenance, one to three tags, up to three
related claims and up to three rebuttals. One source (with a snapshot) per five claims, one party per twenty.
"""

from __future__ import annotations

import hashlib
import random
from importlib import resources
from pathlib import Path
from types import SimpleNamespace

from ..record import items
from ..record.layout import Layout
from ..record.visible import fingerprint
from ..record.yamlsafe import load_document
from . import scaffold

TAGS = [f"topic-{n:02d}" for n in range(50)]
MODELINE = scaffold.MODELINE.replace("{up}", "../../")
DATA = resources.files("claimledger") / "data"
# The default status scale (this repository's), and the site configuration: package data, so that
# synthetic projects can be written where claimledger is installed from a wheel as from a checkout.
SCALE = DATA / "statuses.yaml"
SITE_CONFIG = DATA / "synthetic-mkdocs.yml"


VOCABULARY = [
    "counterfeit",
    "listings",
    "complaints",
    "platform",
    "rights",
    "holders",
    "removed",
    "stores",
    "police",
    "cases",
    "figure",
    "report",
    "market",
    "sellers",
    "goods",
    "online",
    "offline",
]


def _sentence(rng: random.Random, n: int, words: int = 12) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)) + f" number {n}"


def _reviewed(claim_id: str, body: str) -> str:
    """``body`` with a review by the synthetic editor, whose fingerprint is that of what it says."""
    claim = items.claim(
        claim_id, load_document(f"claims/claims/{claim_id}.yaml", body.encode("utf-8")), SimpleNamespace(findings=[])
    )
    if claim is None:
        raise ValueError(f"synthetic claim {claim_id} does not build")
    return body + f"review:\n  by: editor\n  date: 2021-06-01\n  fingerprint: {fingerprint(claim)}\n"


def write_project(root: Path, claims: int, seed: int = 7) -> Path:
    """A complete project (claims/, docs/, mkdocs.yml) with ``claims`` claims under ``root``."""
    rng = random.Random(seed)
    layout = Layout(root)
    for kind in ("claim", "source", "party"):
        layout.kind_dir(kind).mkdir(parents=True, exist_ok=True)
    snapshots = layout.data_dir / "snapshots"
    snapshots.mkdir(parents=True, exist_ok=True)
    layout.status_file.write_bytes(SCALE.read_bytes())
    layout.publisher_file.write_text(
        MODELINE.replace("../../", "../").format(kind="publisher")
        + "name: Synthetic publisher\neditors:\n  - id: editor\n    name: Synthetic Editor\n",
        encoding="utf-8",
    )
    n_sources = max(2, claims // 5)
    n_parties = max(3, claims // 20)
    parties = [f"party-{i:05d}" for i in range(n_parties)]
    for i, party in enumerate(parties):
        affiliation = f"affiliation: {parties[0]}\n" if i % 7 == 3 else ""
        basis = "  affiliation:\n    inferred: Synthetic.\n" if affiliation else ""
        (layout.kind_dir("party") / f"{party}.yaml").write_text(
            MODELINE.format(kind="party") + f"name: Party {i}\nkind: {'person' if i % 2 else 'organisation'}\n"
            f"role: Role of party {i}\n{affiliation}basis:\n  role:\n    inferred: Synthetic.\n{basis}",
            encoding="utf-8",
        )
    quotes: dict[int, list[str]] = {}
    for s in range(n_sources):
        lines = [_sentence(rng, s * 100 + k) for k in range(12)]
        quotes[s] = lines
        text = "\n".join(lines) + "\n"
        name = f"source-{s:05d}.txt"
        (snapshots / name).write_text(text, encoding="utf-8")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        kind = "government-report" if s % 10 == 0 else "news-report"
        (layout.kind_dir("source") / f"source-{s:05d}.yaml").write_text(
            MODELINE.format(kind="source")
            + f"title: Source number {s}\nkind: {kind}\nauthor: {parties[s % n_parties]}\n"
            f"author_shown: Party {s % n_parties}\npublished: 2020-{1 + s % 12:02d}-{1 + s % 28:02d}\n"
            f"url: https://news.example.org/{s}\n"
            f"archive_url: https://web.archive.org/web/20210101000000/https://news.example.org/{s}\n"
            f"archive_date: 2021-01-01\naccessed: 2021-01-01\nfull_text: available\n"
            f"snapshot:\n  file: snapshots/{name}\n  sha256: {digest}\n  retrieved: 2021-01-01\n  third_party: true\n"
            f"basis:\n  published:\n    source: source-{s:05d}\n    quote: {lines[0]}\n",
            encoding="utf-8",
        )
    for c in range(claims):
        source = c % n_sources
        quote = quotes[source][c % 12]
        claimant = parties[(c * 3) % n_parties]
        related = sorted({f"claim-{rng.randrange(claims):05d}" for _ in range(rng.randrange(4))} - {f"claim-{c:05d}"})
        rebuttals, stances = [], set()
        for r in range(rng.randrange(4)):
            other = (source + 1 + r) % n_sources
            stance = ("disputes", "qualifies", "supports")[(c + r) % 3]
            stances.add(stance)
            rebuttals.append(
                f"  - source: source-{other:05d}\n    party: {parties[other % n_parties]}\n"  # its author
                f"    stance: {stance}\n    summary: Evidence {r} bearing on claim {c}, see [[claim:claim-{c:05d}]].\n"
                f"    quote: {quotes[other][(c + r) % 12]}\n"
            )
        status = "disputed" if "disputes" in stances else "unverified"
        tags = ", ".join(sorted({TAGS[(c + k * 7) % len(TAGS)] for k in range(1 + c % 3)}))
        body = (
            MODELINE.format(kind="claim") + f"statement: Synthetic claim {c} says a figure changed in 2020.\n"
            f"quote: {quote}\nclaimant: {claimant}\ndate: 2021-{1 + c % 12:02d}-{1 + c % 28:02d}\nperiod: 2020\n"
            f"value: {rng.randrange(1, 10**6)}\nunit: count\ncounted: listings\n"
            f"baseline:\n  value: {rng.randrange(1, 10**6)}\n  period: 2019\n"
            f"first_appearance: source-{source:05d}\n"
            f"appearances:\n  - source: source-{source:05d}\n    quote: {quote}\n    locator: paragraph {1 + c % 12}\n"
            f"provenance:\n  - source: source-{source:05d}\n    role: stated\n    date: 2021-01-01\n"
            f"  - source: source-{(source + 1) % n_sources:05d}\n    role: reported\n"
            f"tags: [{tags}]\n"
            + (f"related: [{', '.join(related)}]\n" if related else "")
            + ("rebuttals:\n" + "".join(rebuttals) if rebuttals else "")
            + f"status: {status}\nrationale: Synthetic rationale for claim {c}.\n"
            f"notes: Synthetic notes for claim {c}, with a link to [the source](https://news.example.org/{source}).\n"
        )
        if status != "unverified":
            body = _reviewed(f"claim-{c:05d}", body)
        (layout.kind_dir("claim") / f"claim-{c:05d}.yaml").write_text(body, encoding="utf-8")
    return root


def write_site_project(root: Path, claims: int) -> Path:
    """A synthetic dataset with the repository's own site configuration, ready to build."""
    write_project(root, claims)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Synthetic claims\n\nA generated dataset.\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(site_config(), encoding="utf-8")
    return root


def site_config() -> str:
    """The repository's mkdocs.yml without the pages a synthetic project does not have."""
    return SITE_CONFIG.read_text(encoding="utf-8")
