#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: simulator_admin
short_description: Drive the bundled Huawei Cloud API simulator from a test play
version_added: 0.3.0
description:
  - Calls the admin API of the simulator that ships with the collection (started by the role
    C(hwcloud.infra.simulator)) to reset it to its seed or to a new
    one, inject a fault, change a behaviour knob, expire the tokens it issued, read its state or its request log.
  - Made for tests of your own playbooks - never point it at anything but a simulator; it refuses an address that
    is not on the loopback network.
  - The request log holds method, path, query, status, service, request id and the body with secrets redacted; use
    it to assert what your playbook sent.
author:
  - hwcloud.infra contributors (@hwcloud-infra)
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: partial
    details: Every action is carried out in check mode too (it drives the simulator, not the cloud), so that a test
      play sets up its simulator the same way for a check-mode run.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: all
options:
  url:
    description:
      - The simulator's base URL (C(simulator_info.url) of the role). If not set, the value of the E(HWSIM_URL)
        environment variable is used.
    type: str
  ca_bundle:
    description: The simulator's CA certificate when it serves HTTPS (C(simulator_connection.ca_bundle)).
    type: path
  action:
    description:
      - V(reset) - back to the seed it started with, or to O(seed).
      - V(fault) - inject the fault O(fault).
      - V(clear_faults) - remove every injected fault.
      - V(configure) - change the behaviour knobs O(config).
      - V(expire_tokens) - expire every token it issued (the next call with one is refused as expired).
      - V(expire_credentials) - expire every token and temporary credential it issued (IAM tokens, the keys of
        the metadata service, pod identity, STS and assumed agencies), as when they run out mid-run.
      - V(revoke_credentials) - delete them instead, as when credentials are invalidated (the gateway no longer
        knows them).
      - V(requests) - return the request log, filtered by O(match).
      - V(clear_requests) - empty the request log.
      - V(state) - return the whole simulated state.
      - V(policies) - attach the IAM policies O(policies) (Huawei's policy documents, for example the
        collection's C(extensions/iam/policies/*.json)) to the simulated user O(user) (the one of the simulator's
        keys when not set) or agency O(agency); the simulator then allows only what they allow, as IAM does.
        O(policies=null) gives full access back.
      - V(advance_clock) - move the simulated cloud's clock forward by O(seconds), so that what takes time there
        happens at once - throttling windows close, an EIP release or an iMetal change of
        C(imetal_ip_change_seconds) ends, tokens and temporary credentials reach their expiry. A signature's date
        is still checked against the real clock. V(reset) takes the clock back.
    type: str
    required: true
    choices: [reset, fault, clear_faults, configure, expire_tokens, expire_credentials, revoke_credentials, requests,
              clear_requests, state, advance_clock, policies]
  seed:
    description: With V(reset), a seed file (the format of the simulator's README, C(hwsim_seed) 1).
    type: path
  fault:
    description:
      - "With V(fault), what to inject, for example C({path: /publicips$, method: POST, status: 429,
        error_code: APIG.0308, count: 3})."
      - Fields - C(method), C(path) (a regular expression), C(count) (null for always), C(status), C(error_code),
        C(error_msg), C(body), C(raw), C(content_type), C(headers), C(retry_after), C(latency), C(latency_after),
        C(apply), C(drop) (V(before) or V(after)), C(skip) (the first N matching requests pass); the simulator's README
        explains each.
    type: dict
  config:
    description: "With V(configure), the knobs to change (for example C({imetal_ip_change_polls: 5}))."
    type: dict
  seconds:
    description: With V(advance_clock), how far to move the clock, in seconds (0 or more).
    type: float
  policies:
    description: With V(policies), the policy documents (C({Version, Statement})) to attach; null gives full access.
    type: list
    elements: dict
  user:
    description: With V(policies), the simulated IAM user (name or user id) to attach them to.
    type: str
    default: ops-admin
  agency:
    description: With V(policies), the simulated agency (name) to attach them to instead of O(user).
    type: str
  match:
    description:
      - With V(requests), keep only the entries whose fields equal these values (C(method), C(service),
        C(status), ...); C(path) is a regular expression searched in the path.
    type: dict
    default: {}
