"""A warm check page reads no row; every edit, from any machine, is on the next page at once.

The service configuration and the check result's related content are snapshots in the shared
cache (mailcheck/snapshots.py). These tests warm the page, change what an operator changes
(in the admin, with importservice, by the clock for a scheduled notice) and read the page again.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client

from mailcheck import models
from mailcheck.policy import RouteKind
from mailcheck.services import SERVICE_SNAPSHOT, load_service
from mailcheck.snapshots import Snapshot
from portal.models import CheckTopic, Notice
from tests.mailcheck.test_service_config import service_edit_form

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
MATCHING = "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp"
SOFTFAIL = "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp"
NEW_ADDRESS = "192.0.2.26"
# Not in the demo zone's SPF record: the admin and importservice accept it on the unlisted route
# only (an address of the listed route must pass SPF).
NEW_UNLISTED_ADDRESS = "198.51.100.26"


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # The share form's CSRF token is masked afresh for every page (Django's defence against
    # BREACH); everything else must be the same.
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1"', response.content.decode())


@pytest.mark.parametrize("url", [MATCHING, SOFTFAIL, "/en" + SOFTFAIL, "/check/", "/en/check/"])
def test_a_warm_check_page_makes_no_database_query(
    client: Client, demo: models.Service, django_assert_num_queries: Any, url: str
) -> None:
    first = page(client, url)

    with django_assert_num_queries(0):
        again = page(client, url)

    assert again == first


def test_the_warm_page_still_shows_the_related_content(
    client: Client, demo: models.Service, django_assert_num_queries: Any
) -> None:
    page(client, SOFTFAIL)
    with django_assert_num_queries(0):
        html = page(client, SOFTFAIL)
    assert 'href="/notices/2014-03-25-sender-address-and-spf/"' in html
    assert 'href="/faq/several-addresses-one-login/"' in html


def route_change_form(route: models.Route, new_addresses: list[str]) -> dict[str, str]:
    """The route's admin page as a browser posts it, with rows added to the address inline."""
    existing = list(route.addresses.all())
    data = {
        "service": str(route.service_id),
        "kind": route.kind,
        "helo": route.helo,
        "description": route.description,
        "addresses-TOTAL_FORMS": str(len(existing) + len(new_addresses)),
        "addresses-INITIAL_FORMS": str(len(existing)),
        "addresses-MIN_NUM_FORMS": "1",
        "addresses-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, row in enumerate(existing):
        data[f"addresses-{i}-id"] = str(row.pk)
        data[f"addresses-{i}-route"] = str(route.pk)
        data[f"addresses-{i}-address"] = row.address
    for j, address in enumerate(new_addresses, start=len(existing)):
        data[f"addresses-{j}-route"] = str(route.pk)
        data[f"addresses-{j}-address"] = address
    return data


def test_an_address_added_in_the_admin_is_on_the_next_check(
    client: Client, admin_client: Client, demo: models.Service
) -> None:
    assert NEW_UNLISTED_ADDRESS not in page(client, SOFTFAIL)
    route = demo.routes.get(kind="unlisted")

    response = admin_client.post(
        f"/admin/mailcheck/route/{route.pk}/change/",
        route_change_form(route, [NEW_UNLISTED_ADDRESS]),
    )

    assert response.status_code == 302
    assert f"<code>{NEW_UNLISTED_ADDRESS}</code>" in page(client, SOFTFAIL)


def test_a_change_date_edited_in_the_admin_is_on_the_next_check(
    client: Client, admin_client: Client, demo: models.Service
) -> None:
    assert "2014年3月25日" in page(client, SOFTFAIL)
    # On the service's page, where policy changes are edited (the results do not change, so
    # the save needs no review).
    form = service_edit_form(demo, **{"changes-0-effective": "2014-04-01"})

    response = admin_client.post(f"/admin/mailcheck/service/{demo.pk}/change/", form)

    assert response.status_code == 302
    html = page(client, SOFTFAIL)
    assert "2014年4月1日" in html
    assert "2014年3月25日" not in html


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda s: s.domains.create(name="example.net"), id="domain added"),
        pytest.param(lambda s: s.domains.get(name="e23.jp").delete(), id="domain deleted"),
        pytest.param(
            lambda s: s.routes.get(kind="listed").addresses.create(address=NEW_ADDRESS),
            id="address added",
        ),
        pytest.param(
            lambda s: s.routes.get(kind="unlisted").addresses.first().delete(),
            id="address deleted",
        ),
        pytest.param(lambda s: s.changes.get().delete(), id="change deleted"),
        pytest.param(lambda s: s.routes.get(kind="unlisted").delete(), id="route deleted"),
        pytest.param(lambda s: s.delete(), id="service deleted"),
    ],
)
def test_every_kind_of_configuration_edit_renews_the_cached_service(
    demo: models.Service, edit: Any
) -> None:
    SERVICE_SNAPSHOT.get()

    edit(demo)

    assert SERVICE_SNAPSHOT.get() == load_service()


