"""What each finding's rule id means, and what each status's evidence rule demands.

Shown on the methodology page and in docs/reference.md, so that a contributor who
meets a rule id can look it up.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "encoding": "Files are UTF-8 text without control characters such as NUL.",
    "line-ending": "(warning) A YAML file under claims/ has LF line endings, not Windows ones (CRLF): reported at "
    "the first line that has one, with their count; `claimledger fmt FILE` normalises a data file.",
    "byte-order-mark": "(warning) A YAML file under claims/ does not start with a byte-order mark (BOM); "
    "`claimledger fmt FILE` removes it from a data file.",
    "text-control": "No text, field name, hand-written page or value of mkdocs.yml holds a control character "
    "other than tab and line break, a directional formatting character (U+202A-U+202E, U+2066-U+2069), a lone "
    "surrogate or a noncharacter (U+FDD0-U+FDEF, U+FFFE, U+FFFF and the last two code points of every plane: XML "
    "cannot carry them), written out or as a YAML escape (`\\e`, `\\0`, `\\u202e`, `\\uffff`); the marks U+200E, "
    "U+200F and U+061C are allowed.",
    "file-size": "A data file is at most 1 MiB (`max_file_size` in claims/limits.yaml); a larger one is not read.",
    "empty-file": "A file under claims/ holds data; an empty or comment-only file is an error.",
    "yaml-syntax": "The file is well-formed YAML holding exactly one document.",
    "yaml-comment": "No unquoted text is followed on its line by ` #` and a word (`figure #2`): YAML would drop the "
    "rest of the line as a comment; such text goes in quotes. A comment (`# note`, a space after `#`) is fine.",
    "yaml-duplicate-key": "No field is given twice (YAML would silently keep only the last).",
    "yaml-tag": "No YAML tags (`!!python/…`, `!custom`), and numbers are finite.",
    "number-range": "Whole numbers lie within ±9,007,199,254,740,991 (2^53 - 1, what JSON readers read exactly), "
    "and other numbers within the range of a double (about 1e-308 to 1e308).",
    "yaml-alias": "No anchors and aliases: every value is written out.",
    "yaml-key": "Field names are plain text.",
    "yaml-depth": "Nesting stays shallow.",
    "limit-ceiling": "A limit in claims/limits.yaml stays under its ceiling in claimledger's code (64 MiB for "
    "`max_file_size`, 100,000 for `max_list_items`).",
    "list-length": "A list holds at most 1,000 items (`max_list_items` in claims/limits.yaml).",
    "placeholder": "No value is still a placeholder (text starting with `TODO`, as `claimledger new` writes for a "
    "person to fill in).",
    "schema": "The file matches the JSON Schema for its kind (claimledger/schema/claimledger.schema.json).",
    "schema-copy": "A project's copy of the schema for editors (schema/claimledger.schema.json) is the installed "
    "claimledger's.",
    "id-format": "Ids (file names) use lower-case letters, digits and hyphens, at most 80 characters.",
    "id-reserved": "`index` is not an id: the folder's index page uses it.",
    "duplicate-id": "No two files of one kind share an id, whatever sub-folder they are in. The error is on the "
    "copy, naming the other: on the file git's last commit does not hold, else on the path that sorts later.",
    "file-extension": "Data files end in `.yaml`, in lower case: a `.yml` or `.YAML` file would not be read.",
    "file-name": "File names under claims/ and docs/ hold no control or invisible characters (a line break, a tab).",
    "unsafe-path": "No links that point outside the repository (claims/, docs/, snapshots, CONTRIBUTING.md, "
    "mkdocs.yml) or into git's records (.git/), and none out of docs/ or the theme's custom_dir, even to a file "
    "elsewhere in the repository: such a file is neither read nor published.",
    "broken-symlink": "Every link leads to a file or folder: none dangles, none loops back into itself.",
    "missing-file": "The status scale claims/statuses.yaml exists.",
    "unreadable": "Every file can be read.",
    "ref-claim": "Every claim id mentioned (related, superseded_by, [[claim:…]]) exists.",
    "ref-source": "Every source id mentioned (appearances, rebuttals, provenance, [[source:…]]) exists.",
    "ref-party": "Every party id mentioned (claimant, rebuttal party, affiliation, [[party:…]]) exists.",
    "ref-metric": "Every metric id mentioned (a claim's metric, its baseline's) exists under claims/metrics/.",
    "ref-status": "Every status is on the scale in claims/statuses.yaml.",
    "derived-figure": "A derived figure (derivation) or a conversion with a rate on record matches what it is "
    "computed from, to the precision the figure is stated to.",
    "change-range": "A change against the baseline, computed as the site shows it, lies within ±9,007,199,254,740,991 "
    "(2^53 - 1) percent, percentage points or times: figures further apart hold a typo, and no reader could use it.",
    "conversion-rate": "A conversion records its exchange rate with the rate's source and date, or says `rate: "
    "unknown` (then it is shown as unchecked; a warning where it says neither).",
    "metric-definition": "(warning) A figure is compared only with figures of the same metric; comparing metrics "
    "defined otherwise is flagged.",
    "metric-unit": "Every figure of one metric is in one unit, the unit most of its figures share (of equal "
    "numbers, the earliest period's): the metric's chart shows them all in one unit.",
    "change-unit": '(warning) A figure its quote gives as a percentage next to a word of direction ("dropped by '
    '42%", "a 17% increase") is a change, recorded as `unit: percent-change`; "fell to 12%" is a level.',
    "change-sign": '(warning) A change is signed as its quote says it went: a fall ("dropped", "fell", '
    '"decreased", "declined", "down") negative, a rise ("rose", "increased", "up") positive.',
    "rebuttal-party": "A rebuttal's party wrote or published its source, or belongs to whoever did.",
    "own-calculation": "A claim with neither a quote nor a paraphrase is the publisher's own calculation: its "
    "claimant is the party `party:` names in claims/publisher.yaml, and it has a `derivation` from figures on the "
    "record (checked by derived-figure and shown on its page). A claim by that party always has one.",
    "paraphrase-by": "A paraphrase is credited to whoever wrote or published the source it is in, never to the "
    "claimant (whose own words are a quote).",
    "status-evidence": "The status is justified by the evidence its scale entry demands.",
    "scale": "The status scale is coherent: ratings lie between worst_rating and best_rating.",
    "date-invalid": "Dates are real calendar dates; a period does not end before it starts.",
    "date-future": "No date lies in the future.",
    "period-future": "A period (a claim's, its baseline's) may reach into the future, for a target or a forecast, "
    "but ends by the end of the year 100 years from today; a year such as 9999 or 2202 is a typo.",
    "fact-basis": "A fact about a party or a source that a rule reads (an affiliation, an author or publisher, a "
    "publication date, the availability of the full text) names under `basis:` the source that states it, or is "
    "marked inferred with the reasoning, or is `unknown`; a basis backs a fact the file states.",
    "fact-basis-quote": "A basis that names a source whose text is on the record quotes the words that state the fact.",
    "fact-basis-self": "A fact based on the source itself (`basis: {published: self}`) is stated in that source's "
    "own snapshot: the date in a common written form, the author's or publisher's name, the place.",
    "fact-unsourced": "(warning) A party's role and an event's place have a basis too, or are `unknown`.",
    "review-missing": "A claim whose status is a verdict carries a `review:` signed by an editor (`claimledger "
    "review ID --by EDITOR`); a status that is no verdict (`unverified`) needs none.",
    "review-editor": "A review is signed by editors on the record: ids listed once each under `editors` in "
    "claims/publisher.yaml, with their public names.",
    "review-reviewers": "A verdict is reviewed by as many different editors as its status asks (`reviewers` in "
    "claims/statuses.yaml; one by default).",
    "review-stale": "(warning) A review still covers the claim: its fingerprint is that of the fields readers are "
    "told (claimledger.record.visible). A claim changed since its review shows 'changed since review' instead of its "
    "verdict and carries no ClaimReview until an editor reviews it again.",
    "log-order": "A claim's log of editorial changes runs oldest first.",
    "log-missing": "(check --changed) A change to any field of a claim that readers are told "
    "(claimledger.record.visible) "
    "adds an entry to its log.",
    "scale-log-missing": "(check --changed) A change to the status scale that alters what published claims show (a "
    "status's label, colour, description, rating, evidence rule or verdict flag; a status removed; the best or "
    "worst rating) adds an entry to the scale's log, listed on the Corrections page and in its feed.",
    "scale-log-rewritten": "(check --changed) The scale's log is append-only: the entries it had at the base of a "
    "change stay as they were, in their order.",
    "review-signed": "(check --changed, warning) A change that adds or alters a claim's review signs its verdict "
    "off in an editor's name: that editor must approve the pull request.",
    "policy-allow-added": "(check --changed, warning) A change adds a name to the site policy's allowlist (the "
    "claimledger plugin's `allow:` in mkdocs.yml), compared with the merge base: named at its line with what it lets "
    "the build run or publish, for a maintainer's review.",
    "governance-change": "(check --changed, warning) A changed file outside the data folders (claims, sources, "
    "parties, metrics, snapshots) changes how the site is governed or built: a maintainer must review it.",
    "log-edited": "(check --changed) The log is append-only: an entry published at the base is never edited (its "
    "date, kind or summary; reflowing its text is no edit).",
    "log-removed": "(check --changed) The log is append-only: no entry published at the base, nor the whole log, is "
    "removed.",
    "log-before-record": "(check --changed) An entry a change adds is not dated before the claim was on the record: "
    "the day its file first reached the base branch (for a new claim, the base's own date); an entry a change adds "
    "to the scale's log is not dated before the base was last changed.",
    "claim-deleted": "(check --changed) A claim on the record at the base is never deleted: it is withdrawn (a "
    "status whose evidence is `retraction`, with a log entry of kind `retraction`) and its page stays.",
    "quote-not-in-snapshot": "Every quote appears word for word (spacing aside) in its source's snapshot.",
    "snapshot-missing": "A snapshot named by a source exists under claims/snapshots/.",
    "snapshot-hash": "A snapshot's SHA-256 matches the one recorded on its source.",
    "url-scheme": "URLs are absolute http or https addresses.",
    "url-host": "A URL leads where it reads: no user info before its host (`https://user:pass@host/`, "
    "`https://web.archive.org@evil.example/`), and a host and port that can be read; in URL fields and in links in "
    "Markdown.",
    "archive-url": "An archive_url on the Wayback Machine is a snapshot address with a 14-digit timestamp, "
    "never a /save/ or wildcard address.",
    "archive-missing": "(warning) A web source has an archived copy.",
    "accessed-missing": "(warning) A web source has an access date.",
    "accepted-warning": "(warning) Each entry of claims/accepted-warnings.yaml accepts a warning that still occurs, "
    "by its file and rule; an error cannot be accepted.",
    "accepted-by": "An entry of claims/accepted-warnings.yaml names who accepted the warning by an editor id "
    "that claims/publisher.yaml lists under `editors:`; its date is a real date, not in the "
    "future. An entry with such an error accepts nothing.",
    "accepted-in-change": "(check --changed) A change does not accept a warning it introduces itself: the base "
    "it is compared with has the warning, or no entry accepts it.",
    "link-dead": "(links --online) An external address answers 404 or 410, or its host does not exist.",
    "link-unreachable": "(links --online, warning) An external address failed for a reason that may pass: "
    "a timeout, a server error.",
    "link-cache": "(links --online, warning) The file of link results is an ordinary file that git does not track "
    "and that can be written; otherwise it is left alone and no result is kept.",
    "markdown-html": "Markdown fields contain no raw HTML; nor do the pages under docs/ and CONTRIBUTING.md, "
    "unless the site allows it there (docs_raw_html).",
    "markdown-image": "Markdown fields contain no images (they would load from third parties); pages show only "
    "the site's own.",
    "markdown-link": "Links in Markdown fields and pages are http(s), mailto or relative.",
    # The site's configuration and docs/ are code (claimledger.checks.sitepolicy): what a build of them may do.
    "config-tag": "mkdocs.yml holds no `!!python/…` tag (MkDocs would run it while reading the file), no unknown "
    "tag and no setting whose name is given by a tag; `!ENV` reads only the variables the project documents "
    "(CLAIMLEDGER_SITE_URL, CLAIMLEDGER_REPO_URL and the settings' CLAIMLEDGER_…) or those `allow: {env: […]}` "
    "names.",
    "config-code": "mkdocs.yml runs no code the maintainer has not allowed: no `hooks`, no plugin but search and "
    "claimledger, no markdown extension but the known, inert ones, unless named under the claimledger plugin's "
    "`allow:`; none of them named by a tag. A theme `custom_dir` is code too (its Jinja templates run Python "
    "while the site is built): refused unless `allow: {custom_dir: […]}` names it.",
    "config-inherit": "mkdocs.yml takes no settings from another file (`INHERIT`) unless `allow: {inherit: […]}` names "
    "it, and never from outside the repository.",
    "config-files": "Nothing a build reads lies outside the repository or is reached through a link: the theme's "
    "`custom_dir`, the `docs_dir`, an allowed hook or inherited file; a markdown extension that reads files "
    "(pymdownx.snippets, pymdownx.b64) reads them from under docs/ only. A `!relative` path is judged as MkDocs "
    "resolves it; a path given by `!ENV` is refused (its value would come from the build's environment).",
    "config-remote": "`extra_javascript`, `extra_css` and Material's `extra.polyfills`, `theme.logo` and "
    "`theme.favicon` come from the site itself, not another host, unless `allow: {remote: […]}` names the address; "
    "Material's settings that load from another host (`extra.analytics`, `theme.font` unless false, a fence of "
    "class mermaid) are on only if `allow: {remote: […]}` names them (extra.analytics, theme.font, mermaid). An "
    "address given by `!ENV` or `!relative` is refused: this check could not see what it becomes.",
    "config-allow": "The claimledger plugin's `allow:` option is a mapping of the kinds it knows, each to a list of "
    "names.",
    "docs-file": "docs/ holds markdown and inert files only (raster images, fonts, plain CSS that fetches nothing from "
    "another host); HTML, SVG, JavaScript and any other file are published only if `allow: {docs: […]}` names them. "
    "So with the files of an allowed theme folder, but its templates (.html).",
}

# What each status's evidence rule demands, in a reader's words (shown on the rating scale page).
EVIDENCE_RULES: dict[str, str] = {
    "none": "No evidence is required.",
    "disputing-rebuttal": "At least one piece of first-hand evidence disputes the claim.",
    "independent-support": "At least one piece of first-hand evidence supports the claim, from someone other than "
    "who made it or voiced it, and not affiliated with either.",
    "primary-refutation": "At least one piece of first-hand evidence from a primary source (a report, government "
    "report, press conference, letter, dataset or court record) disputes the claim.",
    "primary-unavailable": "The document the claim was first made in cannot be read here: it was never published, "
    "not published at the time, or withdrawn; or it is not identified, or no copy of it is on the record.",
    "successor": "A later claim replaces this one, and its page names it.",
    "retraction": "The withdrawal is logged, with its day and its reason, and shown at the top of the claim's page.",
}