notes:
  - The simulator's admin API and seed format are versioned (the support policy in the collection's README says
    what stays compatible); C(api_version) in the result is the admin API's.
"""

EXAMPLES = r"""
- name: Throttle the next EIP listing (the collection backs off and retries)
  hwcloud.infra.simulator_admin:
    action: fault
    fault: {method: GET, path: /eip/publicips$, status: 429, error_code: APIG.0308, count: 1}

- name: Bind an EIP (the playbook under test)
  hwcloud.infra.modelarts_devserver_eip:
    server: train-a3-01
    public_ip: 203.0.113.11

- name: What was sent to ModelArts
  hwcloud.infra.simulator_admin:
    action: requests
    match: {service: modelarts, method: POST}
  register: sent

- name: Exactly one bind (none in check mode)
  ansible.builtin.assert:
    that: sent.matched == (0 if ansible_check_mode else 1)

- name: Back to the seed for the next test
  hwcloud.infra.simulator_admin:
    action: reset
"""

RETURN = r"""
api_version:
  description: The version of the simulator's admin API.
  returned: always
  type: int
  sample: 1
requests:
  description: With V(requests), the matching entries of the request log, oldest first.
  returned: when O(action=requests)
  type: list
  elements: dict
  contains:
    method:
      description: The HTTP method.
      type: str
    path:
      description: The request path, without the query.
      type: str
    query:
      description: The query string.
      type: str
    seq:
      description: The entry's number in the log, from 1.
      type: int
    time:
      description: When the request came (seconds since the epoch).
      type: float
    auth:
      description: How it authenticated (V(aksk), V(token), ...); null when it did not get that far.
      type: str
    principal:
      description: The user id of its credential, when it authenticated.
      type: str
    fault:
      description: The injected fault that answered it, when one did.
      type: raw
    body:
      description: The request body, with secrets redacted.
      type: raw
    user_agent:
      description: The client's User-Agent.
      type: str
    status:
      description: The status the simulator answered.
      type: int
    service:
      description: The service the path belongs to (V(iam), V(modelarts), V(vpc), V(clouddc)); null for others.
      type: str
    request_id:
      description: The request id of the answer.
      type: str
matched:
  description: With V(requests), how many entries matched.
  returned: when O(action=requests)
  type: int
fault:
  description: With V(fault), the fault as the simulator keeps it (with its C(id)).
  returned: when O(action=fault)
  type: dict
policies:
  description: With V(policies), the principal (user id) and the policies now attached to it.
  returned: when O(action=policies)
  type: dict
  sample: {principal: 7b794086bf2a5915950fd7bee3cc9386, policies: [{Version: "1.1", Statement: []}]}
credentials_changed:
  description: With V(expire_credentials) or V(revoke_credentials), how many tokens and credentials it changed.
  returned: when O(action) is V(expire_credentials) or V(revoke_credentials)
  type: int
config:
  description: With V(configure), every knob after the change.
  returned: when O(action=configure)
  type: dict
state:
  description: With V(state), the whole simulated state.
  returned: when O(action=state)
  type: dict
clock:
  description: With V(advance_clock), the simulated clock after the move.
  returned: when O(action=advance_clock)
  type: dict
  contains:
    offset:
      description: Seconds the simulated clock is ahead of the real one.
      type: float
      sample: 300.0
    now:
      description: The simulated time, in UTC.
      type: str
      sample: "2026-12-07T10:05:00.000000Z"
