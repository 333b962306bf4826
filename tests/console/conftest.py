"""The console served on a real port, and Chromium to drive it (Debian's chromium and chromium-driver)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.webdriver.remote.webdriver import WebDriver
from werkzeug.serving import make_server

from application.config import Settings
from bootstrap.ledger import build_ledger
from bootstrap.maintenance import init_store
from tests.web.conftest import Api, fast_settings, users_api
from web.app import create_app
from web.read_models import close_read_models, read_models

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = os.environ.get("CASELEDGER_SCREENSHOTS", "")
"""A folder to save the main pages' screenshots in (docs/console when the docs are made anew)."""


def catch_up(app: Flask) -> None:
    """Bring every projection the pages read up to the end of the log."""
    with app.app_context():
        for runner in read_models().runners.values():
            runner.run_once()


@pytest.fixture
def app(store_url: str) -> Iterator[Flask]:
    """The app on an initialised store, its read models' tables too (as `caseledger db init` leaves it)."""
    init_store(Settings(database_url=store_url))
    ledger = build_ledger(fast_settings(store_url))
    yield create_app(ledger, {"TESTING": True})
    ledger.close()


@pytest.fixture
def office_api(app: Flask) -> Iterator[Api]:
    api = users_api(app)
    yield api
    close_read_models(app)


@pytest.fixture
def served(app: Flask, office_api: Api) -> Iterator[str]:
    """The app on a free local port, in a thread: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """A headless Chromium at an office screen's size; skipped with the reason where none is installed."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed: .ci/run installs chromium and chromium-driver")
        pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does)")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--lang=zh-CN"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(2)
    yield driver
    driver.quit()
