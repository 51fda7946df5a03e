"""The immutable model of a claims dataset: the one place each field is declared.

Loading builds these frozen dataclasses once; checks, exports and the site read them and never go
back to the files. Every item keeps its :class:`~claimledger.record.yamlsafe.Document`, so that a
check can name the line of any field. A dataset holds hundreds of thousands of these objects: they are
slotted (:func:`~claimledger.record.lean.lean`), and their texts are shared where they repeat
(:mod:`claimledger.record.items`), a claim taking about 2.5 KB.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from .lean import lean
from .yamlsafe import Document

# The months' English names, as dates are written on the site (not calendar.month_name: that follows the locale).
MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")  # matched whole (fullmatch)

# Field metadata. The exports write every field but NOT_EXPORTED ones, in their order here, under their
# ``key`` if they have one. MARKDOWN texts are checked by claimledger.checks.markup; STRIPPED texts are
# read without the white space around them; an UNKNOWN_IS_NONE field reads ``unknown`` as None (noted in
# the item's ``unknown``, if it has one); a FACT about a source or a party needs a basis.
NOT_EXPORTED: Mapping[str, Any] = MappingProxyType({"export": False})
MARKDOWN: Mapping[str, Any] = MappingProxyType({"markdown": True})
STRIPPED: Mapping[str, Any] = MappingProxyType({"strip": True})
UNKNOWN_IS_NONE: Mapping[str, Any] = MappingProxyType({"unknown": None})
FACT: Mapping[str, Any] = MappingProxyType({"fact": True})


def facts(item: object) -> tuple[str, ...]:
    """The facts of a source or a party (``FACT`` fields) that need a basis, in file order."""
    return tuple(f.name for f in dataclasses.fields(item) if f.metadata.get("fact"))  # type: ignore[arg-type]


@lean
@dataclass(frozen=True, order=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    @functools.lru_cache(maxsize=4096, typed=True)  # dates repeat across a dataset; equal texts share one
    def parse(cls, text: str | int) -> PartialDate:
        """Parse ``2018``, ``2018-01`` or ``2018-01-10``; ``ValueError`` if it is no real date."""
        match = _DATE.fullmatch(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a date")
        year = int(match[1])
        month, day = (int(part) if part else None for part in match.groups()[1:])
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"{text!r}: there is no month {month}")
        dt.date(year, month or 1, day or 1)  # raises ValueError for year 0 and for 2018-02-30
        return cls(year, month, day)

    def __str__(self) -> str:
        parts = (f"{self.year:04d}", *(f"{part:02d}" for part in (self.month, self.day) if part is not None))
        return "-".join(parts)

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day it may mean: ``2020-06`` ends on 30 June, ``2020`` on 31 December."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def human(self) -> str:
        """``10 January 2018``, ``January 2018`` or ``2018``, in English whatever the locale."""
        if self.month is None:
            return str(self.year)
        month = MONTHS[self.month - 1]
        return f"{self.day} {month} {self.year}" if self.day is not None else f"{month} {self.year}"


@lean
@dataclass(frozen=True, slots=True)
class Period:
    """The time a figure covers: one partial date, or an interval."""

    start: PartialDate
    end: PartialDate | None = None

    @classmethod
    @functools.lru_cache(maxsize=4096, typed=True)  # as dates: periods repeat, equal texts share one
    def parse(cls, text: str | int) -> Period:
        start, _, end = str(text).partition("/")
        return cls(PartialDate.parse(start), PartialDate.parse(end) if end else None)

    def __str__(self) -> str:
        return f"{self.start}/{self.end}" if self.end else str(self.start)

    def human(self) -> str:
        return f"{self.start.human()} to {self.end.human()}" if self.end else self.start.human()


Stance = Literal["disputes", "qualifies", "supports"]
ChangeKind = Literal["points", "percent-change", "ratio"]
LogKind = Literal["correction", "clarification", "status-change", "update", "retraction"]


@lean
@dataclass(frozen=True, slots=True)
class Baseline:
    value: float
    unit: str
    period: Period
    quote: str | None
    # Not exported: the kind of change the text states ("times": ratio); the baseline's metric if not the claim's.
    change: ChangeKind | None = field(default=None, metadata=NOT_EXPORTED)
    metric: str | None = field(default=None, metadata=NOT_EXPORTED)


@lean
@dataclass(frozen=True, slots=True)
class Rate:
    """The exchange rate a conversion used: 1 unit of the claim's figure is ``value`` of the conversion's."""

    value: float
    source: str | None
    date: PartialDate | None


@lean
@dataclass(frozen=True, kw_only=True, slots=True)
class Conversion:
    value: float
    unit: str
    qualifier: str = "exact"
    by: str | None = field(metadata=UNKNOWN_IS_NONE)  # None: the source does not say who converted
    source: str
    quote: str | None
    note: str | None = field(metadata=MARKDOWN)
    rate: Rate | Literal["unknown"] | None = None  # None: the data does not say


@lean
@dataclass(frozen=True, slots=True)
class Operand:
    """One figure a derived figure is computed from: another claim's value, or a value the text gives."""

    claim: str | None
    value: float | None
    quote: str | None


