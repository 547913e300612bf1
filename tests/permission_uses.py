"""The uses of the collection whose IAM permissions are documented, shipped as policies and proven: each module in
each of its uses (read only, bind, unbind, move, exclusive, allocate, release, iMetal change, batches, check mode,
an agency to assume), run in this process against the simulator.

``derive`` (tests/tools/permissions.py, ``make permissions``) runs each use with full access and records the calls
the module makes, then drops every action the use ends as asked without: what is left is the use's least privilege.
tests/unit/permissions/test_least_privilege.py proves it against the simulator's IAM: green under exactly that
policy, and with any one action taken away a failure that names it, before the first write when it is a read, and
the cloud as it was or as asked.
"""

import contextlib
import functools
import io
import json
import re

from ansible_collections.hwcloud.infra.plugins.module_utils import _permissions
from ansible_collections.hwcloud.infra.plugins.module_utils._client import Client
from ansible_collections.hwcloud.infra.plugins.module_utils._module import HuaweiCloudModule

from hwsim.control import VirtualClock
from hwsim.seedinfo import CROSS_ACCOUNT_AGENCY, CROSS_ACCOUNT_DOMAIN, OTHER_AK, OTHER_SK

OTHER_ACCOUNT_USER = "911b1ecddf2353ef9a9d2dcd4bee9ab3"


class Use(object):
    """One use: the module (its name under plugins/modules), its arguments for the seed, check mode, the shipped
    policy it belongs to, and whose policies the simulator checks (the permanent keys' user unless told)."""

    def __init__(self, name, module, args, policy, check_mode=False, principal=None, connection=None):
        self.name = name
        self.module = module
        self.args = args
        self.policy = policy
        self.check_mode = check_mode
        self.principal = principal
        self.connection = connection or {}

    def arguments(self, sim):
        return self.args(sim) if callable(self.args) else dict(self.args)


def _subnet(sim, name):
    return next(s["id"] for s in sim.state()["subnets"] if s["name"] == name)


def _eip_id(sim, address):
    return next(e["id"] for e in sim.state()["publicips"] if e["public_ip_address"] == address)


def _imetal_change(sim):
    return {"instance": "gpu-node-02", "nics": [{"subnet_id": _subnet(sim, "subnet-a1"), "ip_address": "10.0.1.77"}]}


def _imetal_batch(sim):
    b1 = _subnet(sim, "subnet-b1")
    nics = dict((n, [{"subnet_id": b1, "ip_address": "172.16.0.%d" % (100 + n)}]) for n in (1, 2))
    return {"instances": [{"instance": "batch-node-%02d" % n, "nics": nics[n]} for n in (1, 2)]}


BIND = {"server": "train-a3-01", "public_ip": "203.0.113.11"}
EIP_BATCH = {"bindings": [{"server": "train-a3-01", "public_ip": "203.0.113.11"},
                          {"server": "train-a3-02", "public_ip": "203.0.113.40", "allow_rebind": True}]}

USES = (
    Use("modelarts_devserver_info", "modelarts_devserver_info", {}, "read-only"),
    Use("vpc_eip_info", "vpc_eip_info", {}, "read-only"),
    Use("cdc_imetal_instance_info", "cdc_imetal_instance_info", {}, "read-only"),
    Use("inventory", None, {}, "read-only"),
    Use("modelarts_devserver_eip: bind, check mode", "modelarts_devserver_eip", BIND, "read-only", check_mode=True),
    Use("modelarts_devserver_eip: bind", "modelarts_devserver_eip", BIND, "eip-operator"),
    Use("modelarts_devserver_eip: unbind", "modelarts_devserver_eip",
        {"server": "train-a3-04", "public_ip": "203.0.113.40", "state": "absent"}, "eip-operator"),
    Use("modelarts_devserver_eip: move (allow_rebind)", "modelarts_devserver_eip",
        {"server": "train-a3-01", "public_ip": "203.0.113.40", "allow_rebind": True}, "eip-operator"),
    Use("modelarts_devserver_eip: exclusive", "modelarts_devserver_eip",
        {"server": "train-a3-04", "public_ip": "203.0.113.11", "exclusive": True}, "eip-operator"),
    Use("modelarts_devserver_eip_batch", "modelarts_devserver_eip_batch", EIP_BATCH, "eip-operator"),
    Use("vpc_eip: allocate", "vpc_eip", {"name": "eip-least-privilege"}, "eip-operator"),
    Use("vpc_eip: release", "vpc_eip", lambda sim: {"id": _eip_id(sim, "203.0.113.11"), "state": "absent"},
        "eip-operator"),
    Use("cdc_imetal_ip: change, check mode", "cdc_imetal_ip", _imetal_change, "read-only", check_mode=True),
    Use("cdc_imetal_ip: change", "cdc_imetal_ip", _imetal_change, "imetal-network-operator"),
    Use("cdc_imetal_ip_batch", "cdc_imetal_ip_batch", _imetal_batch, "imetal-network-operator"),
    Use("auth: assume an agency", "auth", {"agency_name": CROSS_ACCOUNT_AGENCY,
                                           "agency_domain_name": CROSS_ACCOUNT_DOMAIN}, "everything",
        principal=OTHER_ACCOUNT_USER, connection={"access_key": OTHER_AK, "secret_key": OTHER_SK}),
)
# The roles run the batch modules with the bindings or instances they are given: their needs are those uses'.
ROLES = {"lite_server_expose": "modelarts_devserver_eip_batch", "imetal_readdress": "cdc_imetal_ip_batch"}


