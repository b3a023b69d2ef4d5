"""A batch of many rows on a few domains asks the name server about each name once: the
resolver's cache (mailcheck/dns.py, shared through mailcheck/dnscache.py when REDIS_URL is set)
answers the repeats."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import SettingsWrapper

from mailcheck import services
from mailcheck.batch.models import Batch
from tests.dnsserver import FakeDnsServer, demo_zone_dns_server  # noqa: F401  (fixture)
from tests.mailcheck.batch.conftest import DEMO_CASES

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_demo_dns(
    settings: SettingsWrapper,
    demo: None,
    demo_zone_dns_server: FakeDnsServer,  # noqa: F811
) -> Iterator[FakeDnsServer]:
    settings.MAILCHECK_DNS = f"live:{demo_zone_dns_server.address}"
    forget_answers()
    yield demo_zone_dns_server
    forget_answers()


def forget_answers() -> None:
    """A fresh resolver, and no answer shared through the cache (Redis, when REDIS_URL is set,
    holds them across resolvers and tests)."""
    services._resolver.cache_clear()
    cache.clear()


def run(client: Client, rows: int) -> Batch:
    lines = [f"{DEMO_CASES[n % 5][0]},{DEMO_CASES[n % 5][1]}" for n in range(rows)]
    response = client.post("/api/v1/batches", "\n".join(lines).encode(), content_type="text/csv")
    assert response.status_code == 201, response.content
    return Batch.objects.get(public_id=response.json()["id"])


def test_a_batch_of_many_rows_on_few_domains_costs_the_queries_of_its_distinct_rows(
    client: Client, immediate: None, live_demo_dns: FakeDnsServer
) -> None:
    first = run(client, 5)
    assert first.status == "done" and first.failed == 0
    distinct = live_demo_dns.query_count
    assert distinct > 0
    # A fresh resolver (an empty cache), then 100 times as many rows on the same domains.
    forget_answers()
    before = live_demo_dns.query_count
    batch = run(client, 500)
    assert (batch.status, batch.done, batch.failed) == ("done", 500, 0)
    assert live_demo_dns.query_count - before == distinct
    spf = batch.rows.filter(mail_from="iij-jiro@iijmio-mail.jp").values_list("spf_after", flat=True)
    assert set(spf) == {"softfail"}
