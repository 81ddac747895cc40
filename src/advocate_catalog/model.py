"""The catalog's objects: configuration with its vocabularies, advocates, nominations."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Self

from .load import Positions

VOCABULARIES = ("industries", "regions", "company_sizes", "products", "personas", "functions",
                "activities", "consent_scopes")
YEAR = 365
# Kinds of recognition when catalog.yaml names none (`recognition.kinds`).
RECOGNITION_KINDS = (("thank-you", "Thank-you"), ("gift", "Gift"), ("award", "Award"),
                     ("event-mention", "Mention at an event"), ("early-access", "Early access"),
                     ("community-role", "Community role"))
STATUSES = ("nominated", "active", "resting", "alumni", "inactive")
WILLINGNESS = ("yes", "maybe", "no")


# Letters that Unicode does not decompose into a base letter plus an accent.
_BASE_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                               "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d",
                               "þ": "th", "\u0131": "i"})


def fold(text: str) -> str:
    """Lowercase without accents ('Élise Bø' → 'elise bo'); other scripts are kept as they are."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_BASE_LETTERS).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1 << 16)
def sort_key(text: str) -> str:
    """Order names as people expect: case- and accent-insensitive (Élise with the E's). Kept:
    the same names are sorted again for every list page and week of digests."""
    return fold(text)


ASSET_LABELS = {"case-study": "Case study", "video": "Video", "review": "Review",
                "webinar": "Webinar", "slides": "Slides", "article": "Article", "podcast": "Podcast"}


def current(items: list[dict[str, Any]], today: dt.date) -> list[dict[str, Any]]:
    """Quotes or assets whose approval has not expired: expired material is never shown."""
    return [item for item in items
            if not item.get("expires_on") or dt.date.fromisoformat(item["expires_on"]) >= today]


@dataclass(frozen=True)
class Term:
    id: str
    label: str


@dataclass(frozen=True)
class Owner:
    id: str
    name: str
    email: str
    team: str = ""
    github: str = ""
    slack: str = ""  # member id, for the Slack request channel
    teams: str = ""  # Teams sign-in address when it is not `email`


@dataclass(frozen=True)
class Channel:
    """One way to ask an owner for an advocate (`requests.channels` in catalog.yaml)."""

    kind: str
    label: str = ""
    team: str = ""  # slack: the workspace id
    url: str = ""  # form: the address, with {id}, {name}, {company}, {owner}, {owner_email}


@dataclass(frozen=True)
class Limit:
    activity: str
    max: int
    days: int


@dataclass(frozen=True)
class Limits:
    """The `limits:` block of catalog.yaml."""

    per_activity: tuple[Limit, ...] = ()
    rest_after: dict[str, int] = field(default_factory=dict)
    max_per_year: int | None = None
    near_limit: int = 1

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Limits:
        data = data or {}
        return cls(tuple(Limit(**item) for item in data.get("per_activity", [])),
                   {item["activity"]: item["days"] for item in data.get("rest_after", [])},
                   data.get("max_per_year"), data.get("near_limit", 1))

    def windows(self) -> Iterator[tuple[str | None, int, int]]:
        """(activity or None for any, max, days) for every counting rule."""
        yield from ((limit.activity, limit.max, limit.days) for limit in self.per_activity)
        if self.max_per_year:
            yield None, self.max_per_year, YEAR


@dataclass(frozen=True)
class Recognition:
    """The `recognition:` block of catalog.yaml (kinds live with the vocabularies)."""

    follow_up_days: int | None = None  # an activity is owed a recognition after this many days
    yearly_gift_budget: float | None = None  # most gifts may cost per advocate in 365 days

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Recognition:
        data = data or {}
        return cls(data.get("follow_up_days"), data.get("yearly_gift_budget"))


@dataclass(frozen=True)
class Theme:
    """The `theme:` block of catalog.yaml: the site restyled without copying a template. Files
    are paths in the data repository; colours `#rgb` or `#rrggbb` (checked by theme.issues)."""

    logo: str = ""  # an image, published as static/theme/<its name>, shown beside the title
    accent: str = ""  # links, buttons and focus rings, in the light colour scheme
    accent_dark: str = ""  # the same in the dark one
    stylesheet: str = ""  # a CSS file, published as static/theme/<its name>, after style.css
    footer: str = ""  # plain text instead of the default footer sentence

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Theme:
        data = data or {}
        return cls(**{key: data.get(key) or "" for key in
                      ("logo", "accent", "accent_dark", "stylesheet", "footer")})