def policy_document(actions, version="1.1"):
    """A custom policy of Huawei's format allowing ``actions``."""
    return {"Version": version, "Statement": [{"Effect": "Allow", "Action": sorted(actions)}]}


def signature(sim):
    """What a use may change, as read from the simulator: where each EIP is bound, and each iMetal instance's
    VPC and addresses."""
    state = sim.state()
    eips = sorted((e["public_ip_address"], e.get("sim_bound_server")) for e in state["publicips"])
    instances = sorted((i["name"], i.get("vpc_id"), tuple(n.get("ipv4_address") for n in i["network_interfaces"]))
                       for i in state["instances"])
    return {"eips": eips, "instances": instances}


def run(sim, use, clock=None):
    """Run ``use`` in this process against ``sim``; (its result, the table rows of the calls it prepared)."""
    Client.record = set()
    try:
        if use.module is None:
            return _inventory(sim), set(Client.record)
        return _module(sim, use, clock or VirtualClock(sim)), set(Client.record)
    finally:
        Client.record = None


def _module(sim, use, clock):
    from unittest import mock

    from ansible.module_utils.common import warnings
    from ansible.module_utils.testing import patch_module_args
    import importlib

    module = importlib.import_module("ansible_collections.hwcloud.infra.plugins.modules.%s" % use.module)
    args = dict(sim.connection_options(), **use.connection)
    args.update(use.arguments(sim))
    args.update(_ansible_check_mode=use.check_mode)
    for name in ("_global_warnings", "_global_deprecations"):
        getattr(warnings, name, {}).clear()
    client_class = functools.partial(Client, sleep=clock, clock=clock.monotonic)
    out = io.StringIO()
    with patch_module_args(args), mock.patch.object(HuaweiCloudModule, "client_class", staticmethod(client_class)), \
            contextlib.redirect_stdout(out):
        try:
            module.main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())


def _inventory(sim):
    """The inventory plugin's reads of one region (its bulk listings), as a result."""
    from ansible.module_utils import _internal

    # Importing controller code marks the process as the controller, after which modules run in it would show
    # their warnings on the display instead of returning them: the mark is put back as it was.
    was = _internal.is_controller
    try:
        from ansible_collections.hwcloud.infra.plugins.inventory.huaweicloud import read_region
    finally:
        _internal.is_controller = was
    from ansible_collections.hwcloud.infra.plugins.module_utils._errors import HuaweiCloudError

    try:
        hosts = read_region(dict(sim.connection_options()), ("modelarts", "clouddc"))
    except HuaweiCloudError as err:
        return {"failed": True, "msg": err.message}
    return {"failed": False, "hosts": len(hosts)}


def succeeded(result):
    return not result.get("failed")


# What differs from run to run whatever the policy: ids and time stamps of what a run creates (a second boundary
# falls between two runs now and then), request ids, waits, warnings, temporary keys.
VOLATILE = ("request_id", "request_ids", "waits", "calls", "warnings", "deprecations", "invocation", "expires_at",
            "auth", "id", "created_at", "updated_at")


def outcome(result):
    """What a result tells its user, without what differs from run to run (request ids, waits, call counts,
    warnings, temporary keys): the same outcome under a narrower policy means the policy lost nothing."""
    if isinstance(result, str):
        return re.sub(r"; waited [0-9.]+ s \(\d+ reads\)", "", result)
    if isinstance(result, dict):
        return dict((k, outcome(v)) for k, v in result.items() if k not in VOLATILE)
    if isinstance(result, list):
        return [outcome(v) for v in result]
    return result


def apply_policy(sim, use, actions, version="1.1"):
    """The simulator's policy of the use's principal: ``actions`` only (None: full access)."""
    principal = use.principal
    sim.policies(None if actions is None else [policy_document(actions, version)], user=principal)


def derive(sim, use):
    """The least privilege of ``use``: the table rows of the calls it makes with full access, less every row whose
    actions it ends as asked without. Returns the rows, sorted."""
    sim.reset()
    apply_policy(sim, use, None)
    asked, rows = run(sim, use)
    if not succeeded(asked):
        raise AssertionError("%s fails with full access: %s" % (use.name, asked.get("msg")))
    wanted = (signature(sim), outcome(asked))
    needed = set(r for r in rows if r.role)
    for row in sorted(needed, key=lambda r: r.key):
        others = set(a for r in needed - {row} for a in r.role)
        if set(row.role) <= others:
            continue
        sim.reset()
        apply_policy(sim, use, others)
        result, _rows = run(sim, use)
        if succeeded(result) and (signature(sim), outcome(result)) == wanted:
            needed.discard(row)
    return sorted(needed, key=lambda r: r.key)


def documented(use):
    """The rows the generated table (``_permission_uses.py``) gives ``use``."""
    return dict((name, calls) for name, _policy, calls in _permissions.uses())[use.name]
