"""Figures you can compute with: derived figures recomputed, conversions' rates, metrics compared.

The rules (``derived-figure``, ``conversion-rate``, ``change-range``, ``metric-definition``, ``metric-unit``,
``change-unit``, ``change-sign``) mean what claimledger/data/rules.yaml says (the methodology page lists them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, localcontext

from ..findings import Finding
from ..record import arithmetic
from ..record.model import Baseline, Claim, Conversion, Dataset, Metric, Rate
from ..record.yamlsafe import Document, FieldPath
from .references import report


def check(dataset: Dataset, today: dt.date) -> Iterator[Finding]:
    """Derived figures, which read the claims they derive from, and each metric's units across its claims (what
    a claim's own figures say: :func:`check_item`)."""
    for claim in dataset.claims.values():
        if claim.derivation is not None:
            yield from _derivation(dataset, claim)
    for metric in dataset.metrics.values():
        yield from _metric_units(metric, [c for c in dataset.claims.values() if c.metric == metric.id])


def check_item(item: object, project: Dataset) -> Iterator[Finding]:
    """A claim's own figures: its baseline's metric and change, its conversions, the direction its quote gives."""
    if not isinstance(item, Claim):
        return
    baseline = item.baseline
    if baseline is not None and baseline.metric and item.metric and baseline.metric != item.metric:
        yield _metric_warning(item.document, ("baseline", "metric"), item.metric, baseline.metric, None)
    if baseline is not None and item.value is not None:
        yield from _change(item, baseline, item.value)
    for i, conversion in enumerate(item.conversions):
        yield from _conversion(item, i, conversion)
    yield from _direction(item)


# Numbers a finding writes out in full; others in scientific notation (1.5E+42), to ten digits.
_PLAIN_FROM, _PLAIN_BELOW = Decimal("1e-6"), Decimal("1e21")


def _number(value: Decimal | float) -> str:
    """A number as a finding shows it: plain, at most ten places; a very large or small one as 1.5E+42."""
    number = value if isinstance(value, Decimal) else arithmetic.decimal(value)
    if number and not _PLAIN_FROM <= abs(number) < _PLAIN_BELOW:
        with localcontext(prec=10):
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
        path: FieldPath = ("derivation", "from", i, "claim")
        if other.value is None:
            message = f"claim '{other.id}' states no figure to compute with"
            hint = "name a claim that has a value, or give the figure as `value:` with its `quote:`"
            yield report(doc, path, "derived-figure", message, hint)
            return
        values.append(other.value)
        if claim.metric and other.metric and other.metric != claim.metric and derivation.formula != "share":
            yield _metric_warning(doc, path, claim.metric, other.metric, other.id)
    if claim.value is None:
        yield report(
            doc,
            ("derivation",),
            "derived-figure",
            "a derivation needs the figure it derives: the claim has no value",
            "add `value:` and `unit:` for the stated figure, or remove the derivation",
        )
        return
    computed = arithmetic.compute(derivation.formula, values)
    operands = ", ".join(_number(v) for v in values)
    step = None if derivation.precision is None else arithmetic.precision_resolution(derivation.precision)
    if computed is None:
        message = f"{derivation.formula} of {operands} cannot be computed (a division by zero)"
        yield report(doc, ("derivation", "formula"), "derived-figure", message, "check the operands and their order")
    elif not arithmetic.agrees(claim.value, computed, step):
        shown = arithmetic.round_to(computed, step or arithmetic.resolution(claim.value))
        yield report(
            doc,
            ("value",),
            "derived-figure",
            f"the stated figure {_number(claim.value)} does not match {derivation.formula} of {operands}, which "
            f"is {_number(computed)} (rounded as stated: {_number(shown)})",
            "correct the value or the operands; if the text rounds differently, say to how many places with "
            "`derivation.precision`",
        )


def _conversion(claim: Claim, index: int, conversion: Conversion) -> Iterator[Finding]:
    doc = claim.document
    path: FieldPath = ("conversions", index)
    rate = conversion.rate
    if rate is None:
        yield report(
            doc,
            path,
            "conversion-rate",
            f"the conversion to {conversion.unit} records no exchange rate: it is shown as unchecked",
            "add `rate: {value: …, source: …, date: …}` from a source that gives the rate, or `rate: unknown` "
            "if none does; never guess a rate",
            warn=True,
        )
    if not isinstance(rate, Rate):  # none, or `unknown`
        return
    missing = [name for name, value in (("source", rate.source), ("date", rate.date)) if value is None]
    if missing:
        yield report(
            doc,
            (*path, "rate"),
            "conversion-rate",
            f"the exchange rate {_number(rate.value)} does not say its {' or '.join(missing)}: "
            "a rate without them cannot be checked",
            "add the `source` the rate was read from and the `date` it applies to, or write `rate: unknown`",
        )
        return
    if claim.value is None:
        return
    computed = arithmetic.decimal(claim.value) * arithmetic.decimal(rate.value)
    if not arithmetic.agrees(conversion.value, computed):
        yield report(
            doc,
            (*path, "value"),
            "derived-figure",
            f"the converted figure {_number(conversion.value)} {conversion.unit} does not match "
            f"{_number(claim.value)} × {_number(rate.value)} = {_number(computed)}",
            "correct the converted value or the rate",
        )


