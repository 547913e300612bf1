"""The throw-away venvs the checks make (version-matrix cells, the testing guide's, the README's), kept between runs
under .tmp and made anew when their key changes: the Python's full version and what they install (pip arguments,
the content of every file they name, or the commands that install it). A fresh checkout has none of them, and every
check makes what it needs.

* ``venv(name, python, requirements)``: a venv this code makes, at .tmp/venvs/NAME.
* ``WorkTree(path, keys)``: a work directory made anew for every run of a check (a fresh clone, a new home), but
  for the venvs the check's own commands make inside it, kept at the same paths (a venv's scripts name their own
  path) while their keys hold.
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".tmp", "venvs")


def python_version(python):
    return subprocess.run([python, "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                          check=True).stdout.strip()


def key_of(python, requirements, cwd=ROOT):
    """The key of a venv: the Python's full version, the pip arguments (or commands) and the content of the files
    named after -r or -c."""
    digest = hashlib.sha256(python_version(python).encode("utf-8"))
    for index, item in enumerate(requirements):
        digest.update(b"\0" + item.encode("utf-8"))
        if index and requirements[index - 1] in ("-r", "-c"):
            with open(os.path.join(cwd, item), "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:20]


class _Locked:
    def __init__(self, path):
        self.path = path
        self.handle = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self.handle = open(self.path, "w")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _read_keys(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _write_keys(path, keys):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(keys, handle, indent=1, sort_keys=True)


def venv(name, python, requirements):
    """The path of a venv made with ``python`` and ``pip install REQUIREMENTS...``, from the cache or made now."""
    path = os.path.join(CACHE, name)
    key = key_of(python, requirements)
    with _Locked(path + ".lock"):
        if _read_keys(path + ".key").get("key") != key or not os.path.exists(os.path.join(path, ".installed")):
            shutil.rmtree(path, ignore_errors=True)
            for argv in ([python, "-m", "venv", path],
                         [os.path.join(path, "bin", "python"), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check"] + list(requirements)):
                proc = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False)
                if proc.returncode != 0:
                    raise RuntimeError("%s failed (rc=%d):\n%s\n%s" % (
                        " ".join(argv[:5]), proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
            open(os.path.join(path, ".installed"), "w").close()
            _write_keys(path + ".key", {"key": key})
    return path


class WorkTree:
    """``with WorkTree(path, {"clone/.venv": key, ...}) as tree``: ``path`` emptied, but for the venvs at those
    relative paths whose key still holds, put back by ``tree.restore()`` once the check has made the tree again
    (after its ``git clone``, say). On leaving, the keys of the venvs the run made are recorded."""

    def __init__(self, path, keys):
        self.path = path
        self.keys = keys
        self.kept = path + ".kept"
        self._lock = _Locked(path + ".lock")
        self.reused = []

    def __enter__(self):
        self._lock.__enter__()
        stored = _read_keys(self.path + ".keys")
        shutil.rmtree(self.kept, ignore_errors=True)
        os.makedirs(self.kept)
        for index, (relative, key) in enumerate(sorted(self.keys.items())):
            where = os.path.join(self.path, relative)
            if stored.get(relative) == key and os.path.isdir(where) and not os.path.islink(where):
                os.rename(where, os.path.join(self.kept, str(index)))
        shutil.rmtree(self.path, ignore_errors=True)
        os.makedirs(self.path)
        return self

    def restore(self):
        for index, relative in enumerate(sorted(self.keys)):
            kept = os.path.join(self.kept, str(index))
            if os.path.isdir(kept):
                where = os.path.join(self.path, relative)
                os.makedirs(os.path.dirname(where), exist_ok=True)
                os.rename(kept, where)
                self.reused.append(relative)

    def __exit__(self, *exc):
        try:
            made = dict((relative, key) for relative, key in self.keys.items()
                        if os.path.isfile(os.path.join(self.path, relative, "pyvenv.cfg")))
            _write_keys(self.path + ".keys", made)
            shutil.rmtree(self.kept, ignore_errors=True)
        finally:
            self._lock.__exit__(*exc)
