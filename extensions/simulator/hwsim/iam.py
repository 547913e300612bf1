"""IAM policies in the simulated account, evaluated as IAM evaluates them.

Each user, agency and federated identity (the agency an OIDC exchange or an instance's metadata hands out) can carry
policies, by its user id: Huawei's policy documents, ``{"Version": "1.1" | "5.0", "Statement": [{"Effect": "Allow" |
"Deny", "Action": [...]}]}``. Version 1.1 is role/policy-based authorization (the actions of each service's
"Permissions Policies and Supported Actions"), 5.0 identity policies (the actions of each API page's "Authorization
Information"). A call is refused when a Deny statement matches an action it needs, or when no Allow statement does;
actions match with ``*`` wildcards, case-insensitively. A call an identity policy needs no action for is allowed to a
principal with a 5.0 policy. A principal without policies keeps full access (the seeds of before behave as they
did); one whose policies are an empty list has none.

The actions each API needs are ``ACTIONS`` (per handler), overridable per handler with the ``iam_actions`` knob where
Huawei does not document them; the refusal each service answers is ``REFUSALS``, overridable with ``iam_refusals``.
"""

import fnmatch

# handler name -> {policy version: actions the call needs}; () for 5.0: the API needs no identity-policy permission.
ACTIONS = {
    "iam_projects": {"1.1": ("iam:projects:list",), "5.0": ("iam:projects:listProjects",)},
    "iam_security_tokens": {"1.1": ("iam:agencies:assume",), "5.0": ("sts:agencies:assume",)},
    "ma_list": {"1.1": ("modelarts:devserver:listByUser",), "5.0": ("modelarts:devserver:listByUser",)},
    "ma_list_all": {"1.1": ("modelarts:devserver:list",), "5.0": ("modelarts:devserver:list",)},
    "ma_show": {"1.1": ("modelarts:devserver:get",), "5.0": ("modelarts:devserver:get",)},
    "ma_action": {"1.1": ("modelarts:devserver:{action}",), "5.0": ("modelarts:devserver:{action}",)},
    # Not named by the permission page's rows: the nearest documented actions (configurable with iam_actions).
    "ma_list_eips": {"1.1": ("modelarts:devserver:get",), "5.0": ()},
    "ma_bind_eip": {"1.1": ("vpc:publicIps:update",), "5.0": ()},
    "ma_unbind_eip": {"1.1": ("vpc:publicIps:update",), "5.0": ()},
    "vpc_v1_list": {"1.1": ("vpc:publicIps:list",), "5.0": ("eip:publicIps:list",)},
    "vpc_v3_list": {"1.1": ("vpc:publicIps:list",), "5.0": ("eip:publicIps:list",)},
    "vpc_v1_show": {"1.1": ("vpc:publicIps:get",), "5.0": ("eip:publicIps:get",)},
    "vpc_v3_show": {"1.1": ("vpc:publicIps:get",), "5.0": ("eip:publicIps:get",)},
    "vpc_create_eip": {"1.1": ("vpc:publicIps:create",), "5.0": ("eip:publicIps:create",)},
    "vpc_delete_eip": {"1.1": ("vpc:publicIps:delete",), "5.0": ("eip:publicIps:delete",)},
    "vpc_bandwidth_show": {"1.1": ("vpc:bandwidths:get",), "5.0": ("vpc:bandwidths:get",)},
    "vpc_subnet_list": {"1.1": ("vpc:subnets:list",), "5.0": ("vpc:subnets:list",)},
    "vpc_subnet_show": {"1.1": ("vpc:subnets:get",), "5.0": ("vpc:subnets:get",)},
    "cdc_list": {"1.1": ("clouddc:instance:list",), "5.0": ("clouddc:instance:list",)},
    "cdc_status": {"1.1": ("clouddc:instance:get",), "5.0": ("clouddc:instance:get",)},
    "cdc_change_ip": {"1.1": ("clouddc:instance:updateIP",), "5.0": ("clouddc:instance:updateIP",)},
    "cdc_physical_server": {"1.1": ("clouddc:imetal:get",), "5.0": ("clouddc:imetal:get",)},
}

