"""Settings come from the environment only."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import bootstrap.ledger
from application.config import DEFAULT_DATABASE_URL, Settings
from application.errors import ConfigurationError
from bootstrap.ledger import build_ledger, library_env
from domain.errors import CalendarYearMissing, InvalidValue
from domain.kinds import CaseKind
from domain.rules import DayUnit, RuleTable, Stage


def test_the_default_store_is_a_sqlite_file_in_the_working_directory() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    env = library_env(settings)
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == "caseledger.sqlite3"
    assert env["CREATE_TABLE"] == "n"


def test_a_postgresql_url_sets_every_connection_parameter() -> None:
    env = library_env(
        Settings.from_env({"CASELEDGER_DATABASE_URL": "postgresql://ledger:s%40cret@db.example:6543/cases"})
    )
    assert env["PERSISTENCE_MODULE"] == "storage.recorders:FailFastPostgresFactory"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DBNAME"]) == ("db.example", "6543", "cases")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("ledger", "s@cret")


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite:///", "postgresql:///nodb", "postgresql://host/"])
def test_an_unusable_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="CASELEDGER_DATABASE_URL"):
        library_env(Settings(database_url=url))


def test_time_limits_are_overridden_from_the_rules_file(tmp_path: Path) -> None:
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(
        json.dumps(
            [
                {
                    "kind": "complaint",
                    "stage": "handling",
                    "category": "breakfast_stalls",
                    "days": 10,
                    "unit": "working",
                },
                {"kind": "dispute", "stage": "settlement", "days": 45},
            ]
        ),
        encoding="utf-8",
    )
    settings = Settings(database_url=f"sqlite:///{tmp_path}/l.db", rules_file=rules_file)
    ledger = build_ledger(settings, create_tables=True)
    stall = ledger.rules.rule(CaseKind.COMPLAINT, Stage.HANDLING, "breakfast_stalls")
    assert (stall.days, stall.unit) == (10, DayUnit.WORKING)
    assert ledger.rules.rule(CaseKind.COMPLAINT, Stage.HANDLING, "noise").days == 60
    assert ledger.rules.rule(CaseKind.DISPUTE, Stage.SETTLEMENT).days == 45
    ledger.close()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"kind": "parcel", "stage": "handling"}, "rules[0].kind"),
        ({"kind": "complaint", "stage": "handling", "days": -1}, "rules[0].days"),
        ({"kind": "complaint", "stage": "handling", "unit": "lunar"}, "rules[0].unit"),
    ],
)
def test_a_bad_override_names_its_field(override: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as error:
        RuleTable.statutory().overridden([override])
    assert error.value.field == field


def test_an_unreadable_rules_file_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="CASELEDGER_RULES_FILE"):
        Settings(rules_file=bad).rule_overrides()


def test_an_admin_calendar_directory_adds_a_year(tmp_path: Path) -> None:
    (tmp_path / "2028.json").write_text(
        json.dumps(
            {
                "year": 2028,
                "source": "test",
                "provisional": False,
                "holidays": {"2028-01-03": "元旦"},
                "makeup_workdays": {},
            }
        ),
        encoding="utf-8",
    )
    settings = Settings(database_url=f"sqlite:///{tmp_path}/l.db", calendar_dir=tmp_path)
    ledger = build_ledger(settings, create_tables=True)
    assert not ledger.calendar.is_working_day(date(2028, 1, 3))
    with pytest.raises(CalendarYearMissing):
        ledger.calendar.is_working_day(date(2029, 1, 3))
    ledger.close()


def test_persistence_classes_that_cannot_be_loaded_are_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        bootstrap.ledger,
        "library_env",
        lambda settings: {"PERSISTENCE_MODULE": "nowhere.to.be:Found", "SQLITE_DBNAME": str(tmp_path / "x.db")},
    )
    (tmp_path / "x.db").touch()
    with pytest.raises(ConfigurationError, match="persistence classes cannot be loaded"):
        build_ledger(Settings(database_url=f"sqlite:///{tmp_path}/x.db"))


def test_the_web_service_settings_come_from_the_environment_too() -> None:
    settings = Settings.from_env(
        {"CASELEDGER_FAILED_AUTH_PER_MINUTE": "7", "CASELEDGER_TRUSTED_PROXIES": " 10.0.0.1, ,127.0.0.1 "}
    )
    assert settings.failed_auth_per_minute == 7
    assert settings.trusted_proxies == frozenset({"10.0.0.1", "127.0.0.1"})
    default = Settings.from_env({})
    assert (default.failed_auth_per_minute, default.trusted_proxies) == (20, frozenset())


def test_a_failed_auth_limit_that_is_no_number_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="CASELEDGER_FAILED_AUTH_PER_MINUTE"):
        Settings.from_env({"CASELEDGER_FAILED_AUTH_PER_MINUTE": "many"})


def test_the_sign_in_rules_are_settings_from_the_environment_with_level_3_defaults() -> None:
    default = Settings.from_env({})
    assert (default.password_rules.min_length, default.password_rules.min_classes) == (8, 3)
    assert (default.lock_after_failures, default.sign_in_failures_per_address) == (5, 20)
    assert (default.sign_in_failure_window_minutes, default.session_idle_minutes, default.session_max_hours) == (
        15,
        30,
        12,
    )
    assert (default.token_days, default.token_max_days) == (90, 365)
    names = {
        "CASELEDGER_PASSWORD_MIN_LENGTH": "10",
        "CASELEDGER_PASSWORD_MIN_CLASSES": "4",
        "CASELEDGER_LOCK_AFTER_FAILURES": "3",
        "CASELEDGER_SIGN_IN_FAILURES_PER_ADDRESS": "50",
        "CASELEDGER_SIGN_IN_FAILURE_WINDOW_MINUTES": "5",
        "CASELEDGER_SESSION_IDLE_MINUTES": "15",
        "CASELEDGER_SESSION_MAX_HOURS": "8",
        "CASELEDGER_TOKEN_DAYS": "30",
        "CASELEDGER_TOKEN_MAX_DAYS": "180",
    }
    set_ = Settings.from_env(names)
    assert (set_.password_rules.min_length, set_.password_rules.min_classes, set_.lock_after_failures) == (10, 4, 3)
    assert (set_.sign_in_failures_per_address, set_.sign_in_failure_window_minutes) == (50, 5)
    assert (set_.session_idle_minutes, set_.session_max_hours, set_.token_days, set_.token_max_days) == (15, 8, 30, 180)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CASELEDGER_LOCK_AFTER_FAILURES", "0"),
        ("CASELEDGER_SESSION_IDLE_MINUTES", "half an hour"),
        ("CASELEDGER_PASSWORD_MIN_CLASSES", "5"),
        ("CASELEDGER_TOKEN_DAYS", "400"),
    ],
)
def test_a_sign_in_setting_out_of_range_is_a_configuration_error(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})
