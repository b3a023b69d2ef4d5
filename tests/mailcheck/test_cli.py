"""The support staff's command line, `manage.py mailcheck`, run as a real process.

The contract: with --json, one JSON object on stdout; invalid input exits with status 2, a
message on stderr and, with --json, {"errors": [...]} on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_ZONE = "mailcheck/demo/demo.zone"


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite database holding the demo service, for commands run as processes."""
    db = tmp_path_factory.mktemp("cli") / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{db}",
        "MAILCHECK_DNS": f"zone:{DEMO_ZONE}",
        "PYTHONIOENCODING": "utf-8",
    }
    for args in (["migrate", "--noinput"], ["importservice", "mailcheck/demo/service.json"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "mailcheck", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def check_json(env: dict[str, str], account: str, mail_from: str, *extra: str) -> dict[str, Any]:
    done = manage(env, "--account", account, "--mail-from", mail_from, "--json", *extra)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # exactly one JSON document, nothing else
    assert isinstance(data, dict)
    return data


LISTED = {"192.0.2.25", "2001:db8:25::25"}
UNLISTED = {"198.51.100.25", "2001:db8:ff::25"}

# DOMAIN.md §1: (account, mail_from, matches, before spf, after spf, after route).
FOUR_CASES = [
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", True, "pass", "pass", "listed"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", False, "pass", "softfail", "unlisted"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp", False, "pass", "softfail", "unlisted"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp", False, "softfail", "softfail", "unlisted"),
]


def assert_case(
    data: dict[str, Any],
    account: str,
    mail_from: str,
    matches: bool,
    before: str,
    after: str,
    route_after: str,
) -> None:
    assert data["account"] == account
    assert data["mail_from"] == mail_from
    assert data["matches"] is matches
    assert data["before"]["route"] == "listed"
    assert data["before"]["spf"] == before
    assert data["before"]["ips"] == dict.fromkeys(LISTED, before)
    assert data["after"]["route"] == route_after
    assert data["after"]["spf"] == after
    assert data["after"]["ips"] == dict.fromkeys(
        LISTED if route_after == "listed" else UNLISTED, after
    )


@pytest.mark.parametrize(
    ("account", "mail_from", "matches", "before", "after", "route_after"), FOUR_CASES
)
def test_json_output_gives_the_notice_table(
    cli_env: dict[str, str],
    account: str,
    mail_from: str,
    matches: bool,
    before: str,
    after: str,
    route_after: str,
) -> None:
    data = check_json(cli_env, account, mail_from)

    assert_case(data, account, mail_from, matches, before, after, route_after)
    assert data["before"]["date"] == "2014-03-24"
    assert data["after"]["date"] == "2014-03-25"


@pytest.mark.parametrize(
    ("account", "mail_from", "matches", "before", "after", "route_after"), FOUR_CASES
)
def test_an_explicit_zone_file_gives_the_same_answers(
    cli_env: dict[str, str],
    account: str,
    mail_from: str,
    matches: bool,
    before: str,
    after: str,
    route_after: str,
) -> None:
    data = check_json(cli_env, account, mail_from, "--zone", DEMO_ZONE)

    assert_case(data, account, mail_from, matches, before, after, route_after)
    assert data["dns_source"] == "zone"


@pytest.mark.parametrize(
    ("account", "mail_from", "matches", "before", "after", "route_after"), FOUR_CASES
)
def test_a_real_nameserver_gives_the_same_answers(
    cli_env: dict[str, str],
    demo_dns_server: str,
    account: str,
    mail_from: str,
    matches: bool,
    before: str,
    after: str,
    route_after: str,
) -> None:
    data = check_json(cli_env, account, mail_from, "--dns", demo_dns_server)

    assert_case(data, account, mail_from, matches, before, after, route_after)
    assert data["dns_source"] == "live"


def test_it_prints_the_normalised_mail_from(cli_env: dict[str, str]) -> None:
    data = check_json(
        cli_env, "ＩＩＪ－ＴＡＲＯ．ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ", "Taro <IIJ-Jiro@IIJmio-Mail.jp.>"
    )

    assert data["account"] == "iij-taro.iijmio-mail.jp"
    assert data["mail_from"] == "iij-jiro@iijmio-mail.jp"
    assert data["matches"] is False
    assert {n["field"] for n in data["normalisations"]} == {"account", "mail_from"}


def test_a_domain_without_spf_is_none_in_lower_case(cli_env: dict[str, str]) -> None:
    data = check_json(cli_env, "iij-taro.iijmio-mail.jp", "user@example.com")

    assert (data["before"]["spf"], data["after"]["spf"]) == ("none", "none")
    assert "no_spf" in data["findings"]


def test_text_output_names_routes_and_verdicts(cli_env: dict[str, str]) -> None:
    done = manage(
        cli_env, "--account", "iij-taro.iijmio-mail.jp", "--mail-from", "iij-jiro@iijmio-mail.jp"
    )

    assert done.returncode == 0, done.stderr
    assert "route=listed" in done.stdout
    assert "route=unlisted" in done.stdout
    assert "spf=softfail" in done.stdout
    assert "iij-jiro.iijmio-mail.jp" in done.stdout  # the fix: the account of the address


INVALID = [
    # (account, mail_from, [(field, code)])
    ("", "", [("account", "empty"), ("mail_from", "empty")]),
    ("iij-taro@iijmio-mail.jp", "iij-taro@iijmio-mail.jp", [("account", "account_has_at")]),
    ("iij-taro", "iij-taro@iijmio-mail.jp", [("account", "account_no_domain")]),
    ("taro.gmail.com", "taro@gmail.com", [("account", "account_outside_service")]),
    ("iij-taro.iijmio-mail.jp", "garbage", [("mail_from", "address_no_at")]),
    ("iij-taro.iijmio-mail.jp", "a" * 10_000, [("mail_from", "address_no_at")]),
]


@pytest.mark.parametrize(("account", "mail_from", "problems"), INVALID)
def test_invalid_input_exits_2_with_errors_as_json(
    cli_env: dict[str, str], account: str, mail_from: str, problems: list[tuple[str, str]]
) -> None:
    done = manage(cli_env, "--account", account, "--mail-from", mail_from, "--json")

    assert done.returncode == 2
    data = json.loads(done.stdout)
    assert list(data) == ["errors"]
    assert [(e["field"], e["code"]) for e in data["errors"]] == problems
    for error in data["errors"]:
        assert error["message"].strip()
    for field, _code in problems:
        assert f"--{field.replace('_', '-')}" in done.stderr


def test_invalid_input_without_json_exits_2_with_a_message_only_on_stderr(
    cli_env: dict[str, str],
) -> None:
    done = manage(
        cli_env, "--account", "iij-taro@iijmio-mail.jp", "--mail-from", "iij-taro@iijmio-mail.jp"
    )

    assert done.returncode == 2
    assert done.stdout == ""
    assert "--account" in done.stderr
    assert "iij-taro.iijmio-mail.jp" in done.stderr  # the suggestion


def test_an_account_with_at_carries_its_suggestion_in_json(cli_env: dict[str, str]) -> None:
    done = manage(
        cli_env,
        "--account",
        "iij-taro@iijmio-mail.jp",
        "--mail-from",
        "iij-taro@iijmio-mail.jp",
        "--json",
    )

    assert json.loads(done.stdout)["errors"][0]["suggestion"] == "iij-taro.iijmio-mail.jp"


def test_undecodable_bytes_on_the_command_line_exit_2_not_a_traceback(
    cli_env: dict[str, str],
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "mailcheck",
            "--account",
            b"\xed\xa0\x80.iijmio-mail.jp",
            "--mail-from",
            "iij-taro@iijmio-mail.jp",
            "--json",
        ],
        cwd=ROOT,
        env={**cli_env, "LC_ALL": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert [e["code"] for e in json.loads(done.stdout)["errors"]] == ["bad_mailbox"]


@pytest.mark.parametrize("flag", ["--zone"])
def test_a_missing_zone_file_exits_2_with_a_message(
    cli_env: dict[str, str], tmp_path: Path, flag: str
) -> None:
    missing = tmp_path / "no-such.zone"

    done = manage(
        cli_env,
        "--account",
        "iij-taro.iijmio-mail.jp",
        "--mail-from",
        "iij-taro@iijmio-mail.jp",
        "--json",
        flag,
        str(missing),
    )

    assert done.returncode == 2
    assert str(missing) in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_a_zone_exits_2_with_a_message(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.zone"
    bad.write_text("this is not ) a zone file (\n", encoding="utf-8")

    done = manage(
        cli_env,
        "--account",
        "iij-taro.iijmio-mail.jp",
        "--mail-from",
        "iij-taro@iijmio-mail.jp",
        "--zone",
        str(bad),
    )

    assert done.returncode == 2
    assert str(bad) in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_nameserver_exits_2_with_a_message(cli_env: dict[str, str]) -> None:
    done = manage(
        cli_env,
        "--account",
        "iij-taro.iijmio-mail.jp",
        "--mail-from",
        "iij-taro@iijmio-mail.jp",
        "--dns",
        "not a server:port",
    )

    assert done.returncode == 2
    assert "--dns" in done.stderr
    assert "Traceback" not in done.stderr


def test_zone_and_dns_together_are_refused_as_a_usage_error(cli_env: dict[str, str]) -> None:
    done = manage(
        cli_env,
        "--account",
        "iij-taro.iijmio-mail.jp",
        "--mail-from",
        "iij-taro@iijmio-mail.jp",
        "--zone",
        DEMO_ZONE,
        "--dns",
        "127.0.0.1:53",
    )

    assert done.returncode == 2
    assert "not allowed with" in done.stderr


def test_without_a_service_it_fails_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{db}",
    }
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr

    done = manage(env, "--account", "iij-taro.iijmio-mail.jp", "--mail-from", "a@example.jp")

    assert done.returncode != 0
    assert "loaddemo" in done.stderr
    assert "Traceback" not in done.stderr


# --- Argument errors ---------------------------------------------------------------------------

GOOD = ("--account", "iij-taro.iijmio-mail.jp", "--mail-from", "iij-taro@iijmio-mail.jp")

ARGUMENT_ERRORS = [
    (("--mail-from", "a@example.jp"), [("account", "required")]),
    ((), [("account", "required"), ("mail_from", "required")]),
    ((*GOOD, "--dns"), [("dns", "invalid")]),
    ((*GOOD, "--zone", DEMO_ZONE, "--dns", "127.0.0.1"), [("dns", "invalid")]),
    ((*GOOD, "--dns", ""), [("dns", "bad_nameserver")]),
    ((*GOOD, "--dns", "  "), [("dns", "bad_nameserver")]),
    ((*GOOD, "--dns", "::1:53"), [("dns", "bad_nameserver")]),
    ((*GOOD, "--dns", "ns.example.jp"), [("dns", "bad_nameserver")]),
    ((*GOOD, "--zone", ""), [("zone", "no_such_file")]),
    ((*GOOD, "--zone", "no/such.zone"), [("zone", "no_such_file")]),
    ((*GOOD, "--zone", "README.md"), [("zone", "not_a_zone")]),
    ((*GOOD, "--bogus"), [("arguments", "usage")]),
]


@pytest.mark.parametrize(("args", "expected"), ARGUMENT_ERRORS)
def test_argument_errors_are_json_on_stdout_with_json(
    cli_env: dict[str, str], args: tuple[str, ...], expected: list[tuple[str, str]]
) -> None:
    done = manage(cli_env, *args, "--json")

    assert done.returncode == 2
    data = json.loads(done.stdout)  # exactly one JSON document
    assert [(e["field"], e["code"]) for e in data["errors"]] == expected
    for error in data["errors"]:
        assert error["message"].strip()
        assert error["message"] in done.stderr or error["code"] == "required"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args", [("--mail-from", "a@example.jp"), (*GOOD, "--dns", ""), (*GOOD, "--zone", "nope")]
)
def test_argument_errors_without_json_leave_stdout_empty(
    cli_env: dict[str, str], args: tuple[str, ...]
) -> None:
    done = manage(cli_env, *args)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip()


def test_an_empty_dns_option_is_refused_rather_than_answered_from_the_zone(
    cli_env: dict[str, str],
) -> None:
    done = manage(cli_env, *GOOD, "--dns", "")

    assert done.returncode == 2
    assert "--dns" in done.stderr
    assert "empty" in done.stderr


def test_an_ipv6_name_server_that_may_end_in_a_port_is_refused_with_both_spellings(
    cli_env: dict[str, str],
) -> None:
    done = manage(cli_env, *GOOD, "--dns", "::1:53", "--json")

    message = json.loads(done.stdout)["errors"][0]["message"]
    assert "[::1]:53" in message
    assert "[::1:53]" in message


def test_the_help_says_how_to_give_an_ipv6_name_server_a_port(cli_env: dict[str, str]) -> None:
    done = manage(cli_env, "--help")

    assert done.returncode == 0
    assert "[2001:db8::53]:5353" in " ".join(done.stdout.split())


@pytest.mark.parametrize(
    ("account", "mail_from", "before", "after"),
    [
        ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "delivered", "delivered"),
        ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", "delivered", "at_risk"),
        ("iiij-taro.iijmio-mail.jp", "example@example.jp", "quarantine", "quarantine"),
        ("iij-taro.iijmio-mail.jp", "someone@example.com", "reject", "reject"),
    ],
)
def test_json_output_gives_the_outcome_of_each_period(
    cli_env: dict[str, str], account: str, mail_from: str, before: str, after: str
) -> None:
    data = check_json(cli_env, account, mail_from)

    assert (data["before"]["outcome"], data["after"]["outcome"]) == (before, after)
    # Without --header-from, the visible From is the envelope From.
    assert data["header_from"] == data["mail_from"]


