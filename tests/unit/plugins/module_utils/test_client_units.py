"""Pure parts of the client: ids, error bodies, Retry-After, URLs, query pairs, retry policy, endpoints, auth choice."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from hwsim.control import VirtualClock

from ansible_collections.hwcloud.infra.plugins.module_utils import _auth as a
from ansible_collections.hwcloud.infra.plugins.module_utils import _client as c
from ansible_collections.hwcloud.infra.plugins.module_utils import _errors as e
from ansible_collections.hwcloud.infra.plugins.module_utils import _validate as v


def resolve_auth(options):
    return a.from_options(options, "options")


@pytest.mark.parametrize("value", ["abc", "a" * 64, "0a1b-2c", "a_b", "6a1f0c3e-8d2b-4e5f-9c7a-1b3d5e7f9a2c"])
def test_validate_id_accepts(value):
    assert v.validate_id(value, "server id") == value


@pytest.mark.parametrize("value,fragment", [
    ("", "non-empty"), ("a" * 65, "at most 64"), ("a/b", "not a valid id"), ("..", "not a valid id"),
    (".", "not a valid id"), ("a\nb", "not a valid id"), ("a\x00", "not a valid id"), (None, "non-empty"),
    (12, "non-empty"), ("abc\n", "not a valid id"), ("a b", "not a valid id"), ("x~y", "not a valid id"),
    ("\u00fcn\u00ef", "not a valid id"), ("a%2Fb", "not a valid id"), ("a\uff0fb", "not a valid id"),
])
def test_validate_id_rejects(value, fragment):
    with pytest.raises(e.HuaweiCloudError) as info:
        v.validate_id(value, "server id")
    assert fragment in str(info.value)
    assert "server id" in str(info.value)


@pytest.mark.parametrize("rule,value", [
    ("lite_server_name", "train-a3-01"), ("lite_server_name", "gpu_node-7"), ("lite_server_name", "a.b"),
    ("lite_server_name", ".."), ("lite_server_name", "a" * 64),
    ("imetal_instance_name", "\u00fcn\u00ef"), ("imetal_instance_name", "\u8bad\u7ec3-01"),
    ("imetal_instance_name", "a b"), ("imetal_instance_name", "a" * 64)])
def test_validate_ref_accepts_ids_and_names(rule, value):
    assert v.validate_ref(value, "server", rule) == value


@pytest.mark.parametrize("rule,value", [
    ("lite_server_name", v) for v in ["", "a/b", "a b", "a\u200bb", "a\uff0fb", "x\n", "\u8bad", "a" * 65, "a;b",
                                      "a\\b", None, 7]] + [
    ("imetal_instance_name", v) for v in ["", "x\n", "a\x7fb", "a\u2028", "a" * 65, None, 7]])
def test_validate_ref_rejects(rule, value):
    with pytest.raises(e.HuaweiCloudError) as info:
        v.validate_ref(value, "server", rule)
    assert "server" in str(info.value)


@pytest.mark.parametrize("value", ["0.0.0.0", "127.0.0.1", "224.0.0.1", "239.255.255.250", "169.254.1.1",
                                   "255.255.255.255", "240.0.0.1", "0.1.2.3", "10.0.1.050", "10.0.1", "::1", " 10.0.0.1", None])
def test_validate_ipv4_refuses_special_and_malformed(value):
    with pytest.raises(e.HuaweiCloudError):
        v.validate_ipv4(value, "nics[0].ip_address")


def test_validate_ipv4_accepts_unicast():
    assert v.validate_ipv4("10.0.1.50", "x") == "10.0.1.50"
    assert v.validate_ipv4("203.0.113.11", "x") == "203.0.113.11"


@pytest.mark.parametrize("value,spec", [
    ({"a": "x", "b": [1, 2]}, {"a": str, "b": [int]}),
    ({"a": "x"}, {"a": str, "b": v.Opt([int])}),
    ({"a": "x", "b": None}, {"a": str, "b": v.Opt([int])}),
    ({"a": {"z": 1}, "extra": True}, {"a": {"z": int}}),
    ([], [{"id": str}]),
    ("anything", v.ANY),
])
def test_check_shape_accepts(value, spec):
    v.check_shape(value, spec)


@pytest.mark.parametrize("value,spec,fragment", [
    ("text", {"a": str}, "answer is a string where an object belongs"),
    ([{"a": 1}], {"a": str}, "answer is a list where an object belongs"),
    ({"a": {"id": "x"}}, {"a": [{"id": str}]}, "answer.a is an object where a list belongs"),
    ({}, {"a": str}, "answer.a is missing"),
    ({"a": None}, {"a": str}, "answer.a is missing"),
    ({"a": [{"id": 5}]}, {"a": [{"id": str}]}, "answer.a[0].id is an integer where a string belongs"),
    ({"n": True}, {"n": int}, "answer.n is a boolean where an integer belongs"),
])
def test_check_shape_rejects(value, spec, fragment):
    with pytest.raises(v.ShapeError) as info:
        v.check_shape(value, spec)
    assert fragment in str(info.value)


@pytest.mark.parametrize("content,expect,fragment", [
    (b"", {"a": str}, "no body"),
    (b"   ", {"a": str}, "no body"),
    (b"<html>oops</html>", {"a": str}, "not JSON"),
    (b"\xff\xfe", {"a": str}, "not JSON"),
    (b'"a string"', {"a": str}, "a string where an object belongs"),
    (b"[1]", v.NO_BODY, "a list where no body or an object belongs"),
    (b"not json", v.NO_BODY, "not JSON"),
])
def test_parse_answer_rejects_what_does_not_parse_or_fit(content, expect, fragment):
    with pytest.raises(v.ShapeError) as info:
        v.parse_answer(content, expect)
    assert fragment in str(info.value)


def test_parse_answer_no_body_allowed_where_documented():
    assert v.parse_answer(b"", v.NO_BODY) is None
    assert v.parse_answer(b"{}", v.NO_BODY) == {}
    assert v.parse_answer(b'{"a": "x"}', {"a": str}) == {"a": "x"}


@pytest.mark.parametrize("body,expected", [
    (b'{"error_code": "ModelArts.6404", "error_msg": "not found"}', ("ModelArts.6404", "not found")),
    (b'{"errorCode": "CBC.0151", "errorMsg": "denied"}', ("CBC.0151", "denied")),
    (b'{"code": "VPC.0504", "message": "no such eip"}', ("VPC.0504", "no such eip")),
    (b'{"error": {"code": 401, "message": "wrong password", "title": "Unauthorized"}}', ("401", "wrong password")),
    (b'{"error": {"error_code": "APIG.0301", "error_msg": "sig"}}', ("APIG.0301", "sig")),
    (b'{"NeutronError": {"type": "X", "message": "m", "detail": ""}}', (None, "m")),
    (b"<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>", (None, "502 Bad Gateway nginx")),
    (b"upstream timed out", (None, "upstream timed out")),
    (b'{"unexpected": true}', (None, '{"unexpected": true}')),
    (b"", (None, None)),
    (None, (None, None)),
    ("text body", (None, "text body")),
])
def test_parse_error_body(body, expected):
    assert c.parse_error_body(body) == expected


def test_parse_error_body_truncates_huge_text():
    code, message = c.parse_error_body(b"x" * 5000)
    assert code is None and len(message) == 500


def test_parse_retry_after_seconds_and_dates():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert c.parse_retry_after("7", now) == 7.0
    assert c.parse_retry_after(" 1.5 ", now) == 1.5
    assert c.parse_retry_after(format_datetime(now + timedelta(seconds=12), usegmt=True), now) == 12.0
    assert c.parse_retry_after(format_datetime(now - timedelta(seconds=12), usegmt=True), now) == 0.0
    assert c.parse_retry_after("soon", now) is None
    assert c.parse_retry_after(None, now) is None


def test_find_header_is_case_insensitive():
    assert c.request_id_of({"x-REQUEST-id": "r1"}) == "r1"
    assert c.request_id_of({"Other": "x"}) is None
    assert c.request_id_of(None) is None


def test_redact_url_hides_secret_looking_query_values():
    url = "https://h/v1/p/x?limit=2&auth_token=abc&password=pw&marker=m"
    assert c.redact_url(url) == "https://h/v1/p/x?limit=2&auth_token=REDACTED&password=REDACTED&marker=m"
    assert c.redact_url("https://h/x") == "https://h/x"


def test_query_pairs_normalises():
    assert c.query_pairs({"a": None, "b": True, "c": False, "d": [1, "x"], "e": 0}) == [
        ("b", "true"), ("c", "false"), ("d", "1"), ("d", "x"), ("e", "0")]
    assert c.query_pairs([("k", "v"), ("k", "w")]) == [("k", "v"), ("k", "w")]
    assert c.query_pairs(None) == []


def test_retry_policy_full_jitter_is_bounded_and_capped():
    seen = []
    policy = c.RetryPolicy(5, base=1.0, cap=8.0, rand=lambda lo, hi: seen.append((lo, hi)) or hi)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [2.0, 4.0, 8.0, 8.0, 8.0]
    assert all(lo == 0 for lo, _hi in seen)


def test_retry_policy_prefers_retry_after_but_bounds_it():
    policy = c.RetryPolicy(3, base=1.0, max_retry_after=60, rand=lambda lo, hi: 99)
    assert policy.delay(1, retry_after=3) == 3
    assert policy.delay(1, retry_after=3600) == 60
    assert policy.delay(1, retry_after=-5) == 0


def test_endpoints_default_and_override():
    eps = c.resolve_endpoints("ap-southeast-3", None, {"clouddc": "http://127.0.0.1:8080/"})
    assert eps["modelarts"] == "https://modelarts.ap-southeast-3.myhuaweicloud.com"
    assert eps["iam"] == "https://iam.ap-southeast-3.myhuaweicloud.com"
    assert eps["vpc"] == "https://vpc.ap-southeast-3.myhuaweicloud.com"
    assert eps["clouddc"] == "http://127.0.0.1:8080"
    assert c.resolve_endpoints("eu-west-101", "myhuaweicloud.eu")["iam"] == "https://iam.eu-west-101.myhuaweicloud.eu"


@pytest.mark.parametrize("region,cloud,overrides,fragment", [
    ("AP_SOUTH", None, None, "not a valid region"),
    ("ap-southeast-3", "bad domain", None, "not a valid domain"),
    ("ap-southeast-3", None, {"ecs": "https://x"}, "unknown service 'ecs'"),
    ("ap-southeast-3", None, {"vpc": "ftp://x"}, "not an http(s) base URL"),
    ("ap-southeast-3", None, {"vpc": "https://x/?q=1"}, "not an http(s) base URL"),
    ("ap-southeast-3\n", None, None, "not a valid region"),
    ("ap-southeast-3", "myhuaweicloud.com\n", None, "not a valid domain"),
    ("ap-southeast-3", None, {"vpc": "https://user:pass@vpc.example.com"}, "no user-info"),
    ("ap-southeast-3", None, {"vpc": "https://vpc.example.com#frag"}, "not an http(s) base URL"),
    ("ap-southeast-3", None, {"vpc": "https://vpc.example.com/a b"}, "not an http(s) base URL"),
    ("ap-southeast-3", None, {"vpc": "https://vpc.example.com\n"}, "not an http(s) base URL"),
    ("ap-southeast-3", None, {"vpc": "https://vpc\uff0fexample.com"}, "endpoints.vpc"),
    ("ap-southeast-3", None, {"vpc": "https://exa\u200bmple.com"}, "endpoints.vpc"),
    ("ap-southeast-3", None, {"vpc": "https://127.0.0.1:99999"}, "not an http(s) base URL"),
    ("ap-southeast-3", None, {"vpc": 12}, "not an http(s) base URL"),
    ("ap-southeast-3", None, ["https://x"], "must be a mapping"),
])
def test_endpoints_rejected(region, cloud, overrides, fragment):
    with pytest.raises(e.HuaweiCloudError) as info:
        c.resolve_endpoints(region, cloud, overrides)
    assert fragment in str(info.value)


def test_endpoint_messages_never_show_user_info():
    with pytest.raises(e.HuaweiCloudError) as info:
        c.resolve_endpoints("ap-southeast-3", None, {"vpc": "https://admin:hunter2@vpc.example.com"})
    assert "hunter2" not in str(info.value) and "endpoints.vpc" in str(info.value)


def test_redact_url_drops_user_info():
    assert c.redact_url("https://u:p@h.example.com:8443/x?token=t") == "https://h.example.com:8443/x?token=REDACTED"


@pytest.mark.parametrize("option,value", [
    ("auth_token", "MIItoken-value\n"), ("auth_token", "token value"), ("auth_token", "tok\u00e9n-value"),
    ("auth_token", "\rtoken-value"), ("access_key", "AKVALUE\x00"), ("secret_key", "secret-value\t"),
    ("security_token", "st-value\u2028"), ("secret_key", "x" * 257), ("password", "pass\nword-value"),
    ("password", "password-value\x7f"), ("user_name", "user-name\r\n"), ("domain_name", "domain-name\x85"),
    ("password", "p" * 129),
])
def test_credentials_that_cannot_be_sent_are_refused_without_showing_them(option, value):
    options = {"access_key": "A", "secret_key": "S"} if option in ("access_key", "secret_key", "security_token") \
        else {"auth_token": "T"} if option == "auth_token" else {"user_name": "u", "password": "p", "domain_name": "d"}
    options[option] = value
    with pytest.raises(e.HuaweiCloudError) as info:
        resolve_auth(options)
    assert option in str(info.value) and "not shown" in str(info.value)
    assert value not in str(info.value) and value.strip() not in str(info.value)


def test_a_unicode_password_is_fine():
    assert isinstance(resolve_auth({"user_name": "u", "password": "p\u00e4ss-\u5bc6\u7801", "domain_name": "d"}),
                      a.PasswordAuth)


def test_auth_each_method():
    assert isinstance(resolve_auth({"access_key": "A", "secret_key": "S"}), a.AkSkAuth)
    temp = resolve_auth({"access_key": "A", "secret_key": "S", "security_token": "T"})
    assert isinstance(temp, a.AkSkAuth) and temp.security_token == "T"
    assert isinstance(resolve_auth({"auth_token": "T"}), a.TokenAuth)
    assert isinstance(resolve_auth({"user_name": "u", "password": "p", "domain_name": "d"}), a.PasswordAuth)


@pytest.mark.parametrize("options,fragments", [
    ({}, ["no credentials found", "HW_ACCESS_KEY"]),
    ({"access_key": "A"}, ["incomplete AK/SK", "found access_key", "missing secret_key"]),
    ({"user_name": "u", "password": "p"}, ["incomplete password", "missing domain_name"]),
    ({"access_key": "A", "secret_key": "S", "auth_token": "T"}, ["exactly one", "access_key, secret_key, auth_token"]),
    ({"auth_token": "T", "user_name": "u", "password": "p", "domain_name": "d"}, ["exactly one", "auth_token"]),
    ({"security_token": "T"}, ["incomplete AK/SK", "missing access_key, secret_key"]),
])
def test_auth_errors_name_what_was_found_but_no_values(options, fragments):
    with pytest.raises(e.HuaweiCloudError) as info:
        resolve_auth(options)
    text = str(info.value)
    for fragment in fragments:
        assert fragment in text
    for value in options.values():
        if len(value) > 1:
            assert value not in text


def test_error_to_dict_shape():
    err = e.HuaweiCloudError("m", status=400, code="X.1", error_message="bad", request_id="r", method="GET", url="u")
    assert err.to_dict() == {"status": 400, "code": "X.1", "message": "bad", "request_id": "r", "method": "GET",
                             "url": "u", "hint": None}
    assert issubclass(e.AmbiguousWriteError, e.HuaweiCloudError)
    assert issubclass(e.WaitTimeoutError, e.HuaweiCloudError)


@pytest.mark.parametrize("options,fragment", [
    ({"api_retries": -1}, "api_retries must be a whole number from 0 to 20"),
    ({"api_retries": 21}, "api_retries must be a whole number from 0 to 20"),
    ({"api_retries": 10 ** 400}, "api_retries must be a whole number from 0 to 20"),
    ({"api_timeout": -3}, "api_timeout must be a whole number from 1 to 600"),
    ({"api_timeout": 0}, "api_timeout must be a whole number from 1 to 600"),
    ({"api_timeout": 10 ** 30}, "api_timeout must be a whole number from 1 to 600"),
    ({"ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle '/nonexistent/ca.pem' is not a file"),
    ({"project_id": "0a1b2c3d\n"}, "is not valid"),
    ({"project_id": "has/slash"}, "project_id 'has/slash' is not valid"),
    ({"region": None}, "region is required"),
])
def test_client_rejects_bad_options_before_any_request(options, fragment):
    base = {"region": "ap-southeast-3", "auth_token": "t"}
    base.update(options)
    with pytest.raises(e.HuaweiCloudError) as info:
        c.Client(base)
    assert fragment in str(info.value)


def test_client_tls_settings():
    base = {"region": "ap-southeast-3", "auth_token": "t"}
    assert c.Client(base).verify is True
    assert c.Client(dict(base, validate_certs=False)).verify is False
    assert c.Client(dict(base, ca_bundle=__file__)).verify == __file__
    assert c.Client(dict(base, ca_bundle=__file__, validate_certs=False)).verify is False


def test_resolution_helpers():
    records = [{"id": "a", "name": "x", "status": "S1"}, {"id": "b", "name": "x", "status": "S2"},
               {"id": "x", "name": "y", "status": "S3"}]
    assert c.match_id_or_name(records, "x") == [records[2]], "an id match wins over names"
    assert c.match_id_or_name(records, "y") == [records[2]]
    assert c.pick_one([records[0]], "a", "Lite Server", "status") is records[0]
    with pytest.raises(e.HuaweiCloudError) as info:
        c.pick_one(records[:2], "x", "Lite Server", "status")
    assert str(info.value) == "the name 'x' matches 2 Lite Servers, use an id: a (S1), b (S2)"
    with pytest.raises(e.HuaweiCloudError) as info:
        c.pick_one([], "z", "iMetal instance", "state")
    assert str(info.value) == "no iMetal instance with id or name 'z' in this project"
    assert v.looks_like_uuid("5dfb59db-8abc-56cf-8b1d-2229616fed71")
    assert v.looks_like_uuid("0a1b2c3d4e5f40718293a4b5c6d7e8f9")
    assert not v.looks_like_uuid("train-a3-01")


def test_token_bucket_lets_a_burst_through_then_spaces_requests():
    fake = VirtualClock(start=100.0)
    bucket = c.TokenBucket(5, burst=2, clock=fake.monotonic, sleep=fake)
    for _request in range(7):
        bucket.acquire()
    # Two at once (the burst), then one every 1/5 s: 5 more requests take 1 s.
    assert fake.calls == pytest.approx([0.2] * 5) and fake.now == pytest.approx(101.0)


def test_token_bucket_refills_while_idle():
    fake = VirtualClock(start=100.0)
    bucket = c.TokenBucket(10, clock=fake.monotonic, sleep=fake)
    for _request in range(10):
        bucket.acquire()
    fake.now += 1.0
    for _request in range(10):
        bucket.acquire()
    assert fake.calls == []
    bucket.acquire()
    assert fake.calls == pytest.approx([0.1])


def test_token_bucket_is_fair_and_exact_across_threads():
    import threading
    fake = VirtualClock(start=100.0)
    lock = threading.Lock()

    def sleep(seconds):
        with lock:
            fake.calls.append(seconds)

    bucket = c.TokenBucket(10, burst=1, clock=fake.monotonic, sleep=sleep)
    threads = [threading.Thread(target=bucket.acquire) for _thread in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # With the clock frozen, the 19 requests after the first reserve slots 0.1 s apart.
    assert sorted(fake.calls) == pytest.approx([0.1 * n for n in range(1, 20)])


def test_throttling_budget_is_time_not_a_count():
    budget = c._ThrottleBudget(c.RetryPolicy(retries=2, base=1.0, rand=lambda lo, hi: hi))
    delays = []
    while True:
        delay = budget.next_delay()
        if delay is None:
            break
        delays.append(delay)
    assert len(delays) > 2 and sum(delays) <= c.THROTTLE_BUDGET
    assert max(delays) <= 30.0


def test_throttling_budget_honours_retry_after_and_counts_zero_waits():
    budget = c._ThrottleBudget(c.RetryPolicy(retries=1))
    assert budget.next_delay(retry_after=7) == 7
    count = 1
    while budget.next_delay(retry_after=0) is not None:
        count += 1
    assert count == int(c.THROTTLE_BUDGET - 7) + 1
    assert c._ThrottleBudget(c.RetryPolicy(retries=0)).next_delay() is None
