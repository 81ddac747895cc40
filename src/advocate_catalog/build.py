"""The build pipeline: validate → render → index → swap the finished site into place."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cache, layers, parallel, search, theme
from .errors import BuildError, Issue
from .load import Positions

# How far a long stage has got: (stage, done, total); the CLI draws a bar from it on a terminal.
Count = search.Count


def _no_count(_stage: str, _done: int, _total: int) -> None:
    return None


DATA_FOLDERS = ("advocates", "nominations", "schemas", "templates", ".git", ".github")


@dataclass(frozen=True)
class BuildSummary:
    advocates: int
    pages: int
    seconds: float
    site: Path
    stages: dict[str, float] = field(default_factory=dict)  # seconds per pipeline stage
    up_to_date: bool = False  # nothing changed since the last build: the site was left as it was
    warnings: list[Issue] = field(default_factory=list)  # what validation found, short of errors

    def __str__(self) -> str:
        if self.up_to_date:
            return f"{self.site} is up to date ({self.advocates} advocates); checked in {self.seconds:.2f} s"
        return (f"built {self.pages} pages for {self.advocates} advocates in "
                f"{self.seconds:.1f} s → {self.site}")


MARKER = cache.SITE_MARKER
MARKER_TEXT = "Built by advocate-catalog. `build` replaces this whole folder: keep nothing else here.\n"


def check_target(root: Path, site: Path) -> None:
    """Refuse an output folder whose replacement would destroy the repository, its data, or
    anything this tool did not build: only an empty folder or an earlier build is replaced."""
    if site.is_symlink():
        raise BuildError(f"refusing to build into {site}: it is a symbolic link — "
                         "give --site the real folder")
    site, root = site.resolve(), root.resolve()
    protected = [root, *(root / name for name in DATA_FOLDERS)]
    if site in protected or site in root.parents or any(p.is_relative_to(site) for p in protected):
        raise BuildError(f"refusing to build into {site}: it holds the catalog's own files — "
                         "choose an empty folder such as site/")
    if any(site.is_relative_to(root / name) for name in DATA_FOLDERS):
        raise BuildError(f"refusing to build into {site}: it is inside a data folder — "
                         "choose a folder such as site/")
    if site.exists() and not site.is_dir():
        raise BuildError(f"refusing to build into {site}: it is a file — choose a folder")
    if site.is_dir() and not built_here(site) and any(site.iterdir()):
        raise BuildError(f"refusing to replace {site}: it holds files this tool did not build "
                         f"(no {MARKER} file) — choose an empty or new folder, or empty it yourself")


def built_here(site: Path) -> bool:
    """A site this tool built: its marker file, or (sites built before the marker existed)
    the search order file and front page only this tool writes together."""
    marker = site / MARKER
    return (marker.is_file() and not marker.is_symlink()) or (
        (site / search.FOLDER / "order.json").is_file() and (site / "index.html").is_file())


def copy_static(root: Path, target: Path) -> None:
    """The templates' static files, the data repository's over the defaults, regular files only:
    a link could publish a file from anywhere."""
    for relative, path in layers.files(root, "templates", "static").items():
        if path.is_symlink() or not path.is_file():
            raise BuildError(f"{path}: a static file is a symbolic link or not a regular file — "
                             "replace it with the file itself")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def readable_by_all(folder: Path) -> None:
    """A temporary folder is made private (0700); the site must be readable by a web server
    running as another user, as any folder the user creates would be."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def write_pages(pages: dict[str, str] | Iterable[tuple[str, str]], folder: Path) -> int:
    """Write files under `folder`; return how many are HTML pages. An existing file is unlinked
    first: in an incremental build it may be a hard link into the live site, which must not
    change under its readers."""
    written = 0
    for relative, html in pages.items() if isinstance(pages, dict) else pages:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.write_text(html, encoding="utf-8")
        written += relative.endswith(".html")
    return written


# What forked render workers render with, and where: set before they fork, so they inherit it.
_job: tuple[Any, Path] | None = None


def _render_batch(batch: list[Any]) -> int:
    from . import render

    assert _job is not None
    chosen, folder = _job
    return write_pages((file for advocate in batch for file in (render.profile_page(chosen, advocate),
                                                                render.card_file(chosen, advocate))),
                       folder)