def test_an_import_is_on_the_next_check(
    client: Client, demo: models.Service, tmp_path: Path
) -> None:
    page(client, SOFTFAIL)
    out = io.StringIO()
    call_command("exportservice", stdout=out)
    document = json.loads(out.getvalue())
    unlisted = next(r for r in document["routes"] if r["kind"] == "unlisted")
    unlisted["addresses"].append(NEW_UNLISTED_ADDRESS)
    path = tmp_path / "service.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    call_command("importservice", str(path), stdout=io.StringIO())

    assert f"<code>{NEW_UNLISTED_ADDRESS}</code>" in page(client, SOFTFAIL)


def test_a_snapshot_loaded_before_the_commit_is_not_served_after_it(
    demo: models.Service, django_capture_on_commit_callbacks: Any
) -> None:
    """Another process may read the old rows after the save but before the commit; the
    generation written at commit time keeps what it stored from being served."""
    loads = []

    def counting_load() -> Any:
        loads.append(1)
        return load_service()

    other = Snapshot(
        SERVICE_SNAPSHOT.name, counting_load, cache=caches.create_connection("default")
    )
    with django_capture_on_commit_callbacks(execute=True):
        demo.routes.get(kind="listed").addresses.create(address=NEW_ADDRESS)
        other.get()
        assert len(loads) == 1

    other.get()
    assert len(loads) == 2


def test_publishing_a_notice_in_the_admin_shows_it_on_the_next_check(
    client: Client, admin_client: Client, demo: models.Service
) -> None:
    draft = Notice.objects.create(
        slug="new-explainer", title_ja="新しい解説", body_ja="本文", is_draft=True
    )
    draft.check_topics.add(CheckTopic.objects.get(code="mailbox_differs"))
    assert "新しい解説" not in page(client, SOFTFAIL)

    admin_client.post(
        "/admin/portal/notice/", {"action": "publish_now", "_selected_action": [draft.pk]}
    )

    assert "新しい解説" in page(client, SOFTFAIL)


def test_linking_a_notice_to_a_finding_shows_it_on_the_next_check(
    client: Client, demo: models.Service
) -> None:
    notice = Notice.objects.create(
        slug="linked-later", title_ja="あとから紐付け", body_ja="本文", is_draft=False
    )
    assert "あとから紐付け" not in page(client, SOFTFAIL)

    notice.check_topics.add(CheckTopic.objects.get(code="mailbox_differs"))

    assert "あとから紐付け" in page(client, SOFTFAIL)


def test_a_scheduled_notice_appears_when_its_time_comes_without_a_save(
    client: Client, demo: models.Service
) -> None:
    notice = Notice.objects.create(
        slug="scheduled",
        title_ja="予定のお知らせ",
        body_ja="本文",
        is_draft=False,
        publish_from=datetime.datetime(2030, 1, 1, 9, 0, tzinfo=JST),
        publish_until=datetime.datetime(2030, 2, 1, 9, 0, tzinfo=JST),
    )
    notice.check_topics.add(CheckTopic.objects.get(code="mailbox_differs"))

    with time_machine.travel(notice.publish_from.replace(hour=8), tick=False):
        assert "予定のお知らせ" not in page(client, SOFTFAIL)
    with time_machine.travel(notice.publish_from, tick=False):
        assert "予定のお知らせ" in page(client, SOFTFAIL)
    with time_machine.travel(notice.publish_until, tick=False):
        assert "予定のお知らせ" not in page(client, SOFTFAIL)


# --- two machines ------------------------------------------------------------------------------


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: Any, tmp_path: Path) -> Iterator[None]:
    """The default cache as several machines share it: local memory (one process), or a real
    Redis server on a Unix socket, as with REDIS_URL."""
    if request.param == "locmem":
        yield
        return
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    socket = tmp_path / "redis.sock"
    process = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"unix://{socket}",
            }
        }
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def machine() -> Snapshot[Any]:
    """One more machine: its own cache client and its own per-process memo."""
    return Snapshot(SERVICE_SNAPSHOT.name, load_service, cache=caches.create_connection("default"))


def listed_addresses(service: Any) -> tuple[str, ...]:
    return tuple(service.route(RouteKind.LISTED).addresses)


def test_an_edit_on_one_machine_is_seen_by_every_other_at_once(
    demo: models.Service, shared_cache: None, django_assert_num_queries: Any
) -> None:
    first, second = machine(), machine()
    first.get()
    with django_assert_num_queries(0):
        assert second.get() == first.get()

    demo.routes.get(kind="listed").addresses.create(address=NEW_ADDRESS)

    assert NEW_ADDRESS in listed_addresses(first.get())
    with django_assert_num_queries(0):
        assert NEW_ADDRESS in listed_addresses(second.get())


def test_with_the_cache_unreachable_the_check_page_answers_from_the_database(
    client: Client, demo: models.Service, settings: Any
) -> None:
    # A Redis host that refuses connections: the page must still answer, and an edit saved
    # meanwhile must still be saved.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    settings.CHECK_RATE_LIMIT = ""
    settings.CHECK_DOMAIN_RATE_LIMIT = ""

    assert "192.0.2.25" in page(client, SOFTFAIL.replace("iij-jiro", "iij-taro"))
    route = demo.routes.get(kind=RouteKind.LISTED)
    models.RouteAddress.objects.create(route=route, address=NEW_ADDRESS)
    assert NEW_ADDRESS in page(client, MATCHING)
