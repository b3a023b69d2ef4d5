"""DATABASE_URL as the operator writes it: options kept, relative SQLite paths, a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import BASE_DIR, database_from_url


def test_options_in_the_query_string_reach_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_CONN_MAX_AGE", "120")
    config = database_from_url(
        "postgres://portal:p%40ss@db.example.jp:6432/portal?sslmode=require&connect_timeout=5"
    )

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": 5}
    assert (config["USER"], config["PASSWORD"]) == ("portal", "p@ss")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.jp", 6432, "portal")
    assert config["CONN_MAX_AGE"] == 120
    assert config["CONN_HEALTH_CHECKS"] is True


def test_postgresql_is_a_name_for_postgres_too() -> None:
    assert database_from_url("postgresql://u@h/db")["ENGINE"] == "django.db.backends.postgresql"


def test_a_relative_sqlite_path_is_relative_to_the_checkout(tmp_path: Path) -> None:
    config = database_from_url("sqlite:///var/nested/db.sqlite3", base_dir=tmp_path)

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == tmp_path / "var" / "nested" / "db.sqlite3"
    assert (tmp_path / "var" / "nested").is_dir()


def test_an_absolute_sqlite_path_stays_absolute(tmp_path: Path) -> None:
    config = database_from_url(f"sqlite:///{tmp_path}/abs/db.sqlite3", base_dir=BASE_DIR)

    assert config["NAME"] == tmp_path / "abs" / "db.sqlite3"
    assert (tmp_path / "abs").is_dir()


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "redis://localhost:6379/0", "db.sqlite3", "", "sqlite3:///x"]
)
def test_an_unsupported_url_is_a_clear_configuration_error(url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="must start with sqlite:/// or postgres://"):
        database_from_url(url)


def test_migrate_on_a_fresh_checkout_creates_the_database_folder(tmp_path: Path) -> None:
    database = tmp_path / "not-yet" / "there" / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert database.is_file()
