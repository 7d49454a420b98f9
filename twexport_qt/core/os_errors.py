"""What an OSError means in plain words, in one place: settings, imports and the CLI's last resort say it alike."""

from __future__ import annotations

import errno

EDQUOT = getattr(errno, "EDQUOT", None)  # not defined on every platform (Windows)
DISK_FULL = frozenset(code for code in (errno.ENOSPC, EDQUOT) if code is not None)
NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})

_PLAIN = {
    errno.EACCES: "permission was denied",
    errno.EPERM: "permission was denied",
    errno.EROFS: "the disk or folder is read-only",
    errno.ENOSPC: "the disk is full",
    EDQUOT: "your disk quota is used up",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "part of its path is a file, not a folder",
    errno.ENOENT: "its folder does not exist",
    errno.ENAMETOOLONG: "its name is too long",
    errno.EIO: "the disk reported an input/output error",
}


def describe_os_error(error: OSError) -> str:
    """The cause of `error` in plain words, for the middle of a sentence: "the disk is full"."""
    return _PLAIN.get(error.errno or -1) or (error.strerror or str(error) or type(error).__name__).lower()
