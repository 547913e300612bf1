# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: huaweicloud
short_description: ModelArts Lite Servers and Cloud Data Center iMetal instances as inventory hosts
version_added: 0.2.0
description:
  - Reads the Lite Servers (ModelArts) and iMetal instances (CloudDC) of one or more regions and makes each a
    host, with its id, name, status, flavor, VPC, subnets, private and public addresses as host variables.
  - C(hwcloud_status) is lower case for every service (C(running), whether a Lite Server says C(RUNNING) or an
    iMetal instance C(running)), so one C(keyed_groups) entry groups both; C(hwcloud_status_raw) keeps the value as
    the API gave it.
  - Bulk reads only - per region, the Lite Server listing, one listing of the project's EIPs (the public addresses
    of every server, by the device of each EIP's port) and the iMetal listing, each in the largest pages the API
    allows.
  - The connection options are the modules' own (M(hwcloud.infra.modelarts_devserver_info) documents them), with
    the same environment variables, so the credentials AWX injects serve both.
  - The configuration file's name must end in C(.huaweicloud.yml), C(.huaweicloud.yaml), C(.hwcloud.yml) or
    C(.hwcloud.yaml).
  - "Groups out of the box: C(hwcloud_lite_servers) and C(hwcloud_imetal) (per service), C(hwcloud_status_<status>)
    (for example C(hwcloud_status_running)) and C(hwcloud_region_<region>), lower case, C(-) as C(_)."
author:
  - hwcloud.infra contributors (@hwcloud-infra)
