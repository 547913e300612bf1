# -*- coding: utf-8 -*-
# Copyright (c) hwcloud.infra contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The common options of every hwcloud.infra module. Mirrors common_argument_spec() in
    # plugins/module_utils/_module.py exactly; a unit test compares the two.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region name, for example V(ap-southeast-3) or V(cn-north-4).
      - If not set, the value of the E(HW_REGION_NAME) or E(HUAWEICLOUD_SDK_REGION) environment variable is used.
      - One of them is needed; it is resolved when the module runs, and a module without any fails before sending
        a request.
    type: str
  project_id:
    description:
      - Id of the project the resources belong to.
      - When omitted, it is looked up in IAM by the region name (the project named like the region).
      - If not set, the value of the E(HW_PROJECT_ID) or E(HUAWEICLOUD_SDK_PROJECT_ID) environment variable is used.
    type: str
  access_key:
    description:
      - Access key id (AK) for request signing with SDK-HMAC-SHA256, the default authentication method.
      - If not set, the value of the E(HW_ACCESS_KEY) or E(HUAWEICLOUD_SDK_AK) environment variable is used.
    type: str
  secret_key:
    description:
      - Secret access key (SK) that goes with O(access_key). Never logged or returned.
      - If not set, the value of the E(HW_SECRET_KEY) or E(HUAWEICLOUD_SDK_SK) environment variable is used.
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token).
      - If not set, the value of the E(HW_SECURITY_TOKEN) or E(HUAWEICLOUD_SDK_SECURITY_TOKEN) environment variable is used.
    type: str
  auth_token:
    description:
      - A ready IAM token, sent as C(X-Auth-Token). Mutually exclusive with the other authentication methods.
      - Keys and tokens with white space, control characters (a trailing newline, for example) or non-ASCII
        characters are refused before any request, without showing the value.
      - If not set, the value of the E(HW_AUTH_TOKEN) environment variable is used.
    type: str
  user_name:
    description:
      - IAM user name for password login. The token is obtained once per module run.
      - If not set, the value of the E(HW_USER_NAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(user_name). Never logged or returned.
      - If not set, the value of the E(HW_USER_PASSWORD) environment variable is used.
    type: str
  domain_name:
    description:
      - Account (domain) name that O(user_name) belongs to.
      - If not set, the value of the E(HW_DOMAIN_NAME) environment variable is used.
    type: str
  auth_source:
    description:
      - Where the credentials come from. V(auto) walks the chain and uses the first source that has any - the
        credential options set in the task, then their environment variables, then OIDC federation
        (E(HUAWEICLOUD_OIDC_PROVIDER_URN) and the other E(HUAWEICLOUD_OIDC_*) variables of Huawei's SDK), then a
        federated id token (E(HUAWEICLOUD_SDK_IDP_ID) with E(HUAWEICLOUD_SDK_ID_TOKEN_FILE)), then a shared-config
        profile (O(profile), O(shared_config_file) or C(~/.hcloud/config.json)), then the SDK credentials file
        (O(credentials_file) or C(~/.huaweicloud/credentials)), then the agency keys of the instance metadata service
        (O(metadata_url)), then CCE pod identity (E(HC_CONTAINER_CREDENTIALS_FULL_URI) with
        E(HC_CONTAINER_AUTHORIZATION_TOKEN_FILE)).
      - Credential options set in the task win over environment variables; the environment then only completes
        their method and adds no agency.
      - V(options), V(profile), V(credentials_file), V(oidc), V(id_token), V(metadata) or V(pod_identity) pins one
        source, so that no other is ever read (a laptop never probes a metadata service); a pinned source that has
        no credentials fails, naming it.
      - Errors name the source (for example C(profile 'prod' of ~/.hcloud/config.json)) and never a value.
      - If not set, the value of the E(HW_AUTH_SOURCE) environment variable is used.
    type: str
    choices: [auto, options, profile, credentials_file, oidc, id_token, metadata, pod_identity]
    default: auto
  profile:
    description:
      - The profile of the KooCLI / Terraform shared config file to use; the file's C(current) profile when not set.
      - Profiles of mode C(AKSK) are read (C(accessKeyId), C(secretAccessKey), C(securityToken), C(region),
        C(projectId)); the profile's region and project apply when O(region) and O(project_id) are not set.
      - A file whose keys KooCLI encrypted (C(authEncrypt)) is refused with the command that makes it readable
        (C(hcloud configure set --cli-auth-encrypt=false)).
      - If not set, the value of the E(HW_PROFILE) environment variable is used.
    type: str
  shared_config_file:
    description:
      - The KooCLI / Terraform shared config file, C(~/.hcloud/config.json) when not set.
      - If not set, the value of the E(HW_SHARED_CONFIG_FILE) environment variable is used.
    type: path
  credentials_file:
    description:
      - The Huawei Cloud SDK credentials file (INI), C(~/.huaweicloud/credentials) when not set. Its C([basic])
        section is read as the SDK reads it - C(ak), C(sk), C(security_token), C(project_id), C(iam_endpoint).
      - A credentials file, or shared config file, that group or others can read gets a warning.
      - If not set, the value of the E(HUAWEICLOUD_SDK_CREDENTIALS_FILE) environment variable is used.
    type: path
  metadata_url:
    description:
      - Base URL of the instance metadata service that serves an ECS's or BMS's agency keys, C(http://169.254.169.254)
        when not set. It is asked (with the SDK's session-token protocol, without any proxy) when the chain found
        nothing else, or when O(auth_source=metadata); the keys are fetched again before they expire.
      - When nothing is pinned and nothing else was found, a machine without a metadata service adds at most about
        one second (the connect timeout) before the failure that lists what was looked at.
      - If not set, the value of the E(HW_METADATA_URL) environment variable is used.
    type: str
  agency_name:
    description:
      - An agency to assume with the credentials the chain found (for example another account's agency, for
        cross-account work); the modules then act with the agency's temporary keys, fetched from IAM and fetched
        again before they expire.
      - Needs O(agency_domain_name) or O(agency_domain_id), the account the agency belongs to.
      - A shared-config profile's C(agencyName), C(agencyDomainName) and C(agencyDomainId) are used when these
        options are not set.
      - If not set, the value of the E(HW_ASSUME_ROLE_AGENCY_NAME) environment variable is used.
    type: str
  agency_domain_name:
    description:
      - The name of the account (domain) whose agency O(agency_name) is.
      - If not set, the value of the E(HW_ASSUME_ROLE_DOMAIN_NAME) environment variable is used.
    type: str
  agency_domain_id:
    description:
      - The id of the account whose agency O(agency_name) is, instead of O(agency_domain_name).
      - If not set, the value of the E(HW_ASSUME_ROLE_DOMAIN_ID) environment variable is used.
    type: str
  agency_duration:
    description:
      - How long the agency's temporary keys last, in seconds, from 900 to 86400; 3600 when not set.
      - If not set, the value of the E(HW_ASSUME_ROLE_DURATION) environment variable is used.
    type: int
  cloud:
    description:
      - Domain suffix of the service endpoints, C(https://{service}.{region}.{cloud}).
      - With the default, the hosts follow the region tables of Huawei's SDK, which has a few exceptions to this
        pattern; IAM in a region without a regional IAM endpoint is the global C(https://iam.myhuaweicloud.com),
        IAM in eu-west-101 is on C(myhuaweicloud.eu), ModelArts in ap-southeast-1 on C(myhuaweicloud.cn).
        Another value applies the pattern to every service.
      - If not set, the value of the E(HW_CLOUD) environment variable is used.
    type: str
    default: myhuaweicloud.com
  endpoints:
    description:
      - Base URL per service, overriding the one built from O(region) and O(cloud).
      - Keys are V(iam), V(modelarts), V(clouddc), V(vpc) and V(sts) (STS, asked only for OIDC federation; the
        E(HUAWEICLOUD_SDK_STS_ENDPOINT) variable of Huawei's SDK sets it too).
      - Each value is a base URL, C(https://host[:port][/path]) or C(http://host[:port][/path]); user-info, query,
        fragment, white space and invalid host names
        are refused before any request (give IDNA names in their C(xn--) form).
      - If not set, the value of the E(HW_ENDPOINTS) environment variable (a JSON object) is used.
    type: dict
  validate_certs:
    description:
      - Verify the TLS certificates of the endpoints. Set to V(false) only for tests; the module then warns.
      - If not set, the value of the E(HW_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_bundle:
    description:
      - PEM file of CA certificates to trust, for private CAs and TLS-inspecting proxies.
      - If not set, the value of the E(HW_CA_BUNDLE) environment variable is used.
    type: path
  api_timeout:
    description:
      - Seconds to wait for each HTTP request, 1 to 600.
      - After a write whose answer was lost, the state is also re-read for up to this many seconds before the write
        is repeated, as the cloud may apply it a moment later.
      - If not set, the value of the E(HW_API_TIMEOUT) environment variable is used.
    type: int
    default: 30
  api_retries:
    description:
      - How many times a request is retried after a server error (500, 502, 503, 504), a connection error or a read
        timeout, with capped exponential backoff and full jitter, honouring C(Retry-After).
      - Throttling (HTTP 429) is retried for up to 120 seconds of waiting in all instead of a number of times; V(0)
        turns every retry off.
      - 0 to 20.
      - A write whose outcome is unknown is never re-sent blindly; the module re-reads the state instead.
      - A connection refused outright, an endpoint host name that does not resolve and a proxy that cannot be
        reached are retried with at most 5 seconds of waiting in all, so such a failure ends within seconds;
        timeouts and reset connections keep the full backoff.
      - If not set, the value of the E(HW_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
notes:
  - Exactly one authentication method must be configured, AK/SK, O(auth_token), or O(user_name)/O(password)/O(domain_name).
  - Proxies are taken from the standard E(HTTPS_PROXY) and E(NO_PROXY) environment variables.
  - All modules of the collection are in the action group C(hwcloud.infra.huaweicloud), so the options can be set
    once with C(module_defaults).
requirements:
  - python >= 3.9
  - requests >= 2.25
"""