"""

import ipaddress
import json
import os
import re

from ansible.module_utils.basic import AnsibleModule
from urllib.parse import urlparse
from ansible.module_utils.urls import open_url

ADMIN = "/__sim__/"
ACTIONS = ["reset", "fault", "clear_faults", "configure", "expire_tokens", "expire_credentials", "revoke_credentials",
           "requests", "clear_requests", "state", "advance_clock", "policies"]


def loopback_url(module, url):
    parsed = urlparse(url or "")
    host = parsed.hostname or ""
    try:
        on_loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        on_loopback = False
    if parsed.scheme not in ("http", "https") or not on_loopback:
        module.fail_json(msg="url must be the simulator's http(s) address on the loopback network (127.0.0.1), "
                             "for example the role's simulator_info.url; got %r" % (url,))
    return url.rstrip("/")


def call(module, base, method, name, body=None):
    data = None if body is None else json.dumps(body)
    try:
        resp = open_url(base + ADMIN + name, method=method, data=data, ca_path=module.params["ca_bundle"],
                        headers={"Content-Type": "application/json"}, timeout=30, follow_redirects="none")
        payload = resp.read()
    except Exception as exc:  # pylint: disable=broad-except
        detail = getattr(exc, "read", lambda: b"")() if hasattr(exc, "code") else b""
        module.fail_json(msg="simulator admin %s %s failed: %s%s; is the simulator at %s running (the role "
                             "hwcloud.infra.simulator starts it)?" % (
                                 method, name, exc, (" " + detail.decode("utf-8", "replace")[:300]) if detail
                                 else "", base))
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        module.fail_json(msg="simulator admin %s %s answered something that is not JSON; is %s a simulator?"
                             % (method, name, base))


def matches(entry, match):
    for key, wanted in match.items():
        if key == "path":
            if not re.search(wanted, entry.get("path") or ""):
                return False
        elif entry.get(key) != wanted:
            return False
    return True


def main():
    module = AnsibleModule(
        argument_spec=dict(
            url=dict(type="str"),
            ca_bundle=dict(type="path"),
            action=dict(type="str", required=True, choices=ACTIONS),
            seed=dict(type="path"),
            fault=dict(type="dict"),
            config=dict(type="dict"),
            match=dict(type="dict", default={}),
            seconds=dict(type="float"),
            policies=dict(type="list", elements="dict"),
            user=dict(type="str", default="ops-admin"),
            agency=dict(type="str"),
        ),
        required_if=[("action", "fault", ["fault"]), ("action", "configure", ["config"]),
                     ("action", "advance_clock", ["seconds"])],
        supports_check_mode=True,
    )
    p = module.params
    if p["seconds"] is not None and not 0 <= p["seconds"] < float("inf"):
        module.fail_json(msg="seconds must be 0 or more, got %r" % (p["seconds"],))
    base = loopback_url(module, p["url"] or os.environ.get("HWSIM_URL"))
    if p["match"].get("path") is not None:
        try:
            re.compile(p["match"]["path"])
        except re.error as exc:
            module.fail_json(msg="match.path is not a regular expression: %s" % exc)
    version = (call(module, base, "GET", "version") or {}).get("admin_api")
    action = p["action"]
    result = {"changed": action not in ("requests", "state"), "api_version": version}
    if action == "reset":
        seed = None
        if p["seed"]:
            try:
                with open(p["seed"], encoding="utf-8") as handle:
                    seed = {"seed_file_text": handle.read(), "seed_file_name": os.path.basename(p["seed"])}
            except (IOError, OSError) as exc:
                module.fail_json(msg="cannot read seed %s: %s" % (p["seed"], exc))
        call(module, base, "POST", "reset", seed)
    elif action == "fault":
        result["fault"] = call(module, base, "POST", "faults", p["fault"])
    elif action == "clear_faults":
        call(module, base, "DELETE", "faults")
    elif action == "configure":
        result["config"] = call(module, base, "PATCH", "config", p["config"])
    elif action == "expire_tokens":
        call(module, base, "POST", "tokens/expire")
    elif action in ("expire_credentials", "revoke_credentials"):
        result["credentials_changed"] = call(module, base, "POST", "credentials/" + action.split("_")[0])["count"]
    elif action == "requests":
        entries = [e for e in call(module, base, "GET", "requests")["requests"] if matches(e, p["match"])]
        result.update(requests=entries, matched=len(entries))
    elif action == "clear_requests":
        call(module, base, "DELETE", "requests")
    elif action == "advance_clock":
        result["clock"] = call(module, base, "POST", "clock", {"advance": p["seconds"]})
    elif action == "policies":
        target = {"agency": p["agency"]} if p["agency"] else {"user": p["user"]}
        before = call(module, base, "GET", "policies")["policies"]
        result["policies"] = call(module, base, "POST", "policies", dict(target, policies=p["policies"]))
        # Changed when the principal's policies are not what they were (the same ones again: no change).
        result["changed"] = before.get(result["policies"]["principal"]) != result["policies"]["policies"]
    else:
        result["state"] = call(module, base, "GET", "state")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