def test_a_header_from_at_a_reject_domain_that_does_not_align_is_refused(
    cli_env: dict[str, str],
) -> None:
    data = check_json(
        cli_env,
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        "--header-from",
        "Someone@Example.com",
    )

    assert data["header_from"] == "Someone@example.com"
    assert data["spf_aligned"] is False
    assert data["after"]["spf"] == "pass"
    assert data["after"]["outcome"] == "reject"
    assert data["dmarc"]["domain"] == "example.com"
    assert "not_aligned" in data["findings"]


def test_an_invalid_header_from_exits_2_naming_its_option(cli_env: dict[str, str]) -> None:
    done = manage(
        cli_env,
        "--account",
        "iij-taro.iijmio-mail.jp",
        "--mail-from",
        "iij-taro@iijmio-mail.jp",
        "--header-from",
        "someone",
        "--json",
    )

    assert done.returncode == 2
    assert [(e["field"], e["code"]) for e in json.loads(done.stdout)["errors"]] == [
        ("header_from", "address_no_at")
    ]
    assert "\n--header-from: " in "\n" + done.stderr


# --- The domain owner's view: --domain ---------------------------------------------------------

BROKEN_ZONE = """
$TTL 300
iijmio-mail.jp.     TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"
broken.example.jp.  TXT "v=spf1 ptr include:nospf.example.jp rp=x.example.jp +all"
broken.example.jp.  SPF "v=spf1 ptr +all"
clean.example.jp.   TXT "v=spf1 ip4:203.0.113.0/24 -all"
"""