@lean
@dataclass(frozen=True, slots=True)
class Derivation:
    """How a stated figure was derived: a formula of :data:`claimledger.record.arithmetic.FORMULAS` over operands."""

    formula: str
    operands: tuple[Operand, ...] = field(metadata={"key": "from"})  # as the file and the exports name it
    precision: int | None  # decimal places the figure is stated to; None: as the value is written


@lean
@dataclass(frozen=True, slots=True)
class Paraphrase:
    """The claim in someone else's words (``by``, in ``source``), when the claimant's are not on the record."""

    text: str
    by: str | None = field(metadata=UNKNOWN_IS_NONE)  # None: the source's words may be someone else's
    source: str
    locator: str | None


@lean
@dataclass(frozen=True, slots=True)
class LogEntry:
    """One editorial change to a claim, as readers are told of it."""

    date: PartialDate
    kind: LogKind
    summary: str = field(metadata={**MARKDOWN, **STRIPPED})


@lean
@dataclass(frozen=True, slots=True)
class Basis:
    """Where one fact about a source or a party, or a claim's date, comes from: stated by a source, or inferred."""

    field: str = field(metadata=NOT_EXPORTED)  # the fact it backs: "role", "published"... (shadows `field` below)
    source: str | None  # the source that states it; for an inference, the one it starts from
    quote: str | None
    via: str | None
    locator: str | None
    inferred: str | None = dataclasses.field(metadata={**MARKDOWN, **STRIPPED})  # the reasoning, if inferred
    own: bool = dataclasses.field(default=False, metadata=NOT_EXPORTED)  # written `self`: stated in its own snapshot

    @property
    def is_inferred(self) -> bool:
        return self.inferred is not None


class _Based:
    """An item whose facts (or date) may have a basis."""

    __slots__ = ()

    basis: tuple[Basis, ...]

    def basis_of(self, name: str) -> Basis | None:
        return next((b for b in self.basis if b.field == name), None)


@lean
@dataclass(frozen=True, slots=True)
class Appearance:
    source: str
    quote: str
    locator: str | None


@lean
@dataclass(frozen=True, slots=True)
class ProvenanceStep:
    source: str
    role: str
    date: PartialDate | None
    note: str | None = field(metadata=MARKDOWN)
    unknown: frozenset[str] = field(default=frozenset(), metadata=NOT_EXPORTED)  # date fields stated as `unknown`


@lean
@dataclass(frozen=True, slots=True)
class Rebuttal:
    source: str
    party: str
    stance: Stance
    summary: str = field(metadata={**MARKDOWN, **STRIPPED})
    quote: str | None
    via: str | None
    locator: str | None


@lean
@dataclass(frozen=True, slots=True)
class Review:
    """Who reviewed a claim's verdict (editor ids), on which day, and the fingerprint of what it told readers then."""

    by: tuple[str, ...]
    date: PartialDate
    fingerprint: str


