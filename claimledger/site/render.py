"""Render generated pages to HTML with Jinja2, from the :class:`Dataset` and :class:`Graph` of one build.

All user-supplied text is escaped by Jinja's autoescaping; contributor markdown goes through
:mod:`claimledger.record.markdown`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from jinja2 import BytecodeCache, ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..checks.gitinfo import History, StatusChange, committed_files, load_history
from ..record import arithmetic
from ..record import markdown as markup
from ..record.graph import Graph, build_graph, cited_sources
from ..record.kinds import KINDS
from ..record.model import Claim, Dataset, Metric, PartialDate, Source, Status
from ..record.schema import units
from ..record.visible import Fingerprints, awaits_review, fingerprint_cache, reviewers
from ..rules import EVIDENCE_RULES, RULES
from . import charts, feed, format
from .jsonld import claim_review, data_feed, script_json
from .manifest import Digests, Read, Recorder, recorded_property, recording
from .passages import Passage, Passages
from .urls import CLAIM_REVIEW_FEED, EXPORTS, PageSpec, page_src, url_of

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class SiteSettings:
    site_name: str
    site_url: str  # absolute, ending in "/"; "" if unknown
    edit_base: str  # prefix of a file's edit URL on the repository; "" for none
    blob_base: str = ""  # prefix of a file's URL on the repository; "" for none
    edit_branch: str = ""  # the branch edit links point into; "" if not known
    tree_base: str = ""  # prefix of a folder's URL on the repository, on that branch; "" for none
    history_base: str = ""  # prefix of a file's history on the repository; "" for none
    language: str = "en"  # the site's language (the theme's), as its ClaimReviews state it
    new_issue: str = ""  # the address of a new issue on the repository; "" for none

    @classmethod
    def of_site(
        cls,
        site_name: str,
        site_url: str,
        repo_url: str,
        *,
        edit_branch: str = "main",
        edit_base: str = "",
        language: str = "en",
    ) -> SiteSettings:
        """The settings as the site's configuration states them: edit, file and history links point into
        a GitHub repository, or edit links start with ``edit_base``."""
        github = "github.com" in repo_url
        repository = repo_url.rstrip("/")
        github_edit = f"{repository}/edit/{edit_branch}/" if github else ""
        return cls(
            site_name=site_name,
            site_url=_with_slash(site_url),
            edit_base=_with_slash(edit_base) if edit_base else github_edit,
            blob_base=f"{repository}/blob/{edit_branch}/" if github else "",
            edit_branch=edit_branch,
            tree_base=f"{repository}/tree/{edit_branch}/" if github else "",
            history_base=f"{repository}/commits/{edit_branch}/" if github else "",
            language=language,
            new_issue=f"{repository}/issues/new" if github else "",
        )


def _with_slash(url: str) -> str:
    return url if not url or url.endswith("/") else url + "/"


def site_renderer(
    dataset: Dataset,
    root: Path,
    settings: SiteSettings,
    *,
    history: bool = True,
    bytecode_cache: BytecodeCache | None = None,
    recorder: Recorder | None = None,
    cache_dir: Path | None = None,
) -> Renderer:
    """The renderer of the site of ``dataset``, the project at ``root``: with each claim's history from git if
    ``history`` (``renderer.history.warning`` says what is missing from it); what each page reads noted by
    ``recorder``, if given; the claims' fingerprints (which tell whether a review is stale) kept in the cache in
    ``cache_dir`` (the item cache's folder), if given."""
    loaded, merged = None, None
    if history:
        loaded = load_history(root, known={claim.document.path: claim.status for claim in dataset.claims.values()})
        merged = committed_files(root, settings.edit_branch) if settings.tree_base else None
    fingerprints = Fingerprints(dataset, fingerprint_cache(root, cache_dir) if cache_dir is not None else None)
    return Renderer(dataset, build_graph(dataset), settings, loaded, bytecode_cache, merged, recorder, fingerprints)


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``#rrggbb`` (WCAG relative luminance)."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def template_environment() -> Environment:
    """The environment of claimledger's own templates, with what every page uses at hand."""
    packages = ["claimledger.site", *(kind.templates for kind in KINDS.values() if kind.templates)]
    env = Environment(
        loader=ChoiceLoader([PackageLoader(package, "templates") for package in packages]),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,  # one environment a build: no template file is asked whether it changed, page after page
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = format.number  # every count as the figures are written: 10,000
    env.globals.update(
        rules=RULES,
        evidence_rules=EVIDENCE_RULES,
        stale_badge=STALE_BADGE,
        units=units(),
        formulas=arithmetic.FORMULAS,
        exports=EXPORTS,
        amount=format.qualified,
        figure=format.figure,
        figure_change=format.change,
        rate_text=format.rate_text,
        conversion_check=format.conversion_check,
        derivation=format.derivation_text,
        human=human,
        scale_changes=feed.scale_changes,
        date_text=lambda iso: PartialDate.parse(iso).human(),
    )
    return env


def human(value: PartialDate | None, unknown: str = "unknown") -> str:
    return value.human() if value else unknown


# What rendering a list page costs: (what it lists, how many of them cost as much to list as an item page to
# render). Measured on 10,000 synthetic claims, each page rendered on its own: the table of all claims and the
# timeline about 350 claim pages each, the dashboard and the tags about 40, the index of 2,000 sources about 35.
LIST_COSTS: Mapping[str, tuple[str, int]] = {
    "claims-index": ("claims", 30),
    "timeline": ("claims", 30),
    "dashboard": ("claims", 250),
    "tags": ("claims", 250),
    "sources-index": ("sources", 60),
    "parties-index": ("parties", 60),
}

# Shown instead of a verdict that its review no longer covers: no status colour, a dashed outline.
STALE_BADGE = Markup('<span class="ct-badge ct-badge-stale">Changed since review</span>')


class Renderer:
    """Everything the templates need, computed once per build."""

    def __init__(
        self,
        dataset: Dataset,
        graph: Graph,
        settings: SiteSettings,
        history: History | None = None,
        bytecode_cache: BytecodeCache | None = None,
        merged: frozenset[str] | None = None,
        recorder: Recorder | None = None,
        fingerprints: Fingerprints | None = None,
    ) -> None:
        self.loaded = dataset  # the dataset as loaded; the templates read it, each read noted, as ``dataset``
        self.dataset = dataset
        self.graph = graph
        self.settings = settings
        self.history = history or History(available=False, reason="no history was loaded")
        self.recorder = recorder
        self.digests = Digests(dataset, graph, self.history)  # what each read holds, as loaded
        if recorder is not None:  # the same data, each read noted: what the page shows was made from
            self.dataset, self.graph, self.history = recording(dataset, graph, self.history, recorder)
        self.env = template_environment()
        self.env.bytecode_cache = bytecode_cache  # compiled templates kept between builds, if any
        self.env.globals["r"] = self
        self.statuses: dict[str, Status] = {s.id: s for s in dataset.scale.statuses} if dataset.scale else {}
        self._badges: dict[str, Markup] = {}
        self._stale: dict[str, bool] = {}
        self.fingerprints = fingerprints or Fingerprints(dataset, None)  # kept between builds, if a cache is given
        # What every list of claims shows of an item, made once per item (an attribution with the reads that made it).
        self._paths: dict[str, dict[str, str]] = {}  # by kind, then id
        self._hrefs: dict[str, dict[str, str]] = {}  # the same, escaped for an attribute
        self._pieces: dict[str, ClaimPieces] = {}  # by claim id
        self._attributions: dict[str, tuple[str, frozenset[Read]]] = {}
        self._read_sets: dict[frozenset[Read], frozenset[Read]] = {}  # one copy of each set of reads remembered
        # The files on the edit links' branch (None: not known): one not merged yet has no page to edit.
        self.merged = merged

    def report_error(self, claim: Claim, contact_page: str) -> str:
        """Where a reader reports an error on ``claim``: a new issue on the repository, else a message to
        the publisher's email, or its contact page; else ``contact_page`` (the site's own)."""
        # The page's address only where the site's is known: a relative one would mislead.
        site_url = self.settings.site_url
        page = f"Page: {site_url}{url_of(page_src('claim', claim.id))}\n" if site_url else ""
        subject = f"Error on the page of claim {claim.id}"
        body = f"Claim: {claim.id}\n{page}\nWhat is wrong, and the source that shows it:\n"
        publisher = self.dataset.publisher
        if self.settings.new_issue:
            return f"{self.settings.new_issue}?{urlencode({'title': subject, 'body': body}, quote_via=quote)}"
        if publisher and publisher.email:
            return f"mailto:{publisher.email}?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}"
        return publisher.contact if publisher and publisher.contact else contact_page

    def edit_link(self, document_path: str) -> str:
        """Where the file ``document_path`` can be edited on the repository; "" if nowhere."""
        edit_base = self.settings.edit_base
        if not edit_base:
            return ""
        if self.merged is not None and document_path not in self.merged and self.settings.tree_base:
            return self.settings.tree_base + document_path.rpartition("/")[0] + "/"
        return edit_base + document_path

    def render(self, spec: PageSpec) -> str:
        """The HTML of a generated page's body."""
        context: dict[str, Any] = {"p": PageContext(self, spec.url), "dataset": self.dataset, "graph": self.graph}
        if spec.kind is not None:  # an item page: the item, by its kind's name
            context[spec.kind] = self.item(spec)
        return self.env.get_template(f"{spec.template}.html").render(context)

    def weight(self, spec: PageSpec) -> float:
        """About what rendering the page costs, in item pages: a list of every claim costs many
        (:data:`LIST_COSTS`), and is worth rendering in a second process on its own (claimledger.site.ahead)."""
        found = LIST_COSTS.get(spec.template) if spec.kind is None else None
        if found is None:
            return 1
        listed, per_item_page = found
        return max(1, len(getattr(self.loaded, listed)) / per_item_page)

    def item(self, spec: PageSpec) -> Any:
        assert spec.kind is not None
        return KINDS[spec.kind].items(self.dataset)[spec.key]

    def title(self, kind: str, item_id: str | None) -> str:
        """The title of an item (a party's name); its id if there is no such item, "" for None."""
        if item_id is None:
            return ""
        item = KINDS[kind].items(self.dataset).get(item_id)
        return KINDS[kind].title(item) if item is not None else item_id

    def label_for(self, kind: str, item_id: str) -> tuple[str, str] | None:
        """(text, badge HTML) of a link to an item (a claim's attributed, with its badge); None for an unknown id."""
        item = KINDS[kind].items(self.dataset).get(item_id)
        if item is None:
            return None
        if isinstance(item, Claim):
            return f"{self.attribution(item)}: {item.statement}", str(self.claim_badge(item))
        return KINDS[kind].title(item), ""

    def reviewed(self, item: object) -> bool:
        """Whether ``item`` is a claim with a verdict its review still covers (not the publisher's own
        calculation): only its page carries a ClaimReview."""
        if not isinstance(item, Claim) or item.own_calculation or (status := self.statuses.get(item.status)) is None:
            return False
        return status.verdict and not status.withdraws and not self.stale(item)

    def stale(self, claim: Claim) -> bool:
        """Whether ``claim`` has changed since its review."""
        if claim.id not in self._stale:
            self._stale[claim.id] = awaits_review(claim, self.dataset, self.fingerprints.of)
        return self._stale[claim.id]

    def review_by(self, claim: Claim) -> str:
        """The public names of the editors who reviewed ``claim``: "A", "A and B", "A, B and C"."""
        names = [editor.name for editor in reviewers(claim, self.dataset)]
        return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]

    def attribution(self, claim: Claim) -> str:
        """Who made a claim and when (its claimant's name read): the same on every page, so made once per claim."""
        return self.remembered(
            self._attributions, claim.id, lambda: format.attribution(claim, self.title("party", claim.claimant))
        )

    def remembered(self, table: dict[K, tuple[V, frozenset[Read]]], key: K, compute: Callable[[], V]) -> V:
        """``compute()``, worked out once per ``key``; what it read is noted again at each use, as a
        :func:`~claimledger.site.manifest.recorded_property`'s reads are."""
        found = table.get(key)
        recorder = self.recorder
        if found is None:
            if recorder is None:
                found = (compute(), frozenset())
            else:
                with recorder.reading() as reads:
                    value = compute()
                held = frozenset(reads)
                found = (value, self._read_sets.setdefault(held, held))
            table[key] = found
        elif recorder is not None and recorder.reads is not None and found[1]:
            recorder.reads |= found[1]
        return found[0]

    def path(self, kind: str, item_id: str) -> str:
        """The site-relative address of an item's page: made once per item."""
        paths = self._paths.setdefault(kind, {})
        found = paths.get(item_id)
        if found is None:
            found = paths[item_id] = url_of(page_src(kind, item_id))
        return found

    def href(self, kind: str, item_id: str) -> str:
        """:meth:`path`, escaped for an attribute: made once per item."""
        hrefs = self._hrefs.setdefault(kind, {})
        found = hrefs.get(item_id)
        if found is None:
            found = hrefs[item_id] = _escaped(self.path(kind, item_id))
        return found

    def pieces(self, claim: Claim) -> ClaimPieces:
        """What every list of claims shows of ``claim``, as HTML: made once per claim (its claimant's name
        read, and noted as read at each use, as :meth:`remembered` notes them)."""
        found = self._pieces.get(claim.id)
        if found is None:  # its attribution notes what it reads; the rest is the claim's own, and the scale's
            attribution = self.attribution(claim)
            found = self._pieces[claim.id] = ClaimPieces(
                _escaped(claim.statement),
                _escaped(attribution),
                self.claim_badge(claim),
                self.href("claim", claim.id),
                self._attributions[claim.id][1],
            )
        elif (recorder := self.recorder) is not None and recorder.reads is not None and found.reads:
            recorder.reads |= found.reads
        return found

    def claim_text(self, claim: Claim) -> tuple[str, Markup]:
        """A claim's statement as HTML, and its badge."""
        pieces = self.pieces(claim)
        return pieces.statement, pieces.badge

    def attribution_html(self, claim: Claim) -> str:
        """Who made a claim and when, as HTML (its claimant's name read)."""
        return self.pieces(claim).attribution

    def headline(self, claim: Claim, href: str = "", css: str = "") -> Markup:
        """A claim as it is titled or listed: who made it and when, then the statement (linked to ``href``)."""
        pieces = self.pieces(claim)
        text = pieces.statement
        if href:
            attributes = f' class="{escape(css)}"' if css else ""
            text = f'<a{attributes} href="{escape(href)}">{text}</a>'
        return Markup(f'<span class="ct-attribution">{pieces.attribution}:</span> {text}')

    def claim_badge(self, claim: Claim) -> Markup:
        """The claim's status badge, or the stale one while its review is out of date."""
        return STALE_BADGE if self.stale(claim) else self.badge(claim.status)

    def claim_review(self, claim: Claim) -> dict[str, Any]:
        # Without the site's address, no address is made up: the review's own url is left out.
        settings = self.settings
        url = settings.site_url + url_of(page_src("claim", claim.id)) if settings.site_url else ""
        revisions = self.history.revisions.get(claim.document.path, ())
        first = revisions[-1].date if revisions else ""  # newest first: the last is when it was published
        return claim_review(claim, self.dataset, url, settings.site_name, settings.site_url, first, settings.language)

    def claim_jsonld(self, item: object) -> str | None:
        """The ClaimReview of ``item``'s page, as a JSON-LD document; None unless it is a :meth:`reviewed` claim."""
        return script_json(self.claim_review(item)) if isinstance(item, Claim) and self.reviewed(item) else None

    def claim_review_feed(self) -> list[str]:
        """Every current ClaimReview of the site, as a schema.org DataFeed: JSON in pieces (see :func:`data_feed`).
        Whether each verdict's review still holds is asked here of every claim: the fingerprints worked out for
        that are kept for the next build (:class:`~claimledger.record.visible.Fingerprints`)."""
        reviews = (self.claim_review(claim) for claim in self.dataset.claims.values() if self.reviewed(claim))
        settings = self.settings
        feed_url = settings.site_url + CLAIM_REVIEW_FEED if settings.site_url else ""
        made = data_feed(reviews, settings.site_name, self.dataset.publisher, settings.site_url, feed_url)
        self.fingerprints.save()
        return made

    def badge(self, status_id: str) -> Markup:
        """A status badge; the same for every page, so made once per status."""
        if status_id not in self._badges:
            status = self.statuses.get(status_id)
            self._badges[status_id] = (
                Markup('<span class="ct-badge">{}</span>').format(status_id)
                if status is None
                else Markup(
                    '<span class="ct-badge ct-status-{id}" style="background:{bg};color:{fg}">{label}</span>'
                ).format(id=status.id, bg=status.colour, fg=text_colour(status.colour), label=status.label)
            )
        return self._badges[status_id]

    def sorted_claims(self, claims: Iterable[Claim]) -> list[Claim]:
        return sorted(claims, key=lambda c: (self.statuses[c.status].index if c.status in self.statuses else 99, c.id))

    def withdrawn(self, claim: Claim) -> bool:
        status = self.statuses.get(claim.status)
        return status is not None and status.withdraws

    def withdrawal(self, claim: Claim) -> feed.Change | None:
        """For a withdrawn claim, the log entry that withdrew it."""
        changes = self.claim_changes(claim) if self.withdrawn(claim) else []
        return next((change for change in changes if change.entry.kind == "retraction"), None)

    def claim_changes(self, claim: Claim) -> list[feed.Change]:
        """Newest first."""
        return [feed.Change(claim, entry, number) for number, entry in enumerate(claim.log, start=1)][::-1]

    def chart(self, claim: Claim, change: format.Change | None = None) -> Markup:
        """The before/after chart of a claim's figure; ``change``, its change, if the page has it at hand."""
        change = change or format.change(claim)
        return Markup(charts.before_after(change, claim.unit, claim.counted)) if change else Markup("")

    def metric_series(self, metric: Metric) -> list[format.SeriesPoint]:
        # A withdrawn claim was recorded in error: its figure is no figure of the metric.
        return format.metric_series(metric, [c for c in self.dataset.claims.values() if not self.withdrawn(c)])

    def series_chart(self, points: list[format.SeriesPoint]) -> Markup:
        if len({point.period for point in points}) < 2:
            return Markup("")
        unit, counted = points[-1].claim.unit, points[-1].claim.counted
        return Markup(charts.series([(point.period.human(), point.value) for point in points], unit, counted))

    def status_changes(self, document_path: str) -> list[StatusChange]:
        """Oldest first."""
        return list(reversed(self.history.statuses.get(document_path, ())))

    def history_url(self, document_path: str) -> str:
        return self.settings.history_base + document_path if self.settings.history_base else ""

    def snapshot_url(self, source_id: str) -> str:
        """The repository copy of a source's text (its own snapshot or that of what it is part of)."""
        found = self.dataset.snapshot_of(source_id)
        if found is None or not self.settings.blob_base:
            return ""
        holder, _ = found
        assert holder.snapshot is not None
        return f"{self.settings.blob_base}claims/{holder.snapshot.file}"

    def sources_cited_by(self, claim: Claim) -> list[Source]:
        """Every source a claim's page cites, its evidence's included: oldest first, undated last."""
        found = [self.dataset.sources[i] for i in sorted(set(cited_sources(claim))) if i in self.dataset.sources]
        return sorted(found, key=lambda s: s.published.earliest() if s.published else dt.date.max)

    @staticmethod
    def claim_sources(claim: Claim) -> str:
        return " ".join(sorted(set(cited_sources(claim))))

    @recorded_property
    def passages(self) -> Passages:
        return Passages.of(self.dataset)

    def quoted_passages(self, source_id: str) -> list[Passage]:
        """The passages of ``source_id``'s text that claims quote: only the claims citing it are read."""
        quoting = {claim.id: claim for claim in self.graph.claims_in_source.get(source_id, ())}
        quoting.update((ref.claim.id, ref.claim) for ref in self.graph.rebuttals_in_source.get(source_id, ()))
        return self.passages.of_sources((quoting[i] for i in sorted(quoting)), source_id).get(source_id, [])

    @recorded_property
    def tag_counts(self) -> list[tuple[str, int]]:
        return [(tag, len(claims)) for tag, claims in sorted(self.graph.claims_by_tag.items())]

    @recorded_property
    def claimants(self) -> list[str]:
        return sorted({c.claimant for c in self.dataset.claims.values()})

    @recorded_property
    def source_options(self) -> list[str]:
        return sorted(set(self.graph.claims_in_source) | set(self.graph.rebuttals_in_source))

    @recorded_property
    def changes(self) -> list[feed.Change]:
        return feed.changes(self.dataset)

    @recorded_property
    def status_counts(self) -> list[tuple[Status, int]]:
        counts = Counter(c.status for c in self.dataset.claims.values())
        return [(status, counts.get(status.id, 0)) for status in self.statuses.values()]

    @property
    def timeline(self) -> tuple[list[Day], list[Event]]:
        """What happened on each known date, oldest first (a month or year after its days; on one date,
        sources, then claims, then evidence); and what happened on an unknown date. Made each time it is
        asked for (once a build, by the timeline page): an event for every source, claim and piece of
        evidence need not be held for the rest of the build."""
        events: dict[PartialDate | None, list[Event]] = {}
        for source in self.dataset.sources.values():
            events.setdefault(source.published, []).append(Event("source", source))
        for claim in self.dataset.claims.values():
            first = self.dataset.sources.get(claim.first_appearance or "")
            events.setdefault(claim.date, []).append(Event("claim", first, claim, party=claim.claimant))
            for number, rebuttal in enumerate(claim.rebuttals, start=1):
                source = self.dataset.sources[rebuttal.source]
                evidence = Event("evidence", source, claim, number, rebuttal.party, rebuttal.stance)
                events.setdefault(source.published, []).append(evidence)
        for happened in events.values():
            happened.sort(key=Event.order)
        undated = events.pop(None, [])
        days = [Day(date, tuple(happened)) for date, happened in events.items() if date is not None]
        days.sort(key=lambda d: (d.date.year, d.date.month or 13, d.date.day or 32))
        return days, undated


@dataclass(frozen=True, slots=True)
class ClaimPieces:
    """A claim as lists show it, as HTML: its statement, who made it and when, its badge, its page's address
    (site-relative, escaped for an attribute)."""

    statement: str
    attribution: str
    badge: Markup
    href: str
    reads: frozenset[Read]  # what making them read (its claimant's name): noted again at each use


@dataclass(frozen=True)
class Event:
    """Something that happened: a source published, a claim made (in its first source) by ``party``,
    or evidence given by ``party`` (the claim's ``rebuttal``-th, from 1, in ``source``)."""

    kind: str  # "source", "claim" or "evidence"
    source: Source | None  # None for a claim first made on the site: the publisher's own calculation
    claim: Claim | None = None
    rebuttal: int = 0
    party: str = ""
    stance: str = ""

    def order(self) -> tuple[int, str, str, int]:
        source = self.source.id if self.source else ""
        return (_EVENT_KINDS[self.kind], self.claim.id if self.claim else "", source, self.rebuttal)


_EVENT_KINDS = {"source": 0, "claim": 1, "evidence": 2}


@dataclass(frozen=True)
class Day:
    """A date of the timeline, known to the day, the month or the year, and what happened on it."""

    date: PartialDate
    events: tuple[Event, ...]


def _party(event: Event) -> str:
    return event.party


def _source_id(event: Event) -> str:
    return event.source.id if event.source is not None else ""


def _grouped(items: list[str]) -> str:
    """The end of a timeline entry: its one event on the same line, or several as a list of their own."""
    if len(items) == 1:
        return f" {items[0]}  </li>\n"
    listed = "".join(f"      <li>{item}</li>\n" for item in items)
    return f"    <ul>\n{listed}    </ul>\n  </li>\n"


def _escaped(text: str) -> str:
    """``text`` escaped for HTML, as a str: ``text`` itself where escaping changes nothing (most texts), so that
    what is kept for every claim holds no second copy of it."""
    escaped = str(escape(text))
    return text if escaped == text else escaped


def _inferred_mark(item: Any, name: str, href: str) -> str:
    """:meth:`PageContext.inferred_mark`, ``href`` escaped already."""
    b = item.basis_of(name)
    if b and b.is_inferred:
        return f' <a class="ct-inferred" href="{href}" title="Inferred, not stated by a source: see why">inferred</a>'
    return ""


class _ClaimRows:
    """The rows of the table of all claims on one page: what many rows show alike (a claimant, a tag, a
    status) made once for them all. Its claimants' names are read on that page, once each."""

    def __init__(self, page: PageContext, unit_order: list[str]) -> None:
        self.page = page
        self.r = page.r
        self.groups: dict[str | None, int] = {}  # a figure's group: its unit's place in the list of units
        for index, unit in enumerate(unit_order):
            self.groups.setdefault(unit, index)
        self.ungrouped = len(unit_order)
        self.claimants: dict[str, str] = {}
        self.tags: dict[str, str] = {}
        self.statuses: dict[str, tuple[str, int]] = {}

    def claimant(self, party_id: str) -> str:
        found = self.claimants.get(party_id)
        if found is None:
            page, title = self.page, escape(self.r.title("party", party_id))
            found = self.claimants[party_id] = (
                f'  <td class="ct-col-claimant" data-label="Claimed by"><a href="{page.href("party", party_id)}">'
                f"{title}</a></td>\n"
            )
        return found

    def tag(self, tag: str) -> str:
        found = self.tags.get(tag)
        if found is None:
            href = escape(self.page.u("tags/#tag-" + tag))
            found = self.tags[tag] = f'<a class="ct-tag" href="{href}">{escape(tag)}</a>'
        return found

    def status(self, status_id: str) -> tuple[str, int]:
        found = self.statuses.get(status_id)
        if found is None:
            status = self.r.statuses.get(status_id)
            found = self.statuses[status_id] = (str(escape(status_id)), status.index if status else 99)
        return found

    def row(self, claim: Claim) -> str:
        # A number and a date, as text, hold nothing to escape: digits, signs, points, hyphens and month names.
        if claim.value is not None:
            group = self.groups.get(claim.unit, self.ungrouped)
            figure = (
                f'<td class="ct-col-figure" data-value="{claim.value!s}" data-group="{group}">'
                f"{escape(format.figure(claim))}</td>"
            )
        else:
            figure = '<td class="ct-col-figure" data-value=""></td>'
        status, order = self.status(claim.status)
        piece = self.r.pieces(claim)
        tag = self.tag
        tags = " ".join([tag(name) for name in claim.tags])
        return (
            f'<tr data-status="{status}" data-tags="{escape(" ".join(claim.tags))}"'
            f' data-claimant="{escape(claim.claimant)}" data-sources="{escape(self.r.claim_sources(claim))}">\n'
            f'  <td class="ct-col-claim"><span class="ct-attribution">{piece.attribution}:</span>'
            f' <a href="{self.page.up}{piece.href}">{piece.statement}</a></td>\n'
            f"  {figure}\n"
            f'  <td class="ct-col-status" data-value="{order}">{piece.badge}</td>\n'
            f"{self.claimant(claim.claimant)}"
            f'  <td class="ct-col-made" data-label="Made" data-value="{claim.date or ""}">'
            f"{human(claim.date, 'date unknown')}</td>\n"
            f'  <td class="ct-col-tags">{tags}</td>\n'
            "</tr>"
        )


class Rows:
    """Rows of HTML made as a template loops over them; shown whole (``{{ rows }}``), all of them joined."""

    def __init__(self, rows: Iterator[Markup]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Markup]:
        return self._rows

    def __html__(self) -> str:
        return "".join(self._rows)


class PageContext:
    """What depends on the page being rendered: links relative to it, and markdown whose ``[[kind:id]]``
    references link from it. The rest is a global of the environment (:func:`template_environment`)."""

    def __init__(self, renderer: Renderer, here: str) -> None:
        self.r = renderer
        # Every page URL is a folder ("claims/x/", see url_of), so a link from it is "../" per level, then the target.
        self.up = "../" * here.count("/")
        self._around: dict[tuple[str, str], tuple[Passage | None, frozenset[Read]]] = {}

    def around(self, source_id: str | None, quote: str | None) -> Passage | None:
        """The passage of a source's text around ``quote`` (:meth:`Passages.around`): found once per page, which
        shows it up to three times (a claim's quote, in context, and where it appeared); not kept longer, as
        every quote's passage would be most of a build's memory."""
        r = self.r
        if source_id is None or quote is None:
            return r.passages.around(source_id, quote)
        return r.remembered(self._around, (source_id, quote), lambda: r.passages.around(source_id, quote))

    def u(self, target: str) -> str:
        """A link to the site-relative ``target`` (``#fragment`` alone stays on this page)."""
        return target if target.startswith("#") else (self.up + target) or "./"

    def url(self, kind: str, item_id: str) -> str:
        """The link to an item's page: ``p.url("party", id)``."""
        return (self.up + self.r.path(kind, item_id)) or "./"

    def href(self, kind: str, item_id: str) -> str:
        """The link to an item's page, escaped for an attribute (``../`` needs no escaping)."""
        return (self.up + self.r.href(kind, item_id)) or "./"

    def claim_link(self, claim: Claim, attributed: bool = True) -> Markup:
        """A link to a claim, with its badge; led by who made it and when unless ``attributed`` is false."""
        return Markup(self._claim_link(self.r.pieces(claim), attributed))

    def _claim_link(self, pieces: ClaimPieces, attributed: bool = True) -> str:
        # One f-string of the claim's pieces: the same HTML as Markup's joins, several times faster. A claim's
        # page is never the site's root: its link is never empty.
        link = f'<a href="{self.up}{pieces.href}">{pieces.statement}</a> {pieces.badge}'
        return f'<span class="ct-attribution">{pieces.attribution}:</span> {link}' if attributed else link

    def claim_items(self, claims: Iterable[Claim]) -> Markup:
        """A list item of each claim's link (:meth:`claim_link`), made in one piece: a long list's loop in a
        template costs more than its links."""
        pieces, link = self.r.pieces, self._claim_link
        return Markup("".join([f"<li>{link(pieces(claim))}</li>" for claim in claims]))

    def headline_items(self, claims: Iterable[Claim]) -> Markup:
        """A list item of each claim's headline (:meth:`Renderer.headline`), linked to its page, made in one piece."""
        pieces, up = self.r.pieces, self.up
        items = []
        for claim in claims:
            piece = pieces(claim)
            items.append(
                f'<li><span class="ct-attribution">{piece.attribution}:</span>'
                f' <a href="{up}{piece.href}">{piece.statement}</a></li>'
            )
        return Markup("".join(items))

    def events(self, events: Iterable[Event]) -> Markup:
        """What happened on one date of the timeline, as a list: sources published; claims made, by claimant;
        evidence given, by source and party (groups in the order of their ids, events in the order given).
        Made in Python: a template's filters and macros, day after day, cost most of the page."""
        r = self.r
        happened = tuple(events)
        lines = ['<ul class="ct-events" data-search-exclude>\n']
        for event in happened:
            if event.kind == "source" and event.source is not None:
                source = event.source
                mark = self.inferred_mark(source, "published", self.url("source", source.id))
                lines.append(
                    '  <li class="ct-event ct-event-source"><span class="ct-event-kind">Published</span>'
                    f" {self.source_ref(source.id)}{mark}</li>\n"
                )
        made = sorted((event for event in happened if event.kind == "claim"), key=_party)
        pieces, link, up = r.pieces, self._claim_link, self.up
        for claimant, by_claimant in groupby(made, key=_party):
            claims = [event.claim for event in by_claimant if event.claim is not None]
            count = "Claim made" if len(claims) == 1 else f"{format.number(len(claims))} claims made"
            items = []
            for claim in claims:
                piece = pieces(claim)
                items.append(f"{link(piece, False)}{_inferred_mark(claim, 'date', up + piece.href)}")
            lines.append(
                f'  <li class="ct-event ct-event-claim"><span class="ct-event-kind">{count}</span>'
                f" by {escape(r.title('party', claimant))}:{_grouped(items)}"
            )
        given = sorted((e for e in happened if e.kind == "evidence" and e.source is not None), key=_source_id)
        for source_id, in_source in groupby(given, key=_source_id):
            for party, by_party in groupby(sorted(in_source, key=_party), key=_party):
                items = [self._evidence(event) for event in by_party]
                lines.append(
                    '  <li class="ct-event ct-event-evidence"><span class="ct-event-kind">Evidence</span>'
                    f" from {escape(r.title('party', party))} in {self.source_ref(source_id, omit=party)}:"
                    f"{_grouped(items)}"
                )
        lines.append("</ul>\n")
        return Markup("".join(lines))

    def _evidence(self, event: Event) -> str:
        claim = event.claim
        assert claim is not None
        piece = self.r.pieces(claim)  # its headline (Renderer.headline), linked to the evidence, and its badge
        return (
            f'{escape(event.stance)} <span class="ct-attribution">{piece.attribution}:</span>'
            f' <a href="{self.up}{piece.href}#rebuttal-{event.rebuttal}">{piece.statement}</a> {piece.badge}'
        )

    def claim_row(self, claim: Claim, unit_order: list[str]) -> Markup:
        """A claim's row of the table of all claims (with what its sorting and filters read)."""
        return Markup(_ClaimRows(self, unit_order).row(claim))

    def claim_rows(self, claims: Iterable[Claim], unit_order: list[str]) -> Rows:
        """The rows of the table of all claims (:meth:`claim_row`), each followed by a line break, each made in one
        piece: ten thousand rows of a template's pieces are most of the memory a large build takes, and a
        template's loop costs more than its rows. Looped over, not joined: the page's text is the one copy of
        them all (shown whole, ``{{ p.claim_rows(…) }}``, they are joined first)."""
        row = _ClaimRows(self, unit_order).row
        return Rows(Markup(f"{row(claim)}\n") for claim in claims)

    def basis(self, item: Any, name: str) -> Markup:
        """Where the fact ``name`` about ``item`` (a source's author, a claim's date) comes from: the source
        that states it, or the reasoning; "" where the item's record says nothing of it."""
        b = item.basis_of(name)
        if not b:
            return Markup("")
        if b.is_inferred:
            from_source = f" (from {self._source_link(b.source)})" if b.source else ""
            said = f'<span class="ct-inferred">Inferred</span> {self.md_inline(b.inferred)}{from_source}'
        else:
            via = f" (quoted in {self._source_link(b.via)})" if b.via else ""
            locator = f", {escape(b.locator)}" if b.locator else ""
            quote = f": <q>{escape(b.quote)}</q>" if b.quote else ""
            said = f"Stated in {self._source_link(b.source)}{via}{locator}{quote}"
        css = " ct-basis-inferred" if b.is_inferred else ""
        return Markup(f'<div class="ct-basis{css}">{said}</div>\n')

    def _source_link(self, source_id: str) -> str:
        return f'<a href="{escape(self.url("source", source_id))}">{escape(self.r.title("source", source_id))}</a>'

    def inferred_mark(self, item: Any, name: str, href: str) -> Markup:
        """A short mark beside a fact that is inferred, for pages that do not show the reasoning."""
        return Markup(_inferred_mark(item, name, str(escape(href))))

    def passage_text(self, passage: Passage, link: bool = False) -> Markup:
        """A passage's text, its quoted words marked; on a source page (``link``), each marked quote linked to
        the first claim quoting it."""
        parts = []
        for piece in passage.pieces:
            text = escape(piece.text)
            if piece.quoted and link and piece.claims:
                href = escape(self.url("claim", piece.claims[0]))
                parts.append(f'<a class="ct-mark-link" href="{href}"><mark>{text}</mark></a>')
            elif piece.quoted:
                parts.append(f"<mark>{text}</mark>")
            else:
                parts.append(f"<span data-search-exclude>{text}</span>")
        return Markup("".join(parts))

    def where(self, source: Source) -> Markup:
        """Where the original of a source is: its address and archived copy, or plainly that they are not on
        the record; and this project's copy of its text, if any."""
        if source.url:
            original = f'<a class="ct-original" href="{escape(source.url)}" rel="nofollow noopener">Original</a>'
        else:
            original = '<span class="ct-no-address">Address of the original: not on the record</span>'
        if source.archive_url:
            when = f" ({escape(source.archive_date.human())})" if source.archive_date else ""
            href = escape(source.archive_url)
            archived = f'<a class="ct-archive" href="{href}" rel="nofollow noopener">Archived copy</a>{when}'
        else:
            archived = "archived copy: none on the record"
        snapshot = self.r.snapshot_url(source.id)
        copy = (
            f' · <a class="ct-snapshot" href="{escape(snapshot)}" rel="nofollow noopener">'
            "This project’s copy of the text</a>"
            if snapshot
            else ""
        )
        return Markup(f'<p class="ct-where">{original} · {archived}{copy}</p>')

    def in_context(self, source_id: str, quote: str, plain: bool = True, label: str = "In context") -> Markup:
        """``quote`` from the source ``source_id`` in its passage (:mod:`claimledger.site.passages`): the
        sentences around it in the copy of the source kept as evidence, and where a reader can check the
        original. Without a copy of the source's text, the quote alone (unless ``plain`` is false: it is
        shown already) and a note that says so. A snapshot is a third party's text: only these passages of
        it are ever shown."""
        r = self.r
        source = r.dataset.sources[source_id]
        passage = self.around(source_id, quote)
        url = self.url("source", source_id)
        cited = f'<cite><a href="{escape(url)}">{escape(r.title("source", source_id))}</a></cite>'
        if passage:
            return Markup(
                '<figure class="ct-context">\n<figcaption class="ct-context-caption" data-search-exclude>'
                f'<span class="ct-context-label">{escape(label)}</span> in the copy of {cited} kept as evidence:'
                " the sentence before and after, the quoted words highlighted.</figcaption>\n"
                f'<blockquote class="ct-passage" cite="{escape(source.url or url)}">'
                f"<p>{self.passage_text(passage)}</p></blockquote>\n{self.where(source)}\n</figure>\n"
            )
        shown = f'<blockquote class="ct-quote"><p>{escape(quote)}</p></blockquote>\n' if plain else ""
        return Markup(
            f'{shown}<p class="ct-context-none">No copy of the text of {cited} is on the record, so the quote'
            f" cannot be shown in its context.</p>\n{self.where(source)}\n"
        )

    def source_ref(self, source_id: str, omit: str | None = None, css: str = "") -> Markup:
        """A source as cited: its title, with who wrote or published it (but ``omit``, a party named just
        before), so that a title never reads as the words of the party next to it."""
        r = self.r
        attributes = f' class="{escape(css)}"' if css else ""
        title = escape(r.title("source", source_id))
        cited = f'<cite><a{attributes} href="{self.href("source", source_id)}">{title}</a></cite>'
        source = r.dataset.sources.get(source_id)
        if source is None:
            return Markup(cited)
        if source.author:
            author = r.title("party", source.author) if source.author != omit else ""
        else:
            author = source.author_shown or ""
        publisher = r.title("party", source.publisher) if source.publisher not in (None, omit, source.author) else ""
        names = ", ".join(str(escape(name)) for name in (author, publisher) if name)
        return Markup(f'{cited} <span class="ct-credit">({names})</span>' if names else cited)

    def _resolve(self, kind: str, item_id: str, label: str | None) -> str:
        found = self.r.label_for(kind, item_id)
        if found is None:
            return str(escape(label or item_id))
        text, badge = found
        url = self.url(kind, item_id)
        return f'<a href="{escape(url)}" class="ct-ref">{escape(label or text)}</a>{" " + badge if badge else ""}'

    def md(self, text: str | None) -> Markup:
        return Markup(markup.render(text, self._resolve)) if text else Markup("")

    def md_inline(self, text: str | None) -> Markup:
        return Markup(markup.render_inline(text, self._resolve)) if text else Markup("")
