"""Figures you can compute with: derived figures recomputed, conversions' rates, metrics compared.

- A claim with a ``derivation`` states a figure computed by a formula of
  :data:`claimledger.record.arithmetic.FORMULAS` from other claims or from values the text gives: it is
  recomputed, and a stated figure further from the result than its stated precision allows is an
  error naming both numbers (``derived-figure``).
- A conversion records the rate it used, with the rate's source and date, or says ``rate:
  unknown``; a rate on record is applied and checked like a derived figure; a conversion that says
  nothing about its rate is shown as unchecked, with a warning (``conversion-rate``).
- A change against a baseline so large that no reader could use it (beyond ±(2^53 − 1) percent, points
  or times: figures that far apart hold a typo) is an error (``change-range``), never a crash.
- Metrics (``claims/metrics/``) and the references to them resolve (``ref-metric``); a claim whose
  baseline or operands are values of a metric defined otherwise gets a warning
  (``metric-definition``): the two figures may not count the same thing.
- Every figure of one metric is in one unit, the unit most of them share (of equal numbers, the earliest
  period's): a figure in another unit is an error at its ``unit`` (``metric-unit``), for the metric's chart
  would show every figure in one unit.
- A quote that gives the figure as a percentage next to a word of direction ("dropped by 42%", "a 17%
  increase") states a change: recorded in a level's unit it gets a warning (``change-unit``), and recorded
  as a change of the other sign too (``change-sign``). Only a percentage equal to the figure is read, and
  "fell to 12%" is a level, so the rule stays quiet where the words do not say.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, localcontext

from ..findings import Finding, error, warning
from ..record import arithmetic
from ..record.kinds import KINDS
from ..record.layout import KIND_FOLDERS
from ..record.model import Claim, Conversion, Dataset, Metric, Rate
from ..record.yamlsafe import Document, FieldPath, format_field

UNKNOWN = "unknown"


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    known = {name: kind.items(dataset) for name, kind in KINDS.items()}

    def ref(document: Document, path: FieldPath, kind: str, value: str | None) -> Iterator[Finding]:
        if value is None or value in known[kind] or value in dataset.broken_ids.get(kind, ()):
            return
        close = difflib.get_close_matches(value, list(known[kind]), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        yield error(
            document.path,
            document.position(path),
            f"ref-{kind}",
            format_field(path),
            f"unknown {kind} '{value}'",
            hint + f"create {KIND_FOLDERS[kind]}{value}.yaml or correct the id",
        )

    for metric in dataset.metrics.values():
        doc = metric.document
        if metric.counted_by != UNKNOWN:
            yield from ref(doc, ("counted_by",), "party", metric.counted_by)
        for i, source in enumerate(metric.sources):
            yield from ref(doc, ("sources", i), "source", source)
    for claim in dataset.claims.values():
        doc = claim.document
        yield from ref(doc, ("metric",), "metric", claim.metric)
        if claim.baseline is not None:
            yield from ref(doc, ("baseline", "metric"), "metric", claim.baseline.metric)
            yield from _baseline_metric(dataset, claim)
            yield from _change(claim)
        for i, conversion in enumerate(claim.conversions):
            if isinstance(conversion.rate, Rate):
                yield from ref(doc, ("conversions", i, "rate", "source"), "source", conversion.rate.source)
            yield from _conversion(claim, i, conversion)
        if claim.derivation is not None:
            for i, operand in enumerate(claim.derivation.operands):
                yield from ref(doc, ("derivation", "from", i, "claim"), "claim", operand.claim)
            yield from _derivation(dataset, claim)
        yield from _direction(claim)
    for metric in dataset.metrics.values():
        yield from _metric_units(metric, [c for c in dataset.claims.values() if c.metric == metric.id])


# Numbers a finding writes out in full; others in scientific notation (1.5E+42), to ten digits.
_PLAIN_FROM, _PLAIN_BELOW = Decimal("1e-6"), Decimal("1e21")


def _number(value: Decimal | float) -> str:
    """A number as a finding shows it: plain, at most ten places; a very large or small one as 1.5E+42."""
    number = value if isinstance(value, Decimal) else arithmetic.decimal(value)
    if number and not _PLAIN_FROM <= abs(number) < _PLAIN_BELOW:
        with localcontext() as context:
            context.prec = 10
            return f"{(+number).normalize():E}"
    return f"{arithmetic.round_to(number, Decimal('1e-10')).normalize():f}"


def _derivation(dataset: Dataset, claim: Claim) -> Iterator[Finding]:
    derivation = claim.derivation
    assert derivation is not None
    doc = claim.document
    values: list[float] = []
    for i, operand in enumerate(derivation.operands):
        if operand.claim is None:
            assert operand.value is not None  # the schema requires one of the two
            values.append(operand.value)
            continue
        other = dataset.claims.get(operand.claim)
        if other is None:
            return  # reported as ref-claim
        if other.value is None:
            path: FieldPath = ("derivation", "from", i, "claim")
            yield error(
                doc.path,
                doc.position(path),
                "derived-figure",
                format_field(path),
                f"claim '{other.id}' states no figure to compute with",
                "name a claim that has a value, or give the figure as `value:` with its `quote:`",
            )
            return
        values.append(other.value)
        if claim.metric and other.metric and other.metric != claim.metric and derivation.formula != "share":
            yield _metric_warning(doc, path_of_operand(i), claim.metric, other.metric, other.id)
    if claim.value is None:
        yield error(
            doc.path,
            doc.position(("derivation",)),
            "derived-figure",
            "derivation",
            "a derivation needs the figure it derives: the claim has no value",
            "add `value:` and `unit:` for the stated figure, or remove the derivation",
        )
        return
    computed = arithmetic.compute(derivation.formula, values)
    if computed is None:
        yield error(
            doc.path,
            doc.position(("derivation", "formula")),
            "derived-figure",
            "derivation.formula",
            f"{derivation.formula} of {', '.join(_number(v) for v in values)} cannot be computed (a division by zero)",
            "check the operands and their order",
        )
        return
    step = None if derivation.precision is None else arithmetic.precision_resolution(derivation.precision)
    if not arithmetic.agrees(claim.value, computed, step):
        shown = arithmetic.round_to(computed, step or arithmetic.resolution(claim.value))
        yield error(
            doc.path,
            doc.position(("value",)),
            "derived-figure",
            "value",
            f"the stated figure {_number(claim.value)} does not match {derivation.formula} of "
            f"{', '.join(_number(v) for v in values)}, which is {_number(computed)} "
            f"(rounded as stated: {_number(shown)})",
            "correct the value or the operands; if the text rounds differently, say to how many places with "
            "`derivation.precision`",
        )


def path_of_operand(index: int) -> FieldPath:
    return ("derivation", "from", index, "claim")


def _conversion(claim: Claim, index: int, conversion: Conversion) -> Iterator[Finding]:
    doc = claim.document
    path: FieldPath = ("conversions", index)
    rate = conversion.rate
    if rate is None:
        yield warning(
            doc.path,
            doc.position(path),
            "conversion-rate",
            format_field(path),
            f"the conversion to {conversion.unit} records no exchange rate: it is shown as unchecked",
            "add `rate: {value: …, source: …, date: …}` from a source that gives the rate, or `rate: unknown` "
            "if none does; never guess a rate",
        )
        return
    if rate == UNKNOWN:
        return
    assert isinstance(rate, Rate)
    missing = [name for name, value in (("source", rate.source), ("date", rate.date)) if value is None]
    if missing:
        rate_path: FieldPath = (*path, "rate")
        yield error(
            doc.path,
            doc.position(rate_path),
            "conversion-rate",
            format_field(rate_path),
            f"the exchange rate {_number(rate.value)} does not say its {' or '.join(missing)}: "
            "a rate without them cannot be checked",
            "add the `source` the rate was read from and the `date` it applies to, or write `rate: unknown`",
        )
        return
    if claim.value is None:
        return
    computed = arithmetic.decimal(claim.value) * arithmetic.decimal(rate.value)
    if not arithmetic.agrees(conversion.value, computed):
        yield error(
            doc.path,
            doc.position((*path, "value")),
            "derived-figure",
            format_field((*path, "value")),
            f"the converted figure {_number(conversion.value)} {conversion.unit} does not match "
            f"{_number(claim.value)} × {_number(rate.value)} = {_number(computed)}",
            "correct the converted value or the rate",
        )


def _change(claim: Claim) -> Iterator[Finding]:
    """The change against the baseline, as the site and the exports compute it, is one a reader can use."""
    baseline = claim.baseline
    assert baseline is not None
    if claim.value is None:
        return
    computed = arithmetic.change(baseline.value, claim.value, claim.unit, baseline.change)
    if arithmetic.usable(computed):
        return
    doc = claim.document
    size = _number(computed.difference if computed.exact is None else computed.exact)
    unit = "" if computed.exact is None else f" {computed.unit}"
    yield error(
        doc.path,
        doc.position(("baseline", "value")),
        "change-range",
        "baseline.value",
        f"the change from the baseline {_number(baseline.value)} to the figure {_number(claim.value)} is {size}{unit}: "
        "too large for any reader to use, or for the site and the exports to show",
        "check both figures for a typo: a missing decimal point, an exponent, thousands written for millions; "
        f"a change is shown only within ±{arithmetic.LARGEST_CHANGE:,}",
    )


def _baseline_metric(dataset: Dataset, claim: Claim) -> Iterator[Finding]:
    baseline = claim.baseline
    assert baseline is not None
    if baseline.metric is None or claim.metric is None or baseline.metric == claim.metric:
        return
    yield _metric_warning(claim.document, ("baseline", "metric"), claim.metric, baseline.metric, None)


def _metric_warning(doc: Document, path: FieldPath, mine: str, other: str, other_claim: str | None) -> Finding:
    whose = f"claim '{other_claim}'" if other_claim else "the baseline"
    return warning(
        doc.path,
        doc.position(path),
        "metric-definition",
        format_field(path),
        f"this figure is a value of metric '{mine}' but {whose} is a value of '{other}': the two may not count "
        "the same thing, so the comparison may mislead",
        "say in the rationale or notes how the definitions differ, or compare figures of one metric",
    )


# The units that state a change, and the words that give a change its direction (whole words, any case).
CHANGE_UNITS = frozenset({"percent-change"})
FALL_WORDS = frozenset({"drop", "dropped", "drops", "fell", "fall", "falls", "decrease", "decreased", "decline"})
FALL_WORDS |= {"declined", "down", "reduced", "reduction", "cut"}
RISE_WORDS = frozenset({"rise", "rose", "rises", "increase", "increased", "grew", "growth", "up", "gain", "gained"})
_WORD = r"[A-Za-z]+"
_NUMBER = r"(\d[\d,]*(?:\.\d+)?)"
_PERCENT = r"\s*(?:%|percent\b|per\s+cent\b)"
# "dropped by 42%", "down 42 %", "a fall of nearly 42 percent" (never "fell to 42%": a level) ...
_WORD_THEN_NUMBER = re.compile(
    rf"\b({_WORD})\s+(?:(?:by|of|some|about|around|nearly|almost|over|more\s+than)\s+)*{_NUMBER}{_PERCENT}",
    re.IGNORECASE,
)
# ... and "a 17% increase", "42 percent drop".
_NUMBER_THEN_WORD = re.compile(rf"(?<![\d.,]){_NUMBER}{_PERCENT}\s+({_WORD})\b", re.IGNORECASE)


def directions(quote: str, value: float) -> set[str]:
    """The directions ("fall", "rise") the quote gives a percentage equal to ``value`` (its size)."""
    size = abs(arithmetic.decimal(value))
    found: set[str] = set()
    pairs = [(m.group(1), m.group(2)) for m in _WORD_THEN_NUMBER.finditer(quote)]
    pairs += [(m.group(2), m.group(1)) for m in _NUMBER_THEN_WORD.finditer(quote)]
    for word, number in pairs:
        if Decimal(number.replace(",", "")) != size:
            continue
        if word.lower() in FALL_WORDS:
            found.add("fall")
        elif word.lower() in RISE_WORDS:
            found.add("rise")
    return found


def _direction(claim: Claim) -> Iterator[Finding]:
    if claim.quote is None or claim.value is None or claim.unit is None:
        return
    found = directions(claim.quote, claim.value)
    if len(found) != 1:
        return  # no direction given, or both: nothing the words settle
    (direction,) = found
    size = _number(abs(arithmetic.decimal(claim.value)))
    signed = f"-{size}" if direction == "fall" else size
    said = "fell" if direction == "fall" else "rose"
    doc = claim.document
    if claim.unit not in CHANGE_UNITS:
        yield warning(
            doc.path,
            doc.position(("unit",)),
            "change-unit",
            "unit",
            f"the quote says the figure {said} by {size} %, a change, but the unit is `{claim.unit}`",
            f"a change is `unit: percent-change`, signed as it went: `value: {signed}`; keep `{claim.unit}` only if "
            'the figure is a level (a share such as "95 % closed") and the quote\'s words say otherwise',
        )
        return
    if (direction == "fall") == (claim.value < 0) or claim.value == 0:
        return
    yield warning(
        doc.path,
        doc.position(("value",)),
        "change-sign",
        "value",
        f"the quote says the figure {said} by {size} %, but the value {_number(claim.value)} is a "
        f"{'rise' if claim.value > 0 else 'fall'}",
        f"a change is signed as it went: a fall is negative, a rise positive; write `value: {signed}`",
    )


def _metric_units(metric: Metric, claims: list[Claim]) -> Iterator[Finding]:
    """Every figure of ``metric`` in the unit most of them share; of equal numbers, the earliest period's."""
    figures = sorted(
        (c for c in claims if c.value is not None and c.unit is not None),
        key=lambda c: (c.period is None, str(c.period.start) if c.period else "", c.id),
    )
    if not figures:
        return
    counts = Counter(c.unit for c in figures)
    unit = max(counts, key=lambda u: (counts[u], -next(i for i, c in enumerate(figures) if c.unit == u)))
    example = next(c for c in figures if c.unit == unit)
    for claim in figures:
        if claim.unit == unit:
            continue
        doc = claim.document
        yield error(
            doc.path,
            doc.position(("unit",)),
            "metric-unit",
            "unit",
            f"the figure is in `{claim.unit}` but the figures of metric '{metric.id}' are in `{unit}`: "
            "its chart would show them all in one unit",
            f"record the figure in `{unit}`, as claim '{example.id}' does, or name another metric (or none); a "
            "change against an earlier figure belongs in the claim's `baseline:`",
        )
