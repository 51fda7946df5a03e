"""Quotes in context: the sentences of a source's snapshot around each quote, the quoted words marked.

The site never publishes a snapshot whole, only these passages: the sentences holding a quote and one
on either side, found as ``claimledger check`` finds quotes (white space folded). Where cutting into
sentences fails, at most :data:`CONTEXT` characters are shown beside a quote, cut at a word with an
ellipsis. docs/reference.md describes where sentences are cut.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from ..checks.quotes import claim_quotes, normalise
from ..record.model import Claim, Dataset

# Sentence ends: a line break unless a lower-case letter follows (a wrapped paragraph); ., ! or ? then
# white space and no lower-case letter (not after an abbreviation or list number, _SHORT); 。！？.
_END = re.compile(
    r"[.!?][\"'\u201d\u2019\u00bb)\]]*(?=\s+[^\sa-z])|[\u3002\uff01\uff1f][\u201d\u300d\u300f\uff09]*|\n(?![ \t]*[a-z])"
)
CONTEXT = 400  # characters of the text shown at most before, after and between quotes
_SHORT = re.compile(r"(?<!\w)(?:[A-Z][a-z]{0,2}|[0-9]{1,2})\.$")


def _pieces(text: str) -> list[str]:
    found, start = [], 0
    for end in _END.finditer(text):
        if end.group() == "\n" or not _SHORT.search(text, max(0, end.start() - 3), end.start() + 1):
            found.append(text[start : end.end()])
            start = end.end()
    return [*found, text[start:]]


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, normalised; joined by spaces they are ``normalise(text)``."""
    return [sentence for sentence in map(normalise, _pieces(text)) if sentence]


@dataclass(frozen=True)
class Piece:
    text: str  # a line break where a sentence starts a line of the snapshot
    quoted: bool = False
    claims: tuple[str, ...] = ()  # the ids of the claims that quote it (on a source page)


@dataclass(frozen=True)
class Passage:
    """Whole sentences of a snapshot around one or more quotes, as pieces of text."""

    pieces: tuple[Piece, ...]
    claims: tuple[str, ...] = ()  # the ids of the claims that quote it, in the text's order

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)


@dataclass(frozen=True)
class _Found:
    file: str
    first: int  # the passage's first and last sentence
    last: int
    start: int  # the quote's first character and the one after it
    end: int
    claim: str = ""
    rank: int = 0  # 0: the claim's own words; 1: evidence, or a figure's (a mark links to its claim's first)


@dataclass(frozen=True)
class _Text:
    text: str  # normalised
    shown: str  # the same, but for a line break before each sentence that starts a line
    starts: tuple[int, ...]  # where each sentence starts in it

    @classmethod
    def of(cls, raw: str) -> _Text:
        parts: list[str] = []
        shown, newline = [], False  # a sentence that starts a line is shown on a line of its own
        for piece in _pieces(raw):
            if part := normalise(piece):
                shown.append(("\n" if newline else " ") + part)
                parts.append(part)
            newline = piece.endswith("\n") or (newline and not part)
        starts = accumulate((len(part) + 1 for part in parts[:-1]), initial=0)
        return cls(" ".join(parts), "".join(shown)[1:], tuple(starts))

    def find(self, file: str, quote: str, claim: str = "", rank: int = 0) -> _Found | None:
        wanted = normalise(quote)
        start = self.text.find(wanted) if wanted else -1
        if start < 0:
            return None  # claimledger check reports it
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, start + len(wanted) - 1) - 1
        first, last = max(0, first - 1), min(len(self.starts) - 1, last + 1)
        return _Found(file, first, last, start, start + len(wanted), claim, rank)

    def passage(self, found: list[_Found]) -> Passage:
        """The passage of quotes whose sentences run on; overlapping quotes are one mark."""
        last = max(f.last for f in found)
        at = self.starts[found[0].first]
        stop = self.starts[last + 1] - 1 if last + 1 < len(self.starts) else len(self.text)
        marks: list[tuple[int, int, tuple[str, ...]]] = []
        for f in sorted(found, key=lambda f: (f.start, f.rank)):
            claims: tuple[str, ...] = (f.claim,) if f.claim else ()
            if marks and f.start <= marks[-1][1]:
                start, end, before = marks.pop()
                marks.append((start, max(end, f.end), tuple(dict.fromkeys(before + claims))))
            else:
                marks.append((f.start, f.end, claims))
        pieces: list[Piece] = []
        for start, end, by in marks:
            pieces += [Piece(self.shown[at:start]), Piece(self.shown[start:end], True, by)]
            at = end
        pieces.append(Piece(self.shown[at:stop]))
        pieces = [_trimmed(piece, i == 0, i == len(pieces) - 1) for i, piece in enumerate(pieces)]
        quoting = tuple(dict.fromkeys(claim for mark in marks for claim in mark[2]))
        return Passage(tuple(piece for piece in pieces if piece.text), quoting)