@dataclass(frozen=True)
class Config:
    """catalog.yaml: site settings, thresholds and the controlled vocabularies, in their order."""

    title: str
    base_url: str
    company: str = ""
    noindex: bool = True
    repository_url: str = ""
    branch: str = "main"
    channels: tuple[Channel, ...] = (Channel("email"),)
    stale_after_days: int = 180
    warn_days: int = 30
    listed_statuses: tuple[str, ...] = ("active", "resting", "alumni")
    vocabularies: dict[str, tuple[Term, ...]] = field(default_factory=dict)
    owners: dict[str, Owner] = field(default_factory=dict)
    limits: Limits = field(default_factory=lambda: Limits())
    currency: str = "USD"
    recognition: Recognition = field(default_factory=lambda: Recognition())
    # `search.synonyms`: a word or phrase people type → the words or phrases profiles use for it
    # (added to the built-in table, search.SYNONYMS).
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    theme: Theme = field(default_factory=lambda: Theme())

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Config:
        site, freshness = data["site"], data.get("freshness", {})
        return cls(
            title=site["title"],
            base_url=site["base_url"],
            company=site.get("company", ""),
            noindex=site.get("noindex", True),
            repository_url=site.get("repository_url", ""),
            branch=site.get("branch", "main"),
            channels=_channels(data),
            stale_after_days=freshness.get("stale_after_days", 180),
            warn_days=freshness.get("warn_days", 30),
            listed_statuses=tuple(data["listing"]["statuses"]),
            vocabularies={**{name: tuple(Term(t["id"], t["label"]) for t in data["taxonomy"][name])
                             for name in VOCABULARIES},
                          "recognition_kinds": tuple(
                              Term(t["id"], t["label"]) for t in (data.get("recognition") or {}).get(
                                  "kinds", [{"id": i, "label": label} for i, label in RECOGNITION_KINDS]))},
            owners={o["id"]: Owner(**o) for o in data["owners"]},
            limits=Limits.from_data(data.get("limits")),
            currency=site.get("currency", "USD"),
            recognition=Recognition.from_data(data.get("recognition")),
            synonyms={key: tuple(targets) for key, targets in
                      ((data.get("search") or {}).get("synonyms") or {}).items()},
            theme=Theme.from_data(data.get("theme")),
        )

    def ids(self, vocabulary: str) -> list[str]:
        return [term.id for term in self.vocabularies[vocabulary]]

    def label(self, vocabulary: str, term_id: str) -> str:
        """The display label of a vocabulary id (the id itself if unknown)."""
        return _labels(self.vocabularies[vocabulary]).get(term_id, term_id)


def _channels(data: dict[str, Any]) -> tuple[Channel, ...]:
    """The request channels; catalog.yaml files from before `requests:` name one form as
    `site.request_url`, or none (an e-mail to the owner)."""
    if "requests" in data:
        return tuple(Channel(**channel) for channel in data["requests"]["channels"])
    if data["site"].get("request_url"):
        return (Channel("form", url=data["site"]["request_url"]),)
    return (Channel("email"),)


@cache
def _labels(terms: tuple[Term, ...]) -> dict[str, str]:
    return {t.id: t.label for t in terms}


@dataclass
class Record:
    """A validated file. `data` never holds the `private` block: nothing downstream can leak it."""

    id: str
    path: str
    data: dict[str, Any]
    positions: Positions = field(default_factory=Positions, repr=False)
    story_html: str = field(default="", repr=False)  # rendered and sanitised when validated

    @classmethod
    def from_document(cls, path: str, data: dict[str, Any], positions: Positions,
                      story_html: str = "") -> Self:
        public = {key: value for key, value in data.items() if key != "private"}
        return cls(id=data["id"], path=path, data=public, positions=positions, story_html=story_html)

    @property
    def name(self) -> str:
        return self.data["name"]

    def position_of(self, *path: str | int) -> tuple[int, int]:
        return self.positions.value_at(tuple(path)) or (1, 1)

    def dated(self, field: str) -> list[dict[str, Any]]:
        """A dated list of the file (`activity`, `recognition`), each entry with its parsed `day`
        and its `index` in the file, by date. Parsed once per record and kept: a build asks for
        an advocate's log many times (availability on many days, weeks of digests).
        Callers must not change what it returns."""
        kept: dict[str, list[dict[str, Any]]] = self.__dict__.setdefault("_dated", {})
        if field not in kept:
            entries = [{**entry, "day": dt.date.fromisoformat(entry["date"]), "index": i}
                       for i, entry in enumerate(self.data.get(field, []))]
            kept[field] = sorted(entries, key=lambda e: (e["day"], e["index"]))
        return kept[field]


@dataclass
class Advocate(Record):
    @property
    def status(self) -> str:
        return self.data["status"]

    @property
    def last_verified(self) -> dt.date:
        return dt.date.fromisoformat(self.data["last_verified"])

    @property
    def consent_scope(self) -> list[str]:
        return self.data.get("consent", {}).get("scope", [])

    def consents_to(self, scope: str, today: dt.date) -> bool:
        expires = self.data.get("consent", {}).get("expires_on")
        return scope in self.consent_scope and not (expires and dt.date.fromisoformat(expires) < today)

    def willing(self, *answers: str) -> list[str]:
        """Activity ids this advocate answered with one of `answers` (default: yes)."""
        wanted = answers or ("yes",)
        return [a for a, answer in self.data.get("willingness", {}).items() if answer in wanted]


@dataclass
class Nomination(Record):
    @property
    def nominated_on(self) -> dt.date:
        return dt.date.fromisoformat(self.data["nominated_on"])


@dataclass
class Catalog:
    config: Config
    advocates: list[Advocate] = field(default_factory=list)
    nominations: list[Nomination] = field(default_factory=list)
    targets: list[Any] = field(default_factory=list)  # coverage.Target, from targets.yaml

    def listed(self, today: dt.date) -> list[Advocate]:
        """Advocates the site shows: a listed status and current consent to the internal catalog."""
        return [a for a in self.advocates
                if a.status in self.config.listed_statuses and a.consents_to("internal-catalog", today)]