extends_documentation_fragment:
  - hwcloud.infra.common
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin; the file is read by it only when this is set.
    required: true
    type: str
    choices: [hwcloud.infra.huaweicloud]
  regions:
    description:
      - The regions to read, each with its own project (discovered from IAM by the region's name, unless
        O(project_id) is given, which then applies to one region only).
      - O(region) (or its environment variables) alone when omitted.
    type: list
    elements: str
  services:
    description: What to read - V(modelarts) (Lite Servers) and V(clouddc) (iMetal instances).
    type: list
    elements: str
    choices: [modelarts, clouddc]
    default: [modelarts, clouddc]
  filters:
    description:
      - Only the resources that match every filter given.
      - C(status) - a list of statuses (Lite Server status or iMetal state, case does not matter).
      - C(name) - a shell-style pattern (C(train-*)).
      - C(flavor) - a list of Lite Server flavors (an iMetal instance has none and does not match).
      - C(vpc_id) - a list of VPC ids.
      - C(tags) - a dict; an iMetal instance matches when it has every tag with that value (Lite Servers have no
        tags in the API and do not match).
    type: dict
    default: {}
  hostnames:
    description:
      - The inventory name of each host - the first of these the resource has - V(name), V(id), V(public_ip) (its
        first EIP's address), V(private_ip). A name another resource also has falls through to the next preference,
        and the last resort is the id.
    type: list
    elements: str
    choices: [name, id, public_ip, private_ip]
    default: [name, id]
  ansible_host:
    description: Which address becomes C(ansible_host) - the first of these the resource has.
    type: list
    elements: str
    choices: [public_ip, private_ip]
    default: [public_ip, private_ip]
"""

EXAMPLES = r"""
# inventory.huaweicloud.yml - credentials from the HW_* environment variables (as AWX injects them)
plugin: hwcloud.infra.huaweicloud
regions: [ap-southeast-3]
filters:
  status: [RUNNING]
keyed_groups:
  - key: hwcloud_flavor
    prefix: flavor
compose:
  ansible_user: "'root'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/hwcloud-inventory
cache_timeout: 600

# ansible-inventory -i inventory.huaweicloud.yml --graph
"""

import fnmatch
import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ..module_utils._client import Client
from ..module_utils._errors import HuaweiCloudError, step
from ..module_utils._clouddc import list_instances
from ..module_utils._modelarts import eips_by_device, list_servers, server_eips
from ..module_utils._module import COMMON_OPTION_NAMES, connection_options
from ..module_utils._vpc import address_key, list_eips

SUFFIXES = (".huaweicloud.yml", ".huaweicloud.yaml", ".hwcloud.yml", ".hwcloud.yaml")
FILTER_KEYS = ("status", "name", "flavor", "vpc_id", "tags")


def group_name(*parts):
    return re.sub(r"[^a-z0-9_]", "_", "_".join(str(p) for p in parts).lower())


def read_region(options, services, explicit=None):
    """Every resource of one region as host records: bulk listings through the modules' own client."""
    client = Client(options, explicit=explicit)
    region = client.region
    hosts = []
    if "modelarts" in services:
        with step("list the Lite Servers of region %s" % region):
            servers = list_servers(client)
        with step("list the EIPs of region %s" % region):
            by_device = eips_by_device(list_eips(client)) if servers else {}
        for server in servers:
            public = sorted((e["public_ip_address"] for e in server_eips(by_device, server)
                             if e.get("public_ip_address")), key=address_key)
            private = [e["uri"] for e in server.get("endpoints") or [] if e.get("uri")]
            hosts.append({"service": "modelarts", "region": region, "id": server["id"], "name": server.get("name"),
                          "status": lower(server.get("status")), "status_raw": server.get("status"),
                          "flavor": server.get("flavor"),
                          "vpc_id": server.get("vpc_id"), "subnet_ids": [s for s in [server.get("subnet_id")] if s],
                          "private_ips": private, "public_ips": public, "tags": {},
                          "cloud_server_id": (server.get("cloud_server") or {}).get("id"),
                          "category": server.get("category")})
    if "clouddc" in services:
        with step("list the iMetal instances of region %s" % region):
            instances = list_instances(client)
        for instance in instances:
            nics = instance.get("network_interfaces") or []
            tags = instance.get("tags") or {}
            if isinstance(tags, list):
                tags = dict((t.get("key"), t.get("value")) for t in tags if isinstance(t, dict))
            hosts.append({"service": "clouddc", "region": region, "id": instance["id"], "name": instance.get("name"),
                          "status": lower(instance.get("state")), "status_raw": instance.get("state"),
                          "flavor": None, "vpc_id": instance.get("vpc_id"),
                          "subnet_ids": [n.get("subnet_id") for n in nics if n.get("subnet_id")],
                          "private_ips": [n.get("ipv4_address") for n in nics if n.get("ipv4_address")],
                          "public_ips": [], "tags": tags, "physical_server_id": instance.get("server_id")})
    return hosts


def lower(status):
    """One case for every service's status (Lite Servers say RUNNING, iMetal instances running)."""
    return status.lower() if isinstance(status, str) else status


def matches(host, filters):
    if filters.get("status") and (host["status"] or "").lower() not in [s.lower() for s in filters["status"]]:
        return False
    if filters.get("name") and not fnmatch.fnmatchcase(host["name"] or "", filters["name"]):
        return False
    if filters.get("flavor") and host["flavor"] not in filters["flavor"]:
        return False
    if filters.get("vpc_id") and host["vpc_id"] not in filters["vpc_id"]:
        return False
    if filters.get("tags") and any(host["tags"].get(k) != v for k, v in filters["tags"].items()):
        return False
    return True


def address(host, preference):
    for kind in preference:
        values = host["public_ips"] if kind == "public_ip" else host["private_ips"]
        if values:
            return values[0]
    return None


def name_hosts(hosts, preference):
    """{inventory name: host}: each host's first preferred name that no other host has; the id at last."""
    def candidates(host):
        for kind in preference:
            value = host[kind] if kind in ("name", "id") else address(host, [kind])
            if value:
                yield value
        yield host["id"]

    counts = {}
    for host in hosts:
        for value in set(candidates(host)):
            counts[value] = counts.get(value, 0) + 1
    named = {}
    for host in hosts:
        chosen = next((c for c in candidates(host) if counts[c] == 1 and c not in named), host["id"])
        named[chosen] = host
    return named


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    # Names, tags and addresses come from the cloud: never trusted as templates.
    trusted_by_default = False

    NAME = "hwcloud.infra.huaweicloud"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        self._read_config_data(path)
        services = self.get_option("services")
        filters = self.get_option("filters") or {}
        unknown = sorted(set(filters) - set(FILTER_KEYS))
        if unknown:
            raise AnsibleError("%s: unknown filters %s (known: %s)" % (path, ", ".join(unknown), ", ".join(FILTER_KEYS)))
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[cache_key]
            except KeyError:
                hosts = None
        if hosts is None:
            hosts = self._read_all(services)
            if self.get_option("cache"):
                self._cache[cache_key] = hosts
        self._populate([h for h in hosts if matches(h, filters)])

    def _read_all(self, services):
        explicit = dict((name, self.get_option(name)) for name in COMMON_OPTION_NAMES if name in self._config_keys)
        try:
            base = connection_options(explicit)
            regions = self.get_option("regions") or [base["region"]]
            if len(regions) > 1 and base.get("project_id"):
                raise HuaweiCloudError("project_id applies to one region; leave it out to read several regions")
            hosts = []
            given = frozenset(name for name, value in explicit.items() if value is not None)
            for region in regions:
                hosts.extend(read_region(dict(base, region=region), services, given))
        except HuaweiCloudError as err:
            raise AnsibleError("hwcloud.infra.huaweicloud inventory: %s" % to_native(err.message))
        return hosts

    def _read_config_data(self, path):
        """Read the file, and note which options it sets (the others fall back to the environment, then defaults)."""
        config = super(InventoryModule, self)._read_config_data(path)
        self._config_keys = set(config or {})
        return config

    def _populate(self, hosts):
        strict = self.get_option("strict")
        for name, host in sorted(name_hosts(hosts, self.get_option("hostnames")).items()):
            group = "hwcloud_lite_servers" if host["service"] == "modelarts" else "hwcloud_imetal"
            self.inventory.add_group(group)
            self.inventory.add_host(name, group=group)
            for extra in (group_name("hwcloud_status", host["status"] or "unknown"),
                          group_name("hwcloud_region", host["region"])):
                self.inventory.add_group(extra)
                self.inventory.add_child(extra, name)
            hostvars = dict(("hwcloud_%s" % key, value) for key, value in host.items())
            target = address(host, self.get_option("ansible_host"))
            if target:
                hostvars["ansible_host"] = target
            for key, value in hostvars.items():
                # What the cloud says (names, tags) is data, never a template: the values are left untrusted
                # (trusted_by_default is False), which ansible-core's data tagging never renders.
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)
