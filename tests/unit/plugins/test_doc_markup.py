"""Every text of every plugin's documentation, as ansible-doc serves it (fragments merged), is well-formed Ansible
markup that renders as written: a markup element's content never holds half of a bracket pair (so
``C(http(s)://...)``, which closes at the first ``)``, is caught) and every paragraph's rendered text pairs its
brackets."""

import json
import os
import subprocess
import sys

import pytest
from antsibull_docs_parser.parser import Context, parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)
PAIRS = {"(": ")", "[": "]"}


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp", "collections"), ANSIBLE_NOCOLOR="1")
    out = subprocess.run([os.path.join(BIN, "ansible-doc")] + list(args), env=env, capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


def plugins():
    found = []
    for kind in ("module", "inventory", "role"):
        found += [(kind, name) for name in sorted(ansible_doc("-t", kind, "--list", "--json", "hwcloud.infra"))]
    return found


def texts(value, path):
    """(path, text) for every documentation string: descriptions, notes, short descriptions, seealso."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("description", "short_description", "notes", "version_added_collection") or \
                    isinstance(item, (dict, list)):
                yield from texts(item, "%s.%s" % (path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts(item, "%s[%d]" % (path, index))
    elif isinstance(value, str):
        yield path, value


def unbalanced(text):
    stack = []
    for char in text:
        if char in PAIRS:
            stack.append(PAIRS[char])
        elif char in PAIRS.values():
            if not stack or stack.pop() != char:
                return True
    return bool(stack)


def markup_problems(path, text):
    problems = []
    try:
        paragraphs = parse(text, Context(), errors="exception")
    except ValueError as exc:
        return ["%s: %s" % (path, exc)]
    for paragraph in paragraphs:
        rendered = ""
        for part in paragraph:
            content = getattr(part, "text", None)
            if content is None:
                content = getattr(part, "value", None) or getattr(part, "name", None) or \
                    getattr(part, "fqcn", None) or ""
            elif type(part).__name__ != "TextPart" and unbalanced(content):
                problems.append("%s: %s(%s) holds half of a bracket pair: %r" % (
                    path, type(part).__name__, content, text))
            rendered += content
        if unbalanced(rendered):
            problems.append("%s: the rendered text does not pair its brackets: %r" % (path, rendered))
    return problems


@pytest.mark.parametrize("kind,name", plugins())
@pytest.mark.ansible_process
def test_documentation_markup_renders_as_written(kind, name):
    doc = ansible_doc("-t", kind, "--json", name)
    problems = []
    for path, text in texts(doc, name):
        problems += markup_problems(path, text)
    assert problems == []


def test_the_check_finds_a_code_element_closed_early():
    assert markup_problems("x", "Each value is C(http(s)://host[:port]).")
    assert markup_problems("x", "Keys are C(a) (and C(b)).") == []
