"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts and ends with an empty cache. A test's database is rolled back without a
    signal, so a cached snapshot of the service or the site content (mailcheck/snapshots.py),
    or a counter, must not outlive the rows it was read from."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()