@pytest.fixture(scope="module")
def lint_zone(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("lint") / "lint.zone"
    path.write_text(BROKEN_ZONE, encoding="utf-8")
    return str(path)


def test_domain_lists_the_problems_of_a_broken_record(
    cli_env: dict[str, str], lint_zone: str
) -> None:
    done = manage(cli_env, "--domain", "broken.example.jp", "--zone", lint_zone, "--json")

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["domain"] == "broken.example.jp"
    assert data["record"].startswith("v=spf1 ptr")
    assert data["lookups"] == 2  # ptr and include
    assert sorted(p["code"] for p in data["problems"]) == [
        "include_without_record",
        "pass_all",
        "ptr",
        "spf_rr_type",
        "unknown_modifier",
    ]
    for problem in data["problems"]:
        assert problem["message"].strip() and problem["fix"].strip()
    # A broken record is fixed first: no record to publish on top of it.
    assert data["suggested_record"] is None
    assert data["suggestion"]["kind"] == "fix_first"


def test_domain_finds_no_problem_in_a_clean_record_and_suggests_the_record_to_publish(
    cli_env: dict[str, str], lint_zone: str
) -> None:
    done = manage(cli_env, "--domain", "Clean.Example.JP.", "--zone", lint_zone, "--json")

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["domain"] == "clean.example.jp"
    assert data["record"] == "v=spf1 ip4:203.0.113.0/24 -all"
    assert (data["lookups"], data["void_lookups"], data["problems"]) == (0, 0, [])
    assert data["suggested_record"] == "v=spf1 ip4:203.0.113.0/24 include:iijmio-mail.jp -all"
    assert data["suggestion"]["lookups"] == 1
    # The honest note, in the command's language (the site's, Japanese): a sender at this
    # domain matches no account and takes the unlisted route.
    assert any("どのアカウントとも一致しない" in note for note in data["suggestion"]["notes"])


def test_domain_in_words_without_json(cli_env: dict[str, str]) -> None:
    done = manage(cli_env, "--domain", "example.com", "--zone", DEMO_ZONE)

    assert done.returncode == 0, done.stderr
    assert "example.com はSPFレコードを公開していない" in done.stdout
    assert "v=spf1 include:iijmio-mail.jp ~all" in done.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--domain", "not a domain"), [("domain", "invalid")]),
        (("--domain", "example.jp", *GOOD), [("domain", "invalid")]),
        (("--domain",), [("domain", "invalid")]),
        (("--account", "iij-taro.iijmio-mail.jp"), [("mail_from", "required")]),
    ],
)
def test_domain_argument_errors(
    cli_env: dict[str, str], args: tuple[str, ...], expected: list[tuple[str, str]]
) -> None:
    done = manage(cli_env, *args, "--json")

    assert done.returncode == 2
    assert [(e["field"], e["code"]) for e in json.loads(done.stdout)["errors"]] == expected
    assert done.stderr.strip()
    assert "Traceback" not in done.stderr


def test_the_required_options_name_domain_as_the_alternative(cli_env: dict[str, str]) -> None:
    done = manage(cli_env)

    assert done.returncode == 2
    assert "--domain" in done.stderr.splitlines()[-1]


def test_json_details_carry_each_address_trace(cli_env: dict[str, str]) -> None:
    data = check_json(cli_env, "iij-taro.iijmio-mail.jp", "iij-taro@e23.jp")

    for detail in data["before"]["details"] + data["after"]["details"]:
        assert (detail["lookups_limit"], detail["void_lookups_limit"]) == (10, 2)
        top = detail["records"][0]
        assert (top["domain"], top["via"], top["depth"], top["parent"]) == (
            "e23.jp",
            "top",
            0,
            None,
        )
        first = detail["queries"][0]
        assert (first["name"], first["type"], first["outcome"]) == ("e23.jp", "TXT", "answer")
        assert set(first) == {"name", "type", "answer", "outcome", "ms", "cached"}
