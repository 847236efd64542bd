"""The one way wfspec reads and writes files: regular files only, reads bounded, writes atomic.

Every file wfspec reads from disk (the CLI's files, the server's workspace files, local actions
and reusable workflows, retrieval's specs, configuration files) goes through :func:`read_bytes`:

- only a regular file is read. A named pipe, a device (``/dev/zero``), a socket or a directory,
  also behind a symbolic link, is refused with :class:`NotRegularFile` before any byte is read;
  the file is opened non-blocking and checked again on the open descriptor, so a file swapped
  for a pipe in between cannot hang the reader either;
- at most ``limit + 1`` bytes are read, whatever ``st_size`` says; more raises
  :class:`FileTooLarge`.

Every file wfspec writes (``check --fix``, ``repair --apply``, ``generate --into``) goes through
:func:`write_atomic`: a temporary file in the same directory, flushed to disk, then renamed over
the original, with the original's permission bits. On any error the original is untouched and
the temporary file removed. A read-only file is not replaced. :func:`encode_like` and
:func:`same_newlines` keep a file's encoding, byte order mark and line endings across a rewrite.

Both errors are ``OSError`` subclasses, so callers that already handle unreadable files handle
these too. Nothing here imports the rest of wfspec.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

#: bytes read per system call
CHUNK = 1 << 20
#: configuration files (``.wfspec.toml``, ``pyproject.toml``) larger than this are not read
CONFIG_MAX_BYTES = 1 << 20

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


class NotRegularFile(OSError):
    """The path names a pipe, device, socket or directory: not read."""

    def __init__(self, path: str | os.PathLike[str], mode: int) -> None:
        self.kind = kind_of(mode)
        super().__init__(errno.EINVAL, f"not a regular file ({self.kind})", str(path))

    def __str__(self) -> str:
        return str(self.strerror)


class FileTooLarge(OSError):
    """The file holds more than the limit (``size`` is at least ``limit + 1``)."""

    def __init__(self, path: str | os.PathLike[str], size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(
            errno.EFBIG, f"file is {size:,} bytes, larger than the {limit:,}-byte limit", str(path)
        )

    def __str__(self) -> str:
        return str(self.strerror)


class OutsideRoot(PermissionError):
    """A write whose target (symbolic links resolved) lies outside the allowed directory."""

    def __init__(self, path: str | os.PathLike[str], root: str | os.PathLike[str]) -> None:
        super().__init__(errno.EACCES, f"resolves to a file outside {root}; not written", str(path))

    def __str__(self) -> str:
        return str(self.strerror)


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The content of the regular file ``path`` (symbolic links followed), at most ``limit``
    bytes; raises :class:`NotRegularFile`, :class:`FileTooLarge` or another ``OSError``."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(path, st.st_mode)
    if st.st_size > limit:
        raise FileTooLarge(path, st.st_size, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped between the stat and the open
            raise NotRegularFile(path, st.st_mode)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(CHUNK, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise FileTooLarge(path, max(got, st.st_size), limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: str | os.PathLike[str], limit: int = CONFIG_MAX_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a leading byte order mark dropped); raises
    ``UnicodeDecodeError`` on invalid UTF-8."""
    return read_bytes(path, limit).decode("utf-8-sig")


def is_regular(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (symbolic links followed) is a regular file; never raises."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_within(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path``, with symbolic links and ``..`` resolved, lies inside ``root`` (also
    resolved) or is ``root`` itself."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    try:
        return os.path.commonpath([real, base]) == base
    except ValueError:  # different drives
        return False


# -- writing ------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(
    path: str | os.PathLike[str], data: bytes, *, root: str | os.PathLike[str] | None = None
) -> None:
    """Replace the content of ``path`` with ``data`` atomically: the file has either its old
    content or the new one, never a part. A symbolic link is written through (its target is
    replaced, the link stays); with ``root``, a target outside ``root`` raises
    :class:`OutsideRoot`. The file keeps its permission bits (and owner, where allowed); a new
    file gets the usual ``0o666`` less the umask. A read-only file raises ``PermissionError``.
    On any error nothing is changed and the error is raised."""
    real = Path(os.path.realpath(path))
    if root is not None and not is_within(real, root):
        raise OutsideRoot(path, root)
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, st.st_mode)
        if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
            raise PermissionError(errno.EACCES, "the file is read-only", str(path))
        mode = stat.S_IMODE(st.st_mode)
    else:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".wfspec-tmp", dir=real.parent)
    try:
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            if st is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):
                    os.fchown(fd, st.st_uid, st.st_gid)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(real.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        dfd = os.open(directory, flags)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dfd)
    finally:
        os.close(dfd)


# -- keeping a file's form ----------------------------------------------------------------

_UTF16 = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def encode_like(original: bytes, text: str) -> bytes:
    """``text`` encoded the way ``original`` is: UTF-16 (little or big endian, with its byte
    order mark) when ``original`` starts with a UTF-16 byte order mark, else UTF-8 (a UTF-8
    byte order mark is a character of the decoded text and so kept). Raises ``ValueError``
    when ``text`` cannot be encoded."""
    try:
        for bom, codec in _UTF16:
            if original.startswith(bom):
                return bom + (text[1:] if text.startswith("\ufeff") else text).encode(codec)
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"cannot encode the text: {exc.reason}") from None


def round_trips(original: bytes, text: str) -> bool:
    """Whether ``text`` (what ``original`` decoded to) encodes back to exactly ``original``:
    false for invalid UTF-8 that decoding replaced, which a rewrite would lose."""
    try:
        return encode_like(original, text) == original
    except ValueError:
        return False


def newline_of(text: str) -> str:
    """The line ending ``text`` uses most: ``"\\r\\n"``, ``"\\r"`` or ``"\\n"`` (the default)."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if crlf > lf and crlf >= cr:
        return "\r\n"
    if cr > lf and cr > crlf:
        return "\r"
    return "\n"


def uniform_newlines(text: str) -> str | None:
    """The one line ending ``text`` uses, ``""`` for none, None for a mix."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    used = [nl for nl, n in (("\r\n", crlf), ("\r", cr), ("\n", lf)) if n]
    if len(used) > 1:
        return None
    return used[0] if used else ""


def with_newlines(text: str, newline: str) -> str:
    """``text`` with every line break written as ``newline``."""
    if newline == "\n" and "\r" not in text:
        return text
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    return unified if newline == "\n" else unified.replace("\n", newline)


def same_newlines(original: str, new: str) -> str:
    """``new`` with the line endings of ``original`` when ``original`` uses one kind only
    (new lines a fix or a model wrote in ``\\n`` then match the file); unchanged otherwise."""
    nl = uniform_newlines(original)
    if not nl:
        return new
    return with_newlines(new, nl)