def _trimmed(piece: Piece, first: bool, last: bool) -> Piece:
    text = piece.text
    if piece.quoted or len(text) <= (CONTEXT if first or last else 2 * CONTEXT):
        return piece
    head = "" if first else text[:CONTEXT].rsplit(" ", 1)[0] + " …"
    tail = "" if last else "… " + text[-CONTEXT:].split(" ", 1)[-1]
    return Piece(f"{head} {tail}".strip())


def passage_in(text: str, quote: str) -> Passage | None:
    whole = _Text.of(text)
    found = whole.find("", quote)
    return whole.passage([found]) if found else None


@dataclass(frozen=True)
class Passages:
    """Every quote's passage, from the snapshot texts the dataset holds: each text cut into sentences when a
    quote is first looked for in it (a rebuild that shows few quotes cuts few), its read noted at each look."""

    dataset: Dataset
    texts: dict[str, _Text]  # by snapshot file, those cut so far

    @classmethod
    def of(cls, dataset: Dataset) -> Passages:
        return cls(dataset, {})

    def _text(self, file: str, raw: str) -> _Text:
        found = self.texts.get(file)
        if found is None:
            found = self.texts[file] = _Text.of(raw)
        return found

    def _find(self, source_id: str | None, quote: str | None, claim: str = "", rank: int = 0) -> _Found | None:
        found = self.dataset.snapshot_of(source_id) if source_id and quote else None
        if found is None or found[0].snapshot is None or quote is None:
            return None
        file = found[0].snapshot.file
        return self._text(file, found[1]).find(file, quote, claim, rank)

    def around(self, source_id: str | None, quote: str | None) -> Passage | None:
        found = self._find(source_id, quote)
        return self.texts[found.file].passage([found]) if found else None

    def of_sources(self, claims: Iterable[Claim], only: str | None = None) -> dict[str, list[Passage]]:
        """By source id: the passages the quotes of ``claims`` are in, in order, with the claims quoting them
        (passages that overlap or touch are one); those of the source ``only`` alone, if given (the quotes
        of other sources are not looked for)."""
        found: dict[str, list[_Found]] = {}
        for claim in claims:
            paraphrase = claim.paraphrase
            more = [(("paraphrase",), paraphrase.source, paraphrase.text)] if paraphrase else []
            for path, source_id, quote in [*claim_quotes(claim), *more]:
                if source_id is None or (only is not None and source_id != only):
                    continue
                own = path[0] in ("quote", "appearances", "paraphrase")
                if where := self._find(source_id, quote, claim.id, 0 if own else 1):
                    found.setdefault(source_id, []).append(where)
        shown: dict[str, list[Passage]] = {}
        for source_id, places in found.items():
            places.sort(key=lambda f: (f.first, f.start))
            groups: list[list[_Found]] = []
            for place in places:
                if groups and place.first <= max(f.last for f in groups[-1]) + 1:
                    groups[-1].append(place)
                else:
                    groups.append([place])
            shown[source_id] = [self.texts[group[0].file].passage(group) for group in groups]
        return shown
