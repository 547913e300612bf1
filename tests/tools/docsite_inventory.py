"""Point the docsite's intersphinx at a local inventory of the ansible-core documentation targets the rendered
pages link to, so the site builds offline and every reference still resolves to docs.ansible.com.

    python docsite_inventory.py DOCSITE_DIR   (after antsibull-docs wrote DOCSITE_DIR/rst)

The inventory holds the labels below and every ansible-core configuration variable (``:envvar:`ANSIBLE_...```) the
pages name. A page that links to a label missing here fails the build (warnings are errors): add the label."""

import glob
import re
import sys
import zlib

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values",
                             "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
}


def envvars(docsite):
    """The ansible-core configuration variables the rendered pages refer to."""
    found = set()
    for path in glob.glob("%s/rst/**/*.rst" % docsite, recursive=True):
        with open(path, encoding="utf-8") as handle:
            # The rst escapes the underscores (ANSIBLE\_CACHE\_PLUGIN).
            names = re.findall(r":envvar:`(ANSIBLE[A-Z0-9_\\]+)`", handle.read())
            found.update(name.replace("\\", "") for name in names)
    return sorted(found)


def main(docsite):
    body = "".join("%s std:label -1 %s %s\n" % (name, uri, title) for name, (uri, title) in sorted(LABELS.items()))
    body += "".join("%s std:envvar -1 reference_appendices/config.html#envvar-%s -\n" % (name, name)
                    for name in envvars(docsite))
    with open("%s/ansible_devel.inv" % docsite, "wb") as handle:
        handle.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
                     b"# The remainder of this file is compressed using zlib.\n")
        handle.write(zlib.compress(body.encode("utf-8")))
    path = "%s/conf.py" % docsite
    with open(path, encoding="utf-8") as handle:
        conf = handle.read()
    mapping = "intersphinx_mapping = {\n    'ansible_devel': (%r, '../ansible_devel.inv'),\n}\n" % ANSIBLE_DOCS
    conf, count = re.subn(r"intersphinx_mapping = \{.*?\n\}\n", lambda _m: mapping, conf, flags=re.S)
    if count != 1:
        sys.exit("docsite: conf.py has no intersphinx_mapping to replace")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(conf)


if __name__ == "__main__":
    main(sys.argv[1])