@contextlib.contextmanager
def writing_profiles(chosen: Any, ids: list[str], folder: Path,
                     count: Count = _no_count) -> Iterator[Callable[[], int]]:
    """Render and write profile pages, in forked workers once there are enough of them, while
    the caller goes on (with the collection pages); the yielded function waits and counts,
    reporting each finished batch to `count`.

    Workers inherit the templates and write their pages themselves: nothing big comes back. Each
    profile goes to its worker as a copy without its source positions, so the worker never
    touches the inherited catalog: touching an object writes to its memory page, and the page
    would be copied into every worker (~140 MB each at 10,000 profiles)."""
    global _job
    _job = (chosen, folder)
    by_id = {a.id: a for a in chosen.listed}
    bare = [dataclasses.replace(by_id[i], positions=Positions()) for i in ids]
    gc.freeze()  # the collector would touch every inherited object too
    try:
        with parallel.mapping(_render_batch, bare, smallest=200, batch=25) as results:
            def wait() -> int:
                done = 0
                for written in results():
                    done += written
                    count("rendering", done, len(ids))
                return done

            yield wait
    finally:
        gc.unfreeze()
        _job = None


def _noting(files: Iterable[tuple[str, str]], paths: list[str]) -> Iterator[tuple[str, str]]:
    """`files` passed on one by one, each path noted in `paths`: written as they are made, the
    collection pages are never all in memory at once."""
    for path, text in files:
        paths.append(path)
        yield path, text


def swap_into_place(built: Path, site: Path) -> None:
    """Replace `site` by `built` with renames, so readers never see a half-written site."""
    old = None
    if site.exists():
        old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=site.parent))
        site.rename(old / "site")
    built.rename(site)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def apply_delta(staging: Path, site: Path, remove: list[str], replace: list[str]) -> None:
    """Bring the live site up to date with a fully built delta: `remove` paths are deleted,
    `replace` folders swapped whole, every other staged file moved in by an atomic rename.
    The caller journals the apply, so an interrupted one leads to a full rebuild."""
    trash = Path(tempfile.mkdtemp(prefix=".site-old-", dir=site.parent))
    for n, relative in enumerate([*remove, *replace]):
        if (site / relative).exists() or (site / relative).is_symlink():
            (site / relative).rename(trash / str(n))
            with contextlib.suppress(OSError):  # a browse value's folder, now empty
                (site / relative).parent.rmdir()
    for swapped in replace:
        if (staging / swapped).exists():
            (site / swapped).parent.mkdir(parents=True, exist_ok=True)
            (staging / swapped).rename(site / swapped)
    for base, _dirs, files in os.walk(staging):
        for name in files:
            staged = Path(base, name).relative_to(staging)
            (site / staged).parent.mkdir(parents=True, exist_ok=True)
            os.replace(Path(base, name), site / staged)
    shutil.rmtree(trash, ignore_errors=True)


def kept(files: Iterable[str], gone: list[str]) -> set[str]:
    """The files of the last build that an incremental one keeps: all but those at or under a
    path in `gone` (removed profiles and lists, replaced search shards)."""
    gone_set = set(gone)

    def under(path: str) -> bool:
        parts = path.split("/")
        return any("/".join(parts[:n]) in gone_set for n in range(1, len(parts) + 1))

    return {f for f in files if not under(f)}


def prune(site: Path, keep: set[str]) -> None:
    """Delete from the live site every file no build wrote, and the folders left empty: what
    the site serves is what this build and the ones it continues made, nothing planted."""
    strays = cache.site_files(site) - keep
    for relative in strays:
        (site / relative).unlink(missing_ok=True)
    for folder in sorted({Path(relative).parent for relative in strays}, key=lambda p: -len(p.parts)):
        while folder != Path("."):
            try:
                (site / folder).rmdir()
            except OSError:
                break
            folder = folder.parent