def _change(claim: Claim, baseline: Baseline, value: float) -> Iterator[Finding]:
    """The change against the baseline, as the site and the exports compute it, is one a reader can use."""
    computed = arithmetic.change(baseline.value, value, claim.unit, baseline.change)
    if arithmetic.usable(computed):
        return
    size = _number(computed.difference if computed.exact is None else computed.exact)
    unit = "" if computed.exact is None else f" {computed.unit}"
    yield report(
        claim.document,
        ("baseline", "value"),
        "change-range",
        f"the change from the baseline {_number(baseline.value)} to the figure {_number(value)} is {size}{unit}: "
        "too large for any reader to use, or for the site and the exports to show",
        "check both figures for a typo: a missing decimal point, an exponent, thousands written for millions; "
        f"a change is shown only within ±{arithmetic.LARGEST_CHANGE:,}",
    )


def _metric_warning(doc: Document, path: FieldPath, mine: str, other: str, other_claim: str | None) -> Finding:
    whose = f"claim '{other_claim}'" if other_claim else "the baseline"
    return report(
        doc,
        path,
        "metric-definition",
        f"this figure is a value of metric '{mine}' but {whose} is a value of '{other}': the two may not count "
        "the same thing, so the comparison may mislead",
        "say in the rationale or notes how the definitions differ, or compare figures of one metric",
        warn=True,
    )


# The words that give a change its direction (whole words, any case).
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
    pairs = [(m.group(1), m.group(2)) for m in _WORD_THEN_NUMBER.finditer(quote)]
    pairs += [(m.group(2), m.group(1)) for m in _NUMBER_THEN_WORD.finditer(quote)]
    sized = [word.lower() for word, number in pairs if Decimal(number.replace(",", "")) == size]
    return {"fall" for word in sized if word in FALL_WORDS} | {"rise" for word in sized if word in RISE_WORDS}


def _direction(claim: Claim) -> Iterator[Finding]:
    if claim.quote is None or claim.value is None or claim.unit is None:
        return
    found = directions(claim.quote, claim.value)
    if len(found) != 1:
        return  # no direction given, or both: nothing the words settle
    fall = found == {"fall"}
    size = _number(abs(arithmetic.decimal(claim.value)))
    signed = f"-{size}" if fall else size
    said = "fell" if fall else "rose"
    if claim.unit != "percent-change":
        yield report(
            claim.document,
            ("unit",),
            "change-unit",
            f"the quote says the figure {said} by {size} %, a change, but the unit is `{claim.unit}`",
            f"a change is `unit: percent-change`, signed as it went: `value: {signed}`; keep `{claim.unit}` only if "
            'the figure is a level (a share such as "95 % closed") and the quote\'s words say otherwise',
            warn=True,
        )
    elif fall != (claim.value < 0) and claim.value != 0:
        yield report(
            claim.document,
            ("value",),
            "change-sign",
            f"the quote says the figure {said} by {size} %, but the value {_number(claim.value)} is a "
            f"{'rise' if claim.value > 0 else 'fall'}",
            f"a change is signed as it went: a fall is negative, a rise positive; write `value: {signed}`",
            warn=True,
        )


def _metric_units(metric: Metric, claims: list[Claim]) -> Iterator[Finding]:
    """Every figure of ``metric`` in the unit most of them share; of equal numbers, the earliest period's."""
    figures = sorted(
        (c for c in claims if c.value is not None and c.unit is not None),
        key=lambda c: (c.period is None, str(c.period.start) if c.period else "", c.id),
    )
    if not figures:
        return
    unit = Counter(c.unit for c in figures).most_common(1)[0][0]  # of equal counts, the first: the earliest period's
    example = next(c for c in figures if c.unit == unit)
    for claim in figures:
        if claim.unit != unit:
            yield report(
                claim.document,
                ("unit",),
                "metric-unit",
                f"the figure is in `{claim.unit}` but the figures of metric '{metric.id}' are in `{unit}`: "
                "its chart would show them all in one unit",
                f"record the figure in `{unit}`, as claim '{example.id}' does, or name another metric (or none); a "
                "change against an earlier figure belongs in the claim's `baseline:`",
            )