@lean
@dataclass(frozen=True, kw_only=True, slots=True)  # keyword-only: its fields are in the order of its export record
class Claim(_Based):
    id: str
    statement: str = field(metadata=STRIPPED)
    quote: str | None  # None when only a paraphrase is on the record
    value: float | None
    unit: str | None
    qualifier: str = "exact"
    counted: str | None
    baseline: Baseline | None
    conversions: tuple[Conversion, ...]
    paraphrase: Paraphrase | None = None
    status: str
    rationale: str = field(metadata={**MARKDOWN, **STRIPPED})
    claimant: str
    spokesperson: str | None
    date: PartialDate | None
    period: Period | None
    first_appearance: str | None  # None only for the publisher's own calculation (:attr:`own_calculation`)
    appearances: tuple[Appearance, ...]
    provenance: tuple[ProvenanceStep, ...]
    rebuttals: tuple[Rebuttal, ...]
    related: tuple[str, ...]
    tags: tuple[str, ...]
    superseded_by: str | None
    review: Review | None  # None: never reviewed (a status that is no verdict needs no review)
    notes: str | None = field(metadata=MARKDOWN)
    log: tuple[LogEntry, ...] = ()
    metric: str | None = None  # the metric the figure is a value of
    derivation: Derivation | None = None
    basis: tuple[Basis, ...] = ()  # where its date comes from, if a source other than its appearance says it
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)
    unknown: frozenset[str] = field(default=frozenset(), metadata=NOT_EXPORTED)  # date fields stated as `unknown`

    @property
    def retraction(self) -> LogEntry | None:
        """The newest log entry that withdrew the claim from the record (kind ``retraction``), if any."""
        return next((entry for entry in reversed(self.log) if entry.kind == "retraction"), None)

    @property
    def own_calculation(self) -> bool:
        """Written as the publisher's own calculation: a derivation, with no words of anyone to quote."""
        return self.quote is None and self.paraphrase is None

    @property
    def words(self) -> str:
        """The claim as worded on the record: the claimant's quote, else the paraphrase."""
        if self.quote is not None:
            return self.quote
        return self.paraphrase.text if self.paraphrase is not None else ""


@lean
@dataclass(frozen=True, slots=True)
class Metric:
    """What a figure counts, by whom, over what period, with known caveats; ``unknown`` where the sources do not say."""

    id: str
    title: str = field(metadata=STRIPPED)
    counts: str
    counted_by: str  # a party id, or "unknown"
    period: str
    caveats: tuple[str, ...]
    sources: tuple[str, ...]  # where the definition was read
    notes: str | None = field(metadata=MARKDOWN)
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)


@lean
@dataclass(frozen=True, slots=True)
class Snapshot:
    file: str
    sha256: str
    retrieved: PartialDate | None
    note: str | None = field(metadata={**NOT_EXPORTED, **MARKDOWN})  # shown on the site only
    unknown: frozenset[str] = field(default=frozenset(), metadata=NOT_EXPORTED)  # date fields stated as `unknown`


@lean
@dataclass(frozen=True, slots=True)
class Source(_Based):
    id: str
    title: str = field(metadata=STRIPPED)
    kind: str
    author: str | None = field(metadata={**FACT, **UNKNOWN_IS_NONE})
    author_shown: str | None
    publisher: str | None = field(metadata={**FACT, **UNKNOWN_IS_NONE})
    published: PartialDate | None = field(metadata=FACT)
    presented: PartialDate | None = field(metadata=FACT)  # released to the press, its text perhaps unpublished
    url: str | None = field(metadata=UNKNOWN_IS_NONE)
    archive_url: str | None
    archive_date: PartialDate | None
    accessed: PartialDate | None
    language: str | None
    place: str | None = field(metadata=FACT)
    full_text: str | None = field(metadata=FACT)
    full_text_note: str | None = field(metadata=MARKDOWN)
    part_of: str | None
    locator: str | None
    derived_from: tuple[str, ...]
    snapshot: Snapshot | None
    notes: str | None = field(metadata=MARKDOWN)
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)
    basis: tuple[Basis, ...] = ()
    unknown: frozenset[str] = frozenset()  # the facts this file says are `unknown` (not left out)

    @property
    def primary(self) -> bool:
        return self.kind in PRIMARY_SOURCE_KINDS


PRIMARY_SOURCE_KINDS = frozenset(
    {"report", "government-report", "press-conference", "letter", "dataset", "court-record"}
)


