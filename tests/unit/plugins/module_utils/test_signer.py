"""SDK-HMAC-SHA256: Huawei's known-answer vector and a property comparison with Huawei's own SDK signer."""

import hashlib
import os
import string
from datetime import datetime
import tempfile
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.hwcloud.infra.plugins.module_utils import _signer
from ansible_collections.hwcloud.infra.plugins.module_utils._auth import AkSkAuth

# Importing huaweicloudsdkcore writes $HOME/.huaweicloud/application_id: point HOME elsewhere for the import only.
_HOME = os.environ.get("HOME")
os.environ["HOME"] = tempfile.mkdtemp(prefix="hwsdk-home-")
try:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
    from huaweicloudsdkcore.sdk_request import SdkRequest  # noqa: E402
finally:
    if _HOME is None:
        del os.environ["HOME"]
    else:
        os.environ["HOME"] = _HOME

KAT = dict(
    ak="QTWAOYTTINDUT2QVKYUC", sk="MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
    host="service.region.example.com", path="/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
    query=[("limit", "2"), ("marker", "13551d6b-755d-4757-b956-536f674975c0")],
    headers={"Content-Type": "application/json", "X-Sdk-Date": "20191115T033655Z"},
)


def test_known_answer_vector():
    signed = _signer.sign("GET", KAT["host"], KAT["path"], KAT["query"], KAT["headers"], b"", KAT["ak"], KAT["sk"])
    assert signed["Authorization"] == (
        "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "
        "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe")
    names = _signer.signed_header_names(signed)
    names.remove("authorization")
    canonical = _signer.canonical_request("GET", KAT["path"], KAT["query"], signed, b"", names)
    assert hashlib.sha256(canonical.encode()).hexdigest() == \
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"


def test_canonical_uri_always_ends_with_slash_and_reencodes_segments():
    assert _signer.canonical_uri("/v1/p/dev-servers") == "/v1/p/dev-servers/"
    assert _signer.canonical_uri("/v1/p/a%20b~c/") == "/v1/p/a%20b~c/"
    assert _signer.canonical_uri("/v1/%E4%B8%AD") == "/v1/%E4%B8%AD/"


def test_non_json_content_type_is_unsigned_payload():
    signed = _signer.sign("PUT", "h", "/x", [], {"Content-Type": "text/plain", "X-Sdk-Date": "20200101T000000Z"},
                          b"hello", "AK", "SK")
    assert signed["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in signed["Authorization"]


def test_headers_with_underscore_are_not_signed():
    signed = _signer.sign("GET", "h", "/x", [], {"X_Custom": "1", "X-Sdk-Date": "20200101T000000Z"}, b"", "A", "S")
    assert "x_custom" not in signed["Authorization"]


def test_changing_any_input_changes_the_signature():
    base = _signer.sign("GET", KAT["host"], KAT["path"], KAT["query"], KAT["headers"], b"", KAT["ak"], KAT["sk"])
    other = _signer.sign("GET", KAT["host"], KAT["path"], KAT["query"][:1], KAT["headers"], b"", KAT["ak"], KAT["sk"])
    wrong_key = _signer.sign("GET", KAT["host"], KAT["path"], KAT["query"], KAT["headers"], b"", KAT["ak"], "x")
    assert len({base["Authorization"], other["Authorization"], wrong_key["Authorization"]}) == 3


# ---- property comparison with huaweicloudsdkcore's signer ----------------------------------------------------------

segment_chars = st.sampled_from(list(string.ascii_letters + string.digits + " ~%-._!*'()@:+,;=&$") +
                                ["\u00e9", "\u4e2d", "\u6587", "\U0001f680", "\u00df"])
segments = st.text(segment_chars, min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))
keys = st.one_of(st.sampled_from(["limit", "marker", "name", "a b", "k~", "ключ", "x%y"]),
                 st.text(segment_chars, min_size=1, max_size=6))
values = st.one_of(st.just(""), st.text(segment_chars, max_size=10))
bodies = st.one_of(
    st.just((None, b"")),
    st.builds(lambda t: ("application/json", t.encode("utf-8")), st.text(max_size=40).map(lambda t: '{"v": %r}' % t)),
    st.builds(lambda b: ("application/octet-stream", b), st.binary(min_size=1, max_size=40)),
    st.builds(lambda b: ("text/plain;charset=utf-8", b), st.binary(min_size=0, max_size=20)),
)
ORACLE_EXAMPLES = 1000


def _compare_with_sdk(method, path_segments, trailing_slash, query, body, security_token, project_id, port, ak, sk,
                      date):
    host = "svc.region.example.com" + (":%d" % port if port else "")
    path = "/" + "/".join(quote(s, safe="") for s in path_segments) + ("/" if trailing_slash else "")
    content_type, payload = body
    headers = {"User-Agent": "hwcloud.infra/test", "X-Sdk-Date": date}
    if content_type:
        headers["Content-Type"] = content_type
    if project_id:
        headers["X-Project-Id"] = project_id

    ours = AkSkAuth(ak, sk, security_token).sign(method, host, path, list(query), headers, payload)

    sdk_headers = {k: v for k, v in headers.items() if k != "X-Project-Id"}
    creds = BasicCredentials(ak, sk, project_id)
    if security_token:
        creds.security_token = security_token
    request = SdkRequest(method=method, schema="https", host=host, resource_path=path, query_params=list(query),
                         header_params=sdk_headers, body=payload)
    creds.sign_request(request)
    assert ours["Authorization"] == request.header_params["Authorization"]


def test_signature_matches_huawei_sdk_on_generated_requests():
    compared = []

    @settings(max_examples=ORACLE_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
        path_segments=st.lists(segments, min_size=1, max_size=5),
        trailing_slash=st.booleans(),
        query=st.lists(st.tuples(keys, values), max_size=6),
        body=bodies,
        security_token=st.one_of(st.none(), st.text(string.ascii_letters + string.digits + "+/=", min_size=8,
                                                    max_size=40)),
        project_id=st.one_of(st.none(), st.text("0123456789abcdef", min_size=32, max_size=32)),
        port=st.one_of(st.none(), st.integers(1, 65535)),
        ak=st.text(string.ascii_uppercase + string.digits, min_size=20, max_size=20),
        sk=st.text(string.ascii_letters + string.digits, min_size=40, max_size=40),
        date=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(lambda d: d.strftime("%Y%m%dT%H%M%SZ")),
    )
    def check(**example):
        _compare_with_sdk(**example)
        compared.append(1)

    check()
    print("signer oracle comparisons: %d" % len(compared))
    assert len(compared) >= ORACLE_EXAMPLES


def test_repeated_and_empty_query_keys_match_sdk():
    query = [("b", ""), ("a", "2"), ("a", "1"), ("a", ""), ("", "x")]
    _compare_with_sdk("GET", ["v1", "p"], False, query, (None, b""), None, "abc", None, "AK", "SK",
                      "20240101T000000Z")