def build(root: Path, site: Path, today: dt.date | None = None,
          progress: Callable[[str], None] = lambda _message: None,
          reuse: bool = True, count: Count = _no_count) -> BuildSummary:
    """Validate, render and index the catalog under `root` into `site`; all or nothing.
    `progress` hears each stage; `count` how far the long ones (rendering, indexing) have got.

    With `reuse`, what the last build into `site` made is kept where its inputs are unchanged
    (see cache.py): an unchanged catalog returns at once, a changed profile re-renders that
    page, the pages that list it, and its search shard.
    """
    started = time.perf_counter()
    today = today or dt.date.today()
    check_target(root, site)
    try:
        cache_folder: Path | None = cache.folder(root, site)
    except cache.CacheRefused as refused:
        progress(f"building without a cache: {refused} (see cache.py)")
        cache_folder, reuse = None, False
    fingerprint = cache.fingerprint(root, today)
    stats = cache.scan(root)
    state = None
    if cache_folder is not None and reuse and not cache.journal_file(cache_folder).exists():
        state = cache.load_state(cache.state_file(cache_folder))
    same, hashes = cache.unchanged(state, fingerprint, site, stats, root)
    # A file in site/ that no build wrote (planted, or restored with a copied site) is deleted
    # by an incremental build: "up to date" only when the site's folders are as the last build
    # left them (their times: a file added anywhere changes its folder's).
    if same and state is not None and cache_folder is not None and cache.site_intact(site, state):
        if state.stats != stats:
            state.stats = stats
            cache.save_state(cache.state_file(cache_folder), state)
        seconds = time.perf_counter() - started
        return BuildSummary(len(state.members), 0, seconds, site, {"check": seconds}, up_to_date=True)
    prior = state if cache.describes(state, fingerprint, site) else None
    saved: dict[str, Any] = {}  # the documents of the whole file, then those changed since
    known: dict[str, Any] = {}
    if reuse and cache_folder:
        saved = cache.load_documents(cache.side_file(cache_folder, "documents"), fingerprint, hashes)
        known = {**saved, **cache.load_documents(cache.side_file(cache_folder, RECENT_DOCUMENTS),
                                                 fingerprint, hashes)}
    cards = cache.load_cards(cache.side_file(cache_folder, "cards")) if prior and cache_folder else {}
    exported = cache.load_exports(cache.side_file(cache_folder, "exports")) \
        if prior and cache_folder else {}
    activity_lines = cache.load_activity_lines(cache.side_file(cache_folder, "activity-lines")) \
        if prior and cache_folder else {}
    from . import render  # Jinja, Markdown and the validators load only when there is work
    from .validate import sound, validate

    progress("validating")
    result = validate(root, today, known)
    catalog = sound(result)
    chosen = render.setting(catalog, layers.layers(root, "templates"), today)
    listed = chosen.listed
    stages = {"load+validate": time.perf_counter() - started}
    shards = search.shard_count(len(listed))
    if prior is not None and prior.shards // 2 < shards <= prior.shards * 2:
        shards = prior.shards  # keep the layout while the catalog stays within a factor of two
    else:
        prior = None
    members = {a.id: (search.shard_of(a.id, shards), hashes.get(a.path, "")) for a in listed}
    if prior is None:
        changed, dirty = [a.id for a in listed], set(range(shards))
    else:
        changed = [i for i, member in members.items() if prior.members.get(i) != member]
        gone = [i for i in prior.members if i not in members]
        dirty = {members[i][0] for i in changed} | {prior.members[i][0] for i in gone}
    progress(f"rendering {len(changed)} of {len(listed)} advocates")
    mark = time.perf_counter()
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site.parent))
    try:
        with writing_profiles(chosen, changed, staging, count) as profiles_written:
            digests: dict[str, str] = {}
            written: list[str] = []
            collections = render.collection_pages(
                chosen, root, shards, prior.digests if prior else None, digests, cards, exported,
                {i: member[1] for i, member in members.items()}, activity_lines)
            pages = write_pages(_noting(collections, written), staging) + profiles_written()
        listing = sorted(set(written) | set(digests))  # browse pages kept as they were, too
        if prior is None:
            copy_static(root, staging / "static")
            theme.publish(root, catalog.config.theme, staging / "static")
            (staging / MARKER).write_text(f"{MARKER_TEXT}build {secrets.token_hex(16)}\n",
                                          encoding="utf-8")
            readable_by_all(staging)
        stages["render"] = time.perf_counter() - mark
        reindex = dirty if prior is None else shards_to_index(
            changed, gone, members, prior.members, site, staging)
        progress(f"indexing {len(reindex)} of {shards} search shards with Pagefind")
        mark = time.perf_counter()
        by_shard: dict[int, list[str]] = {k: [] for k in range(shards)}
        for advocate_id, (shard, _) in members.items():
            by_shard[shard].append(advocate_id)
        by_id = {a.id: a for a in listed}
        sources = {i: member[1] for i, member in members.items()}
        words = {f"{search.FOLDER}/{k}/words.json":  # written into the bundles Pagefind makes
                 shard_words(chosen, [by_id[i] for i in by_shard[k]], sources,
                             cache_folder and cache.side_file(cache_folder, f"words-{k}"),
                             fingerprint, reuse=prior is not None)
                 for k in dirty if by_shard[k]}
        orders = render.sort_orders(chosen)
        askable = render.askable_ids(chosen)
        table = search.synonyms(chosen.catalog.config)
        if cache_folder is not None:
            save_documents(cache_folder, result.documents, saved, fingerprint, hashes)
        # Nothing below needs the catalog: it goes before Pagefind's processes start, so the two
        # are never in memory together (10,000 profiles: the build holds ~220 MB, not ~525 MB).
        advocates, warnings = len(listed), result.issues
        del by_id, chosen, catalog, listed, result, known, saved
        parallel.give_back_memory()
        fresh = search.index(staging, {k: by_shard[k] for k in reindex}, pages=site, count=count)
        write_pages(words, staging)
        page_ids = {k: fresh[k] if k in fresh else prior.page_ids[k] if prior else {}
                    for k in range(shards)}
        write_pages(search.order(page_ids, orders, askable, table), staging)
        stages["pagefind"] = time.perf_counter() - mark
        staged = cache.site_files(staging)
        if prior is None:
            files = staged
            swap_into_place(staging, site)
        else:
            # Gone: profiles no longer listed, lists whose value has no one left (a browse page).
            remove = [f"advocates/{i}" for i in gone]
            remove += sorted(set(prior.collections) - set(listing))
            if cache_folder is not None:
                cache.mark_applying(cache.journal_file(cache_folder))
            replace = [f"{search.FOLDER}/{k}" for k in sorted(reindex)]
            files = kept(prior.files, [*remove, *replace]) | staged
            apply_delta(staging, site, remove, replace)
            prune(site, files)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)
    if cache_folder is not None:
        save_cache(cache_folder, {i: cards[i] for i in members if i in cards},
                   {i: exported[i] for i in members if i in exported},
                   {i: activity_lines[i] for i in members if i in activity_lines},
                   cache.State(fingerprint, cache.site_identity(site), stats, hashes, shards, members,
                               page_ids, listing, digests, sorted(files),
                               cache.folder_times(site, files)))
    return BuildSummary(advocates, pages, time.perf_counter() - started, site, stages,
                        warnings=warnings)