# What each service answers for a call the caller's policies do not allow: status, error code (None: IAM's own
# Keystone-style body), message ({action} is the action refused).
REFUSALS = {
    "modelarts": {"status": 403, "code": "ModelArts.0203",
                  "message": "Invalid token, or policy doesn't allow {action} to be performed."},
    "vpc": {"status": 403, "code": "VPC.0015", "message": "Policy doesn't allow {action} to be performed."},
    "clouddc": {"status": 403, "code": "CLOUDDC.0403", "message": "Policy doesn't allow {action} to be performed."},
    "iam": {"status": 403, "code": None,
            "message": "You are not authorized to perform the requested action: {action}."},
}

VERSIONS = ("1.1", "5.0")


class PolicyError(ValueError):
    """A policy document the simulator (and IAM) would refuse."""


def check_policies(policies, where):
    """The policy documents of one principal, each checked; raises PolicyError naming what is wrong."""
    if not isinstance(policies, list):
        raise PolicyError("%s: policies must be a list of policy documents" % where)
    for index, policy in enumerate(policies):
        at = "%s[%d]" % (where, index)
        if not isinstance(policy, dict) or str(policy.get("Version")) not in VERSIONS:
            raise PolicyError("%s: a policy is {Version: 1.1 or 5.0, Statement: [...]}" % at)
        statements = policy.get("Statement")
        if not isinstance(statements, list) or not statements:
            raise PolicyError("%s.Statement: a list of statements" % at)
        for number, statement in enumerate(statements):
            if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
                raise PolicyError("%s.Statement[%d].Effect: Allow or Deny" % (at, number))
            actions = statement.get("Action")
            if not isinstance(actions, list) or not all(isinstance(a, str) and a.count(":") == 2 for a in actions):
                raise PolicyError("%s.Statement[%d].Action: a list of service:resource:action names" % (at, number))
    return policies


def required(handler, groups, body, config):
    """{version: actions} the call of ``handler`` needs, or None when it needs none (logins, the metadata
    services, a token's own temporary keys)."""
    name = handler.__name__
    if name == "iam_security_tokens":
        methods = (((body or {}).get("auth") or {}).get("identity") or {}).get("methods") or []
        if "assume_role" not in methods:
            return None
    needed = dict((config.get("iam_actions") or {}).get(name) or ACTIONS.get(name) or {})
    if not needed:
        return None
    return dict((version, tuple(a.format(**groups) for a in actions)) for version, actions in needed.items())


def _matches(pattern, action):
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def refused_action(policies, needed):
    """The action the principal's ``policies`` refuse for a call needing ``needed`` ({version: actions}), or None
    when they allow it. An explicit Deny wins; then any Allow; a 5.0 policy allows a call that needs no identity
    permission."""
    versions = set(str(p.get("Version")) for p in policies)
    for policy in policies:
        for statement in policy["Statement"]:
            if statement["Effect"] != "Deny":
                continue
            for action in needed.get(str(policy["Version"]), ()):
                if any(_matches(p, action) for p in statement["Action"]):
                    return action
    if "5.0" in versions and "5.0" in needed and not needed["5.0"]:
        return None
    for policy in policies:
        wanted = needed.get(str(policy["Version"]), ())
        for statement in policy["Statement"]:
            if statement["Effect"] == "Allow" and any(_matches(p, a) for p in statement["Action"] for a in wanted):
                return None
    first = [a for version in VERSIONS if version in versions for a in needed.get(version, ())]
    return (first or [a for actions in needed.values() for a in actions] or ["?"])[0]


def refusal(service, action, config):
    """(status, error code or None for IAM's Keystone-style body, message) of a refused call."""
    answer = dict(REFUSALS.get(service) or REFUSALS["vpc"])
    answer.update((config.get("iam_refusals") or {}).get(service) or {})
    return answer["status"], answer.get("code"), answer["message"].format(action=action)
