"""Where workflow files are: file URIs to paths, and the one walk over a tree's YAML files.

The CLI (``wfspec check DIR``), the language server's workspace scan and retrieval's similar
specs all walk a tree with :func:`yaml_dirs`, so they pass over the same folders
(:func:`skipped_dir`): every hidden folder except ``.github`` (``.git``, ``.venv``, ``.tox``,
caches) and the vendored and generated ones in :data:`SKIP_DIRS`. Nothing here imports more
of wfspec than :mod:`wfspec.fsio`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from wfspec import fsio

#: the endings of the files a walk yields
YAML_SUFFIXES = (".yaml", ".yml")
#: folders that hold other people's files or generated ones, never the workspace's workflows
SKIP_DIRS = frozenset({"node_modules", "bower_components", "site-packages", "venv", "__pycache__"})
#: the hidden folder that does hold workflows (``.github/workflows``, local actions)
KEPT_HIDDEN = frozenset({".github"})


def uri_to_path(uri: str) -> Path | None:
    """The file system path of a ``file:`` URI or of a plain path; None for other schemes
    (``untitled:``, ``vscode-notebook-cell:``, ``https://``)."""
    if not uri:
        return None
    if urlparse(uri).scheme == "file":
        path = unquote(urlparse(uri).path)
        if os.name == "nt" and len(path) > 2 and path[0] == "/" and path[2] == ":":  # pragma: no cover
            path = path[1:]
        return Path(path)
    if "://" in uri or (len(uri) > 1 and uri[1] != ":" and ":" in uri.split("/", 1)[0]):
        return None
    return Path(uri)


def skipped_dir(name: str) -> bool:
    """Whether a walk passes over a folder called ``name``."""
    return name in SKIP_DIRS or (name.startswith(".") and name not in KEPT_HIDDEN)


def yaml_dirs(root: Path, *, also_skip: frozenset[str] = frozenset()) -> Iterator[tuple[Path, list[Path]]]:
    """Every folder under ``root`` (``root`` first, then depth first in name order) that the
    walk enters, with its YAML files sorted by name. Folders :func:`skipped_dir` names, and any
    in ``also_skip``, are not entered; symbolic links to folders are not followed (a linked
    file is yielded: see :func:`links_out`)."""
    for top, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not skipped_dir(d) and d not in also_skip)
        yield Path(top), [Path(top, name) for name in sorted(files) if name.lower().endswith(YAML_SUFFIXES)]


def links_out(path: Path, root: Path) -> bool:
    """Whether ``path`` is a symbolic link whose target lies outside ``root``."""
    return os.path.islink(path) and not fsio.is_within(path, root)
