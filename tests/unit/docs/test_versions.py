"""Every version of the collection that the documentation names is galaxy.yml's."""

import glob
import os
import re

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# hwcloud-infra-0.2.0.tar.gz, hwcloud-infra-ee:0.2.0, "hwcloud.infra 0.2.0", "collection version 0.2.0"
MENTION = re.compile(r"hwcloud-infra-(?:ee:)?v?(\d+\.\d+\.\d+)|hwcloud\.infra (?:version )?v?(\d+\.\d+\.\d+)"
                     r"|[Cc]ollection version (\d+\.\d+\.\d+)")


def documents():
    patterns = [("docs", "*.md"), ("roles", "*", "README.md"), ("extensions", "**", "*.md"),
                ("extensions", "**", "*.yml")]
    paths = ["README.md"]
    for pattern in patterns:
        paths += glob.glob(os.path.join(ROOT, *pattern), recursive=True)
    return sorted(set(os.path.relpath(os.path.join(ROOT, p), ROOT) for p in paths))


def mentions(text):
    return [next(g for g in m.groups() if g) for m in MENTION.finditer(text)]


def test_documented_versions_are_galaxy_yml_s():
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        version = yaml.safe_load(handle)["version"]
    wrong, found = [], 0
    for path in documents():
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                for mentioned in mentions(line):
                    found += 1
                    if mentioned != version:
                        wrong.append("%s:%d says %s" % (path, number, mentioned))
    assert wrong == [] and found >= 3, (wrong, found)


def test_the_check_reads_every_form():
    assert mentions("install hwcloud-infra-0.1.0.tar.gz, tag hwcloud-infra-ee:0.1.0; hwcloud.infra 1.2.3") == [
        "0.1.0", "0.1.0", "1.2.3"]