def shards_to_index(changed: list[str], gone: list[str], members: dict[str, tuple[int, str]],
                    before: dict[str, tuple[int, str]], site: Path, staging: Path) -> set[int]:
    """Of the shards holding a changed or removed profile, those whose search index can change:
    one that gained or lost a profile, or one with a page Pagefind reads differently now
    (search.indexed_view of the live page and the new one). A shard that keeps its index still
    gets its new word list (words.json is made from the profiles, not the pages)."""
    found = {before[i][0] for i in gone}
    found |= {members[i][0] for i in changed if before.get(i, (-1, ""))[0] != members[i][0]}
    found |= {before[i][0] for i in changed if i in before and before[i][0] != members[i][0]}
    for advocate_id in changed:
        if members[advocate_id][0] in found:
            continue
        page = Path("advocates", advocate_id, "index.html")
        try:
            same = search.indexed_view((site / page).read_text(encoding="utf-8")) == \
                search.indexed_view((staging / page).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            found.add(members[advocate_id][0])
    return found


def shard_words(chosen: Any, advocates: list[Any], sources: dict[str, str], kept: Path | None,
                fingerprint: str, reuse: bool) -> str:
    """A shard's words.json, each profile's part taken from `kept` (the shard's file in the
    cache) when its file is unchanged, and the parts saved there for the next build."""
    from . import render

    known = cache.load_words(kept, fingerprint) if kept is not None and reuse else {}
    text = render.shard_words(chosen, advocates, known, sources)
    if kept is not None:
        with contextlib.suppress(OSError):
            cache.save_words(kept, fingerprint, {a.id: known[a.id] for a in advocates})
    return text


RECENT_DOCUMENTS = "documents-recent"  # documents changed since documents.json was written


def save_documents(cache_folder: Path, documents: dict[str, Any], saved: dict[str, Any],
                   fingerprint: str, hashes: dict[str, str]) -> None:
    """The validated documents, for the next build to skip what did not change. Those not as
    `saved` (read from documents.json) go to a small file of their own while they are few, so a
    one-profile edit does not write 10,000 documents again (~1 s); past a twentieth of the
    catalog, the whole file is written anew. Each is saved with the hash of the file it came
    from, so this needs no wait for the build to succeed (it is written while Pagefind
    indexes); one that cannot be written costs speed, not the build."""
    changed = {name: doc for name, doc in documents.items() if saved.get(name) is not doc}
    with contextlib.suppress(OSError):
        if saved and len(changed) <= max(64, len(documents) // 20):
            cache.save_documents(cache.side_file(cache_folder, RECENT_DOCUMENTS), changed,
                                 fingerprint, hashes)
            return
        cache.save_documents(cache.side_file(cache_folder, "documents"), documents, fingerprint,
                             hashes)
        cache.save_documents(cache.side_file(cache_folder, RECENT_DOCUMENTS), {}, fingerprint,
                             hashes)


def save_cache(cache_folder: Path, cards: dict[str, tuple[str, str]],
               exported: dict[str, tuple[str, str, str]],
               activity_lines: dict[str, tuple[str, dict[str, str]]], state: cache.State) -> None:
    """Keep what the next build reuses. A cache that cannot be written costs speed, not the build;
    the journal goes only once the state describes the site as it is."""
    try:
        cache.save_cards(cache.side_file(cache_folder, "cards"), cards)
        cache.save_exports(cache.side_file(cache_folder, "exports"), exported)
        cache.save_activity_lines(cache.side_file(cache_folder, "activity-lines"), activity_lines)
        cache.save_state(cache.state_file(cache_folder), state)
    except OSError:
        return
    cache.journal_file(cache_folder).unlink(missing_ok=True)
