"""Version rules (runtime/src/version/version.ts): ``1.10`` is newer than ``1.9``, ``1.0`` equals
``1.0.0``, and a version is kept as the text it was written as."""

import re

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def version_key(text):
    """A sort key for a version text (semver order, missing parts are 0), or None when it is no version."""
    m = _VERSION.match(str(text).strip())
    if m is None:
        return None
    release = (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0))
    pre = m.group(4)
    if pre is None:
        return release + ((1,),)  # a release sorts after its pre-releases
    parts = []
    for p in pre.split("."):
        # semver: numeric identifiers sort numerically and before alphanumeric ones
        parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
    return release + ((0, tuple(parts)),)


def same_version(a, b):
    """True when both texts name the same version (``1.0`` and ``1.0.0``)."""
    ka, kb = version_key(a), version_key(b)
    return ka is not None and ka == kb


def highest_version(versions):
    """The highest of the version texts (as written), or None; texts that are no version are ignored."""
    best, best_key = None, None
    for v in versions:
        k = version_key(v)
        if k is not None and (best_key is None or k > best_key):
            best, best_key = v, k
    return best
