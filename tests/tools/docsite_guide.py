"""docsite_guide.py SITE: put the user guide (docs/*.md, in the order of docs/README.md) into the documentation site
that antsibull-docs wrote in SITE/rst, before Sphinx renders it (with myst-parser).

* The pages go to SITE/rst/guide/, with their links made to work in the site: a link to another guide page stays
  one, ``reference/<plugin>.rst`` becomes the plugin's page of the site, and a link to any other file of the
  repository becomes its address in the repository (galaxy.yml's ``repository``).
* The collection's index page gets the title ``hwcloud.infra`` (antsibull-docs writes "Hwcloud.Infra") and a
  "User guide" table of contents.
"""

import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def guide_pages():
    """The guide's pages in the order docs/README.md lists them."""
    with open(os.path.join(DOCS, "README.md"), encoding="utf-8") as handle:
        listed = re.findall(r"\]\(([a-z-]+\.md)\)", handle.read())
    seen = []
    for page in listed:
        if page not in seen and os.path.exists(os.path.join(DOCS, page)):
            seen.append(page)
    return seen


def relink(text, pages, repository):
    def fix(match):
        target = match.group(1)
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        path, anchor = (target.split("#", 1) + [""])[:2]
        if path in pages:
            return "](%s%s)" % (path, "#" + anchor if anchor else "")
        if path.startswith("reference/") and path.endswith(".rst"):
            name = os.path.basename(path)[:-len(".rst")]
            return "](../%s.rst)" % ("index" if name == "index" else name)
        resolved = os.path.normpath(os.path.join("docs", path))
        return "](%s/blob/main/%s)" % (repository.rstrip("/"), resolved)
    return LINK.sub(fix, text)


def main(site):
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        galaxy = yaml.safe_load(handle)
    rst = os.path.join(site, "rst")
    guide = os.path.join(rst, "guide")
    os.makedirs(guide, exist_ok=True)
    pages = guide_pages()
    for page in pages:
        with open(os.path.join(DOCS, page), encoding="utf-8") as handle:
            text = handle.read()
        with open(os.path.join(guide, page), "w", encoding="utf-8") as handle:
            handle.write(relink(text, pages, galaxy["repository"]))
    index = os.path.join(rst, "index.rst")
    with open(index, encoding="utf-8") as handle:
        text = handle.read()
    title = "%s.%s" % (galaxy["namespace"], galaxy["name"])
    text, count = re.subn(r"^Hwcloud\.Infra\n=+\n", "%s\n%s\n" % (title, "=" * len(title)), text, count=1,
                          flags=re.M)
    if count != 1:
        sys.exit("docsite_guide: the collection index has no title to set")
    toc = "User guide\n----------\n\n.. toctree::\n   :maxdepth: 1\n\n%s\n\n" % "\n".join(
        "   guide/%s" % page[:-3] for page in pages)
    text, count = re.subn(r"^(Description\n-+\n)", toc.replace("\\", "\\\\") + r"\1", text, count=1, flags=re.M)
    if count != 1:
        sys.exit("docsite_guide: the collection index has no Description section to put the guide before")
    with open(index, "w", encoding="utf-8") as handle:
        handle.write(text)
    with open(os.path.join(site, "conf.py"), "a", encoding="utf-8") as handle:
        handle.write("\n# The user guide is Markdown (docs/*.md).\nextensions.append('myst_parser')\n"
                     "source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}\n"
                     "myst_heading_anchors = 3\n")
    print("docsite: user guide of %d pages" % len(pages))


if __name__ == "__main__":
    main(sys.argv[1])