@lean
@dataclass(frozen=True, slots=True)
class Party(_Based):
    id: str
    name: str = field(metadata=STRIPPED)
    short_name: str | None  # the abbreviation the party goes by (USTR), if its name gives one
    kind: str
    role: str | None = field(metadata=FACT)
    affiliation: str | None = field(metadata={**FACT, **UNKNOWN_IS_NONE})
    url: str | None
    notes: str | None = field(metadata=MARKDOWN)
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)
    basis: tuple[Basis, ...] = ()
    unknown: frozenset[str] = frozenset()  # the facts this file says are `unknown`


@lean
@dataclass(frozen=True, slots=True)
class Editor:
    """Someone who may review a verdict, on the record with their public name."""

    id: str
    name: str
    kind: str = "person"  # or "team": an editorial team that signs as one


@lean
@dataclass(frozen=True, slots=True)
class Publisher:
    """The organisation that publishes the site: named on it and in every ClaimReview."""

    name: str
    url: str | None  # its own address, if it has one
    logo: str | None
    email: str | None
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)
    editors: tuple[Editor, ...] = ()
    party: str | None = None  # the party its own calculations are credited to
    license: str | None = None  # the address of the licence its structured data (ClaimReview, exports) is under
    ownership: str | None = field(default=None, metadata=MARKDOWN)  # who owns it, as it states it
    funding: str | None = field(default=None, metadata=MARKDOWN)  # who pays for it
    contact: str | None = None  # the address of its contact page or form, if any

    def editor(self, editor_id: str) -> Editor | None:
        return next((e for e in self.editors if e.id == editor_id), None)


@lean
@dataclass(frozen=True, slots=True)
class Status:
    id: str
    label: str
    colour: str
    description: str
    evidence: str
    rating_value: int | None
    index: int = field(metadata=NOT_EXPORTED)  # its place on the scale, best first
    verdict: bool = True  # reviewed and judged: a claim with this status carries a ClaimReview
    reviewers: int = 1  # how many different editors must review a claim with this status

    @property
    def withdraws(self) -> bool:
        """Whether a claim with this status is withdrawn from the record (its evidence rule is a retraction)."""
        return self.evidence == "retraction"


@lean
@dataclass(frozen=True, slots=True)
class ScaleLogEntry:
    """One change to the status scale, as readers are told of it: a site-wide correction."""

    date: PartialDate
    summary: str = field(metadata=STRIPPED)


@lean
@dataclass(frozen=True, slots=True)
class StatusScale:
    best_rating: int
    worst_rating: int
    statuses: tuple[Status, ...]
    document: Document = field(repr=False, compare=False, metadata=NOT_EXPORTED)
    log: tuple[ScaleLogEntry, ...] = ()  # oldest first, append-only (claimledger.checks.scalelog)

    def get(self, status_id: str) -> Status | None:
        return next((s for s in self.statuses if s.id == status_id), None)


@dataclass(frozen=True)
class Dataset:
    """Everything under ``claims/`` that loaded and passed the schema, keyed by id."""

    claims: Mapping[str, Claim]
    sources: Mapping[str, Source]
    parties: Mapping[str, Party]
    scale: StatusScale | None
    # Ids of files that exist but failed to load: references to them are not reported twice.
    broken_ids: Mapping[str, frozenset[str]] = field(default_factory=dict)
    snapshot_texts: Mapping[str, str] = field(default_factory=dict, repr=False)
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    publisher: Publisher | None = None
    # The items of kinds without a field of their own (claimledger.record.kinds), by kind and id.
    more: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The digest of each item file's bytes as loaded, by path relative to the project: what a page was made from.
    digests: Mapping[str, bytes] = field(default_factory=dict, repr=False)

    def snapshot_of(self, source_id: str) -> tuple[Source, str] | None:
        """The source whose snapshot holds ``source_id``'s text (itself or what it is part of), and the text."""
        seen: set[str] = set()
        current = self.sources.get(source_id)
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.snapshot is not None:
                text = self.snapshot_texts.get(current.snapshot.file)
                return (current, text) if text is not None else None
            current = self.sources.get(current.part_of) if current.part_of else None
        return None
